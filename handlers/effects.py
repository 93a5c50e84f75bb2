"""What each outbox effect does in Slack. Every function may run again after an unknown outcome
(a crash, a hang-up, a timeout), so each looks before it acts:

- a message carries its effect's id in Slack message metadata; a retry first looks for it in the
  channel's recent history and does not post it twice;
- the channel is looked up (stored id, else by its deterministic name) before one is created;
- what was done is recorded step by step (channel, summary, document), so a retry resumes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.deps import Deps
from bot.domain.naming import channel_name, with_suffix
from bot.domain.outbox import HOPELESS, METADATA_EVENT, Effect
from bot.services import effects as svc
from bot.services import incidents
from bot.services.lifecycle import overview, summarize
from handlers import blocks, review_blocks
from handlers.closing import invite_to_retro, publish_draft
from handlers.errors import user_message
from handlers.publishing import MAX_NAME_ATTEMPTS, refresh_summary
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
HISTORY_LOOKBACK = 100  # messages: an effect's own post is among the channel's latest
MAX_LIST_PAGES = 20


@dataclass
class Slack:
    """What an effect needs: the services, a Web API client, the bot's own user id."""

    deps: Deps
    client: AsyncWebClient
    bot_user: str | None = None

    async def me(self) -> str:
        if self.bot_user is None:
            self.bot_user = (await self.client.auth_test())["user_id"]
        return str(self.bot_user)


# ---- posting once -----------------------------------------------------------------------------


async def post_once(
    slack: Slack, effect: Effect, channel: str, step: str, **message: Any
) -> tuple[str, str]:
    """Post a message tagged with the effect (and step); on a retry, first look whether an
    earlier try already posted it. Returns (channel, ts). A user id is posted to by DM."""
    client = slack.client
    if channel.startswith(("U", "W")):
        channel = (await client.conversations_open(users=channel))["channel"]["id"]
    tag = {"effect_id": effect.id, "step": step}
    if effect.retried and (ts := await _posted_before(client, channel, tag)):
        log.info("effect %s (%s) was posted before: %s", effect.id, step, ts)
        return channel, ts
    posted = await client.chat_postMessage(
        channel=channel, metadata={"event_type": METADATA_EVENT, "event_payload": tag}, **message
    )
    return str(posted["channel"]), str(posted["ts"])


async def _posted_before(client: AsyncWebClient, channel: str, tag: dict) -> str | None:
    history = await client.conversations_history(
        channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
    )
    for message in history.get("messages", []):
        meta = message.get("metadata") or {}
        if meta.get("event_type") == METADATA_EVENT and meta.get("event_payload") == tag:
            return str(message["ts"])
    return None


async def tell(slack: Slack, response_url: str | None, user: str, where: str, text: str) -> None:
    """Tell one person privately: by the command's response URL while it lasts, else an
    ephemeral message where they declared."""
    try:
        if response_url:
            sent = await AsyncWebhookClient(response_url).send(
                text=text, response_type="ephemeral", replace_original=False
            )
            if sent.status_code == 200:
                return
        await slack.client.chat_postEphemeral(channel=where, user=user, text=text)
    except Exception as exc:  # telling is a courtesy: the effect itself is done
        log.warning("could not tell %s: %s", user, exc.__class__.__name__)


# ---- start ------------------------------------------------------------------------------------


