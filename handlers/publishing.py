"""Slack side effects of the incident life: its pinned summary and its shared draft. (The
channel's set-up and the publication are outbox effects: handlers/effects.py.)"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.lifecycle import Overview
from handlers import blocks
from handlers.deps import Deps
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
# Errors that mean "this workspace or token can't make canvases": fall back to a file.
CANVAS_UNAVAILABLE = {
    "not_allowed_token_type",
    "missing_scope",
    "canvas_disabled_user_team",
    "team_tier_cannot_create_canvases",
    "canvas_creation_failed",
    "restricted_action",
    "unknown_method",
    "not_authed",
    "access_denied",
}


@dataclass(frozen=True)
class SharedDocument:
    kind: str  # "canvas" | "file"
    id: str
    url: str | None


async def refresh_summary(
    client: AsyncWebClient, deps: Deps, view: Overview, *, strict: bool = False
) -> None:
    """Keep the pinned summary current; a failure here must not undo what happened (unless
    `strict`: the outbox then tries again)."""
    incident = view.incident
    if not (incident.channel_id and incident.summary_ts):
        return
    try:
        await client.chat_update(
            channel=incident.channel_id,
            ts=incident.summary_ts,
            text=blocks.summary_fallback(incident),
            blocks=blocks.summary_blocks(deps.translator, view, deps.policy.capture_emoji),
        )
    except SlackApiError as exc:
        if strict:
            raise
        log.warning("could not update the summary of %s: %s", incident.ref, slack_error(exc))


async def share_document(
    client: AsyncWebClient,
    *,
    mode: str,
    channel_id: str,
    title: str,
    markdown: str,
    filename: str,
    comment: str,
) -> SharedDocument:
    """Share the draft as a canvas tabbed in the channel where allowed, else as a Markdown file
    posted with `comment`. (A canvas's own message is posted by the caller, once it is recorded.)
    """
    if mode in ("auto", "canvas"):
        try:
            return await _share_canvas(
                client, channel_id=channel_id, title=title, markdown=markdown
            )
        except SlackApiError as exc:
            if mode == "canvas" or slack_error(exc) not in CANVAS_UNAVAILABLE:
                raise
            log.info("canvas unavailable (%s); sharing a file", slack_error(exc))
    response = await client.files_upload_v2(
        channel=channel_id,
        content=markdown,
        filename=filename,
        title=title,
        initial_comment=comment,
    )
    file = response["file"]
    return SharedDocument(kind="file", id=file["id"], url=file.get("permalink"))


async def _share_canvas(
    client: AsyncWebClient, *, channel_id: str, title: str, markdown: str
) -> SharedDocument:
    created = await client.canvases_create(
        title=title,
        channel_id=channel_id,
        document_content={"type": "markdown", "markdown": markdown},
    )
    canvas_id = created["canvas_id"]
    url = None
    try:
        url = (await client.files_info(file=canvas_id))["file"].get("permalink")
    except SlackApiError as exc:  # the canvas exists; a missing link is not worth failing for
        log.info("no permalink for canvas %s: %s", canvas_id, slack_error(exc))
    return SharedDocument(kind="canvas", id=canvas_id, url=url)
