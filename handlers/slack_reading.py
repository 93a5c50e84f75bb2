"""Reading messages back from Slack, for capturing them into the timeline."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import FurikaeriError
from bot.domain.messages import N_
from bot.domain.mrkdwn import unescape_slack
from bot.domain.text import scrub
from bot.services.capture import Message
from handlers.slack_errors import slack_error

# A channel the bot can't read the members of: not in it (a private one), or gone.
UNSEEN = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


async def fetch_message(client: AsyncWebClient, channel: str, ts: str) -> Message:
    """A message by its ts, thread replies included, with its permalink."""
    history = await client.conversations_history(
        channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
    )
    found = [m for m in history.get("messages") or [] if m.get("ts") == ts]
    if not found:  # not top-level: a reply in a thread
        thread = await client.conversations_replies(channel=channel, ts=ts)
        found = [m for m in thread.get("messages") or [] if m.get("ts") == ts]
    if not found:
        raise FurikaeriError(N_("I couldn't find that message any more."))
    message = found[0]
    permalink = (await client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"]
    return Message(
        ts=ts,
        author=message.get("user") or message.get("bot_id") or "unknown",
        text=scrub(unescape_slack(message.get("text", ""))),  # the channel's words, storable
        permalink=permalink,
    )


async def channel_member(client: AsyncWebClient, channel: str, user: str) -> bool:
    """Is `user` in `channel`? Slack's member list, page by page: the fact the authority table
    needs for surfaces that can be used from outside the channel (shortcuts, buttons)."""
    cursor = None
    while True:
        page = await client.conversations_members(channel=channel, limit=1000, cursor=cursor)
        if user in page.get("members", []):
            return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return False


async def member_or_not(client: AsyncWebClient, channel: str, user: str) -> bool:
    """`channel_member`, where a channel the bot can't see (not in it, gone) has nobody."""
    try:
        return await channel_member(client, channel, user)
    except SlackApiError as exc:
        if slack_error(exc) in UNSEEN:
            return False
        raise


def parse_round(value: object) -> tuple[int, int]:
    """A postmortem id and its review round (``12:3``), as a review button or form carries
    them: untrusted, so a clear refusal when they aren't."""
    head, _, tail = str(value).partition(":")
    return parse_id(head), parse_id(tail)


def parse_id(value: object) -> int:
    """A row id carried by a button or a form: untrusted, so a clear refusal when it isn't one."""
    try:
        return int(str(value))
    except ValueError:
        raise FurikaeriError(N_("That button or form is not one of mine.")) from None
