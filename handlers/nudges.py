"""Delivering nudges: the scheduler's tick claims what is due and sends it to Slack.

Slack's failures never crash the scheduler or hold up other nudges: rate limits wait for
Retry-After, server errors back off, and a recipient who is gone is recorded as failed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.mrkdwn import escape
from bot.services import reminders
from bot.services.reminders import Due
from handlers import review_blocks
from handlers.deps import Deps
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
# Errors that will not go away by trying again.
PERMANENT = {
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "missing_scope",
    "users_not_found",
}
MAX_BACKOFF = timedelta(hours=1)


def quoted(text: str) -> str:
    """Someone's words, escaped, as a Slack block quote."""
    return "\n".join(f"> {escape(line)}" for line in text.splitlines())


async def send_dm_or_post(
    client: AsyncWebClient, recipient: str, text: str, blocks: list | None = None
) -> str:
    """A user id gets a DM (conversations.open + chat.postMessage); a channel id a post."""
    channel = recipient
    if recipient.startswith(("U", "W")):
        channel = (await client.conversations_open(users=recipient))["channel"]["id"]
    posted = await client.chat_postMessage(channel=channel, text=text, blocks=blocks or None)
    return str(posted["ts"])


class NudgeRunner:
    """One tick: look up time zones, claim due nudges, send them side by side."""

    def __init__(self, deps: Deps, client: AsyncWebClient) -> None:
        self._deps = deps
        self._client = client
        # Back off in steps of the polling interval: seconds in tests, 30 s by default.
        self._base = deps.policy.reminders.poll_interval
        self._ticking: asyncio.Task | None = None

    async def tick(self) -> int:
        self._ticking = asyncio.current_task()
        try:
            return await self._tick()
        finally:
            self._ticking = None

    async def idle(self, within: float = 10.0) -> None:
        """Let a tick in progress finish (bounded), so shutting down never cuts one in half."""
        task = self._ticking
        if task is not None and task is not asyncio.current_task():
            await asyncio.wait({task}, timeout=within)

    async def _tick(self) -> int:
        deps, now = self._deps, self._deps.clock()
        try:
            users = await reminders.due_recipients(uow=deps.storage.uow(), now=now)
            zones = {
                u: await deps.people.timezone(u, deps.policy.tz)
                for u in users
                if u.startswith(("U", "W"))
            }
            claimed = await reminders.claim_due(
                uow=deps.storage.uow(), now=now, zones=zones, policy=deps.policy
            )
        except Exception:  # the database may be briefly away: try again next tick
            log.exception("reminder tick failed; will retry")
            return 0
        await asyncio.gather(*(self._deliver(due) for due in claimed))
        return len(claimed)

    async def _deliver(self, due: Due) -> None:
        reminder = due.reminder
        try:
            text, blocks = review_blocks.nudge(self._deps.translator, due)
            await send_dm_or_post(self._client, reminder.recipient, text, blocks)
        except SlackApiError as exc:
            retry_in = _retry_in(exc, reminder.attempts, self._base)
            await self._failed(due, slack_error(exc), retry_in)
        except (aiohttp.ClientError, TimeoutError) as exc:
            retry_in = _backoff(reminder.attempts, self._base)
            await self._failed(due, f"network: {exc.__class__.__name__}", retry_in)
        except Exception as exc:  # a bug must not stop the other nudges
            log.exception("sending reminder %s failed", reminder.id)
            await self._failed(due, f"bug: {exc.__class__.__name__}", None)

    async def _failed(self, due: Due, error: str, retry_in: timedelta | None) -> None:
        deps = self._deps
        state = await reminders.settle_failure(
            uow=deps.storage.uow(),
            reminder_id=due.reminder.id,
            error=error,
            retry_in=retry_in,
            policy=deps.policy,
            now=deps.clock(),
        )
        log.warning(
            "reminder %s to %s: %s (%s)", due.reminder.id, due.reminder.recipient, error, state
        )


def _retry_in(exc: SlackApiError, attempts: int, base: timedelta) -> timedelta | None:
    if slack_error(exc) in PERMANENT:
        return None
    retry_after = (
        exc.response.headers.get("Retry-After") if exc.response.status_code == 429 else None
    )
    if retry_after:
        return timedelta(seconds=int(retry_after))
    return _backoff(attempts, base)


def _backoff(attempts: int, base: timedelta) -> timedelta:
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
