"""The `start` effect: the incident's channel, set up in three round trips, resumable.

Create (or find again) the channel → invite the declarer and post the summary side by side →
pin it and tell the declarer side by side. What is done is recorded step by step (channel id,
summary ts), so a retry after a crash or a refusal resumes where it stopped, and never creates a
second channel: after an unknown outcome, a `name_taken` is checked against the channel of that
name the bot created and no incident has. A private incident's channel is private, on every try:
the flag is read from the stored incident, never from the first try's request.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.model import Incident
from bot.domain.naming import channel_name, with_suffix
from bot.domain.outbox import HOPELESS, Effect
from bot.services import effects as svc
from bot.services import incidents
from bot.services.lifecycle import summarize
from handlers import blocks
from handlers.effect_posting import Slack, post_once, tell
from handlers.errors import user_message
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
MAX_LIST_PAGES = 20
# Slack's names for a channel name it won't take: then the Latin-only one is used.
INVALID_NAME = {"invalid_name_specials", "invalid_name", "invalid_name_punctuation"}
MAX_NAME_ATTEMPTS = 10  # inc-7-title, inc-7-title-2 … when a name is taken by someone else


async def channel_setup(slack: Slack, effect: Effect) -> None:
    """Create (or find again) the channel → invite the declarer and post the summary side by
    side → pin it and tell the declarer side by side: three round trips."""
    deps = slack.deps
    incident = await svc.incident(uow=deps.storage.uow(), incident_id=effect.subject_id)
    if incident is None:  # withdrawn meanwhile
        return
    if incident.channel_id is None:
        # The declarer's zone (the documents' zone) is read beside the channel's creation: no
        # round trip of its own, and none before the ack.
        (channel, name), zone = await asyncio.gather(
            _create_or_find(slack, effect, incident),
            deps.people.timezone(incident.declared_by, None),
        )
        await incidents.attach_channel(
            uow=deps.storage.uow(),
            incident_id=incident.id,
            channel_id=channel,
            channel_name=name,
            tz=incident.tz or (zone.key if zone else None),
        )
        incident = replace(incident, channel_id=channel, channel_name=name)
    channel = incident.channel
    deps.channels.remember(channel, incident)
    ts = incident.summary_ts
    if ts is None:
        summary = summarize(incident, {}, [])
        _, (_, posted) = await asyncio.gather(
            _invite(slack, effect, channel, incident.declared_by),
            post_once(
                slack,
                effect,
                channel,
                "summary",
                text=blocks.summary_fallback(incident),
                blocks=blocks.summary_blocks(deps.translator, summary, deps.policy.capture_emoji),
            ),
        )
        ts = posted
        await incidents.record_summary_message(
            uow=deps.storage.uow(), incident_id=incident.id, ts=ts
        )
    await asyncio.gather(
        _pin(slack.client, channel, ts),
        tell(
            slack,
            effect.payload.get("response_url"),
            incident.declared_by,
            incident.declared_in,
            blocks.declared_text(deps.translator, incident, channel),
        ),
    )


async def _create_or_find(slack: Slack, effect: Effect, incident: Incident) -> tuple[str, str]:
    """Create the incident's channel, named in the title's words (Japanese included), or where
    Slack refuses those, its Latin words only; see `_create_named` for a name that is taken."""
    prefix = slack.deps.policy.channel_prefix
    try:
        return await _create_named(
            slack, effect, incident, channel_name(prefix, incident.number, incident.title)
        )
    except SlackApiError as exc:
        if slack_error(exc) not in INVALID_NAME:
            raise
    latin = channel_name(prefix, incident.number, incident.title, latin_only=True)
    return await _create_named(slack, effect, incident, latin)


async def _create_named(
    slack: Slack, effect: Effect, incident: Incident, base: str
) -> tuple[str, str]:
    """On `name_taken`, after an unknown outcome, adopt the one an earlier try made (ours,
    unclaimed, as private as the incident); otherwise try `-2`, `-3`, …"""
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = base if attempt == 1 else with_suffix(base, attempt)
        try:
            response = await slack.client.conversations_create(
                name=name, is_private=incident.private
            )
        except SlackApiError as exc:
            if slack_error(exc) != "name_taken":
                raise
            if effect.retried and (ours := await _our_unclaimed(slack, name, incident.private)):
                return ours, name
            continue
        return response["channel"]["id"], response["channel"]["name"]
    raise SlackApiError(
        f"no free channel name after {MAX_NAME_ATTEMPTS} tries", {"error": "name_taken"}
    )


async def _our_unclaimed(slack: Slack, name: str, private: bool) -> str | None:
    """The channel called `name`, if this bot created it and no incident has it yet. A private
    incident looks only among private channels (the bot is in those it made): a public channel
    of that name is never adopted for it."""
    me, cursor = await slack.me(), None
    types = "private_channel" if private else "public_channel"
    for _ in range(MAX_LIST_PAGES):
        page = await slack.client.conversations_list(
            types=types, exclude_archived=True, limit=1000, cursor=cursor
        )
        channels: list[dict[str, Any]] = page.get("channels") or []
        for channel in channels:
            if channel.get("name") == name and channel.get("creator") == me:
                taken = await svc.incident_of_channel(
                    uow=slack.deps.storage.uow(), channel_id=channel["id"]
                )
                return None if taken else str(channel["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


async def _invite(slack: Slack, effect: Effect, channel: str, user: str) -> None:
    try:
        await slack.client.conversations_invite(channel=channel, users=user)
    except SlackApiError as exc:
        error = slack_error(exc)
        if error in ("already_in_channel", "cant_invite_self"):
            return
        if error not in HOPELESS:
            raise
        # The channel works without them; say why they are not in it.
        await tell(
            slack,
            effect.payload.get("response_url"),
            user,
            channel,
            user_message(exc, slack.deps.translator),
        )


async def _pin(client: AsyncWebClient, channel: str, ts: str) -> None:
    try:
        await client.pins_add(channel=channel, timestamp=ts)
    except SlackApiError as exc:
        if slack_error(exc) != "already_pinned":
            log.warning("could not pin the summary in %s: %s", channel, slack_error(exc))
