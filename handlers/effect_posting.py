"""Posting from an outbox effect so that a retry does not post twice: each message carries its
effect's id (and step) in Slack message metadata, and a retry first looks for it in the
channel's recent history (`include_all_metadata`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.domain.outbox import METADATA_EVENT, Effect
from handlers.deps import Deps
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
HISTORY_LOOKBACK = 100  # messages: an effect's own post is among the channel's latest


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


# Why a history read may fail where the post itself can succeed.
UNREADABLE = frozenset({"not_in_channel", "missing_scope", "channel_not_found"})


async def _posted_before(client: AsyncWebClient, channel: str, tag: dict) -> str | None:
    try:
        history = await client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
    except SlackApiError as exc:
        if slack_error(exc) not in UNREADABLE:
            raise
        # A channel we post to without being in it (chat:write.public), or a scope not
        # granted: we can't look, so we post; this one may then come twice (README, outbox).
        log.info("can't read %s before a retry (%s): posting", channel, slack_error(exc))
        return None
    messages: list[dict[str, Any]] = history.get("messages") or []
    for message in messages:
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
