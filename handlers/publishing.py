"""Slack side effects of the incident life: its channel, its pinned summary, its draft."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.model import Incident, Postmortem
from bot.domain.naming import channel_name, with_suffix
from bot.services.actions import list_actions
from bot.services.lifecycle import Overview, summarize
from bot.services.review import mark_published
from handlers import blocks, review_blocks
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
MAX_NAME_ATTEMPTS = 10
INVALID_NAME = {"invalid_name_specials", "invalid_name", "invalid_name_punctuation"}
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


async def create_channel(
    client: AsyncWebClient, *, prefix: str, incident: Incident
) -> tuple[str, str]:
    """Create the incident's public channel, named in the title's words (Japanese included);
    where Slack refuses those, the Latin-only name. On `name_taken`, try `-2`, `-3`, …"""
    try:
        return await _create_named(client, channel_name(prefix, incident.number, incident.title))
    except SlackApiError as exc:
        if slack_error(exc) not in INVALID_NAME:
            raise
    latin = channel_name(prefix, incident.number, incident.title, latin_only=True)
    return await _create_named(client, latin)


async def _create_named(client: AsyncWebClient, base: str) -> tuple[str, str]:
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = base if attempt == 1 else with_suffix(base, attempt)
        try:
            response = await client.conversations_create(name=name, is_private=False)
        except SlackApiError as exc:
            if slack_error(exc) == "name_taken":
                continue
            raise
        return response["channel"]["id"], response["channel"]["name"]
    raise SlackApiError(
        f"no free channel name after {MAX_NAME_ATTEMPTS} tries", {"error": "name_taken"}
    )


async def set_up_channel(
    client: AsyncWebClient, deps: Deps, *, incident: Incident, channel_id: str
) -> str:
    """Invite the declarer and post the summary; returns the summary's ts (pin it next)."""
    await client.conversations_invite(channel=channel_id, users=incident.declared_by)
    summary = summarize(incident, {}, [])
    posted = await client.chat_postMessage(
        channel=channel_id,
        text=blocks.summary_fallback(incident),
        blocks=blocks.summary_blocks(deps.translator, summary, deps.policy.capture_emoji),
    )
    return posted["ts"]


async def pin(client: AsyncWebClient, channel_id: str, ts: str) -> None:
    """Pin the summary; without the pin the incident still works, so only log a failure."""
    try:
        await client.pins_add(channel=channel_id, timestamp=ts)
    except SlackApiError as exc:
        log.warning("could not pin the summary in %s: %s", channel_id, slack_error(exc))


async def refresh_summary(client: AsyncWebClient, deps: Deps, view: Overview) -> None:
    """Keep the pinned summary current; a failure here must not undo what happened."""
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


async def publish_postmortem(
    client: AsyncWebClient, deps: Deps, incident: Incident, pm: Postmortem
) -> None:
    """Approved: share it company-wide with thanks to its people, then record it published."""
    channel = deps.policy.publish_channel or incident.channel_id or incident.declared_in
    _, items = await list_actions(
        uow=deps.storage.uow(),
        channel_id=incident.channel_id or "",
        policy=deps.policy,
        now=deps.clock(),
    )
    live = [i for i in items if i.item.state != "dropped"]
    t = deps.translator
    text, body = review_blocks.publication(t, incident, pm, len(live))
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=body)
    await mark_published(
        uow=deps.storage.uow(), postmortem_id=pm.id, ts=posted["ts"], now=deps.clock()
    )
    if incident.channel_id and channel != incident.channel_id:
        await client.chat_postMessage(
            channel=incident.channel_id,
            text=t.gettext(
                "The postmortem is approved and published in <#%(channel)s>. "
                "Thank you <@%(author)s> and %(reviewers)s!",
                channel=channel,
                author=pm.author,
                reviewers=review_blocks.people(t, pm.reviewers),
            ),
        )