async def channel_setup(slack: Slack, effect: Effect) -> None:
    """Create (or find again) the channel → invite the declarer and post the summary side by
    side → pin it and tell the declarer side by side: three round trips."""
    deps = slack.deps
    incident = await svc.incident(uow=deps.storage.uow(), incident_id=effect.subject_id)
    if incident is None:  # withdrawn meanwhile
        return
    if incident.channel_id is None:
        channel, name = await _create_or_find(slack, effect, incident)
        await incidents.attach_channel(
            uow=deps.storage.uow(), incident_id=incident.id, channel_id=channel, channel_name=name
        )
        incident = replace(incident, channel_id=channel, channel_name=name)
    channel = incident.channel_id
    assert channel is not None
    deps.channels.remember(channel, incident)
    ts = incident.summary_ts
    if ts is None:
        summary = summarize(incident, {}, [])
        _, (_, ts) = await asyncio.gather(
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


async def _create_or_find(slack: Slack, effect: Effect, incident) -> tuple[str, str]:
    """Create the incident's channel; on `name_taken`, after an unknown outcome, adopt the one
    an earlier try made (ours, unclaimed); otherwise try `-2`, `-3`, …"""
    base = channel_name(slack.deps.policy.channel_prefix, incident.number, incident.title)
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = base if attempt == 1 else with_suffix(base, attempt)
        try:
            response = await slack.client.conversations_create(name=name, is_private=False)
        except SlackApiError as exc:
            if slack_error(exc) != "name_taken":
                raise
            if effect.retried and (ours := await _our_unclaimed(slack, name)):
                return ours, name
            continue
        return response["channel"]["id"], response["channel"]["name"]
    raise SlackApiError(
        f"no free channel name after {MAX_NAME_ATTEMPTS} tries", {"error": "name_taken"}
    )


async def _our_unclaimed(slack: Slack, name: str) -> str | None:
    """The channel called `name`, if this bot created it and no incident has it yet."""
    me, cursor = await slack.me(), None
    for _ in range(MAX_LIST_PAGES):
        page = await slack.client.conversations_list(
            types="public_channel", exclude_archived=True, limit=1000, cursor=cursor
        )
        for channel in page.get("channels", []):
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


# ---- close ------------------------------------------------------------------------------------


async def close_outcome(slack: Slack, effect: Effect) -> None:
    """Which triggers fired (or that none did), in the incident channel."""
    deps, t = slack.deps, slack.deps.translator
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    if incident is None or incident.channel_id is None:
        return
    triggers = list(pm.triggers) if pm else []
    await post_once(
        slack,
        effect,
        incident.channel_id,
        "outcome",
        text=blocks.outcome_fallback(t, incident, triggers),
        blocks=blocks.outcome_blocks(t, incident, triggers, pm),
    )


async def summary_refresh(slack: Slack, effect: Effect) -> None:
    """The pinned summary, brought up to date (an update: doing it twice is harmless)."""
    view = await overview(uow=slack.deps.storage.uow(), incident_id=effect.subject_id)
    await refresh_summary(slack.client, slack.deps, view, strict=True)


async def draft_share(slack: Slack, effect: Effect) -> None:
    """Render the draft and share it (a canvas, else a file); resumes after the document."""
    deps = slack.deps
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    if incident is None or pm is None or incident.channel_id is None:
        return

    async def announce(**message: Any) -> None:
        await post_once(slack, effect, str(incident.channel_id), "draft", **message)

    await publish_draft(slack.client, deps, incident, pm, announce=announce)


async def retro_invite(slack: Slack, effect: Effect) -> None:
    """The retro invitation with its .ics (a file: after an unknown outcome it may come twice)."""
    deps = slack.deps
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    if incident is not None and pm is not None:
        await invite_to_retro(slack.client, deps, incident, pm)


# ---- review -----------------------------------------------------------------------------------


async def review_request(slack: Slack, effect: Effect) -> None:
    """One reviewer's DM with Approve and Request changes, while it still asks for them."""
    deps = slack.deps
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    reviewer = str(effect.payload.get("reviewer", ""))
    if (
        incident is None
        or pm is None
        or pm.status != "in_review"
        or pm.review_round != effect.payload.get("round")
        or reviewer not in pm.reviewers
    ):
        return  # its reason has gone
    text, body = review_blocks.review_request(deps.translator, incident, pm)
    await post_once(slack, effect, reviewer, "review", text=text, blocks=body)


async def publication(slack: Slack, effect: Effect) -> None:
    """Post it company-wide, record it published (once), thank its people."""
    deps, t = slack.deps, slack.deps.translator
    found = await svc.publishable(uow=deps.storage.uow(), incident_id=effect.subject_id)
    if found is None:
        return
    incident, pm, items = found
    channel = deps.policy.publish_channel or incident.channel_id or incident.declared_in
    if pm.status == "approved":
        text, body = review_blocks.publication(t, incident, pm, items)
        _, ts = await post_once(slack, effect, channel, "publish", text=text, blocks=body)
        await svc.record_published(
            uow=deps.storage.uow(), postmortem_id=pm.id, ts=ts, now=deps.clock()
        )
    if incident.channel_id and channel != incident.channel_id:
        thanks = t.gettext(
            "The postmortem is approved and published in <#%(channel)s>. "
            "Thank you <@%(author)s> and %(reviewers)s!",
            channel=channel,
            author=pm.author,
            reviewers=review_blocks.people(t, pm.reviewers),
        )
        await post_once(slack, effect, incident.channel_id, "thanks", text=thanks)


DELIVER = {
    "channel_setup": channel_setup,
    "close_outcome": close_outcome,
    "summary_refresh": summary_refresh,
    "draft_share": draft_share,
    "retro_invite": retro_invite,
    "review_request": review_request,
    "publication": publication,
}


def target_channel(deps: Deps, effect: Effect, incident) -> str | None:
    """Where the effect posts (to tell a person where to invite the bot)."""
    if effect.kind == "publication":
        return deps.policy.publish_channel or incident.channel_id
    return incident.channel_id
