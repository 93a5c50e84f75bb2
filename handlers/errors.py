"""The one place where errors become what the user sees: a polite, ephemeral message.

Every listener is wrapped by `reported`: an error raised before `ack()` becomes the
acknowledgement itself (an ephemeral reply, or errors shown beside a modal's fields); one raised
after `ack()` is sent with `respond` (or as an ephemeral message). Unexpected errors are logged
with a reference the user can quote; their details never reach Slack. Messages are said in the
workspace's language; a domain error carries its message id and parameters for that.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.domain.errors import FurikaeriError
from bot.domain.messages import N_, Message, Moment
from bot.i18n import Translator
from bot.render import format_dt
from bot.services.ports import Conflict, Rejected, Unavailable
from handlers import observe
from handlers.people import ACK_PATH_TIMEOUT
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
Listener = Callable[..., Awaitable[None]]
# Slack's own error codes, said the way a person would understand them.
SLACK_ERRORS = {
    "channel_not_found": N_("the channel no longer exists or I can't see it"),
    "not_in_channel": N_("I'm not a member of that channel — invite me with `/invite @furikaeri`"),
    "is_archived": N_("the channel is archived"),
    "user_not_found": N_("that person is not in this workspace any more"),
    "ratelimited": N_("Slack is rate-limiting me; please try again in a minute"),
    "restricted_action": N_("this workspace doesn't allow me to do that"),
    "expired_trigger_id": N_("that took too long; please run the command again"),
}
ACK_DEADLINE = 2.9  # seconds: Slack gives up on an answer after 3
DEFAULT_FIELD = "closed_at"  # the modal field an error without a field is shown beside


def register(app: AsyncApp) -> None:
    app.error(on_unhandled_error)


def user_message(
    error: Exception, t: Translator, *, mrkdwn: bool = True, tz: tzinfo | None = None
) -> str:
    """What to tell the user about an error, in `t`'s language (escaped for mrkdwn; modal
    errors are plain text, with their times in `tz`, the reader's zone)."""
    if isinstance(error, FurikaeriError):
        if mrkdwn:
            return t.say_in_slack(error.message)
        return t.say(error.message, lambda m: format_dt(m.at, tz) if tz else str(m))
    if isinstance(error, Unavailable):
        log.warning("database unavailable: %s", error)
        return t.gettext(
            "Sorry, my database is busy or out of reach right now; nothing was saved. "
            "Please try again in a moment."
        )
    if isinstance(error, Rejected):  # the data was at fault: "try again" alone wouldn't help
        log.warning("the database refused a value: %s", error)
        return t.gettext(
            "Sorry, I couldn't store that: the database refused something in it (an unusual "
            "character, perhaps). Nothing was saved; please check the text and try again."
        )
    if isinstance(error, Conflict):
        return t.gettext(
            "Someone else did the same a moment ago. Please check where it stands and try again."
        )
    if isinstance(error, SlackApiError):
        code = slack_error(error)
        log.warning("Slack API error: %s", code)
        why = t.gettext(SLACK_ERRORS[code]) if code in SLACK_ERRORS else code
        return t.gettext("Sorry, Slack refused that: %(why)s.", why=why)
    if isinstance(error, aiohttp.ClientError | TimeoutError):
        log.warning("Slack did not answer: %s", error.__class__.__name__)
        return t.gettext(
            "Sorry, Slack didn't answer me just now (network trouble). Please try again."
        )
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error (ref %s)", ref, exc_info=error)
    return t.gettext(
        "Sorry, something went wrong on my side (ref `%(ref)s`). Please try again in a moment.",
        ref=ref,
    )


def reported(listener: Listener) -> Listener:
    """Wrap a listener (which must take `body` and `context`) so its errors reach the user, and
    Slack has its answer as soon as the listener acks while the rest of its work goes on (see
    handlers/background.py)."""

    async def guarded(kwargs: dict[str, Any], ack: _SignallingAck) -> None:
        failed: Exception | None = None
        try:
            await listener(**kwargs)
        except Exception as error:
            failed = error
            await tell(error, kwargs["body"], kwargs["context"])
        context = kwargs["context"]
        observe.request_done(
            kwargs["body"],
            ref=await _ref(context),
            error=failed,
            ack_seconds=ack.latency,
        )

    @functools.wraps(listener)  # Bolt reads the wrapped listener's argument names
    async def run(**kwargs: Any) -> None:
        context = kwargs["context"]
        ack = _SignallingAck(context.ack)
        context["ack"] = ack
        if "ack" in kwargs:
            kwargs["ack"] = ack
        work = context["deps"].background.spawn(guarded(kwargs, ack))
        if kwargs["body"].get("type") != "event_callback":  # Bolt acks an event by itself
            await ack.sent_or_done(work)

    return run


class _SignallingAck:
    """Bolt's `ack`, which also wakes the request waiting to give Slack its answer."""

    def __init__(self, ack: AsyncAck) -> None:
        self._ack = ack
        loop = asyncio.get_running_loop()
        self._answered: asyncio.Future[None] = loop.create_future()
        self._started = loop.time()  # for the ack latency
        self._acked: float | None = None
        self._loop = loop

    @property
    def latency(self) -> float | None:
        """Seconds from the listener's start to its first ack() (None: it never acked)."""
        return None if self._acked is None else self._acked - self._started

    @property
    def response(self) -> BoltResponse | None:
        return self._ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        if self._acked is None:
            self._acked = self._loop.time()
        try:
            return await self._ack(*args, **kwargs)
        finally:
            self._settle()

    async def sent_or_done(self, work: asyncio.Task[None]) -> None:
        """Until `ack()` was called or the work ended (or Slack stopped waiting)."""
        work.add_done_callback(self._settle)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(ACK_DEADLINE):
                await self._answered

    def _settle(self, *_: object) -> None:
        if not self._answered.done():
            self._answered.set_result(None)


async def tell(error: Exception, body: dict, context: AsyncBoltContext) -> None:
    deps = context["deps"]
    in_modal = body.get("type") == "view_submission" and context.ack.response is None
    # A modal's text can't hold a Slack date: its times are put in the reader's zone here.
    tz = None
    if in_modal and context.user_id and _has_moment(error):
        tz = await deps.people.timezone(context.user_id, deps.policy.tz, within=ACK_PATH_TIMEOUT)
    message = user_message(error, deps.translator, mrkdwn=not in_modal, tz=tz)
    channel = context.channel_id or _view_channel(body)
    try:
        if context.ack.response is None:
            await _ack_with(message, error, body, context)
        elif context.response_url and context.respond:
            await context.respond(text=message, response_type="ephemeral", replace_original=False)
        elif channel and context.user_id:
            await context.client.chat_postEphemeral(
                channel=channel, user=context.user_id, text=message
            )
    except SlackApiError as exc:  # telling failed too: the log is all that is left
        log.warning("could not tell the user about an error: %s", slack_error(exc))


async def _ref(context: AsyncBoltContext) -> str | None:
    """The incident of the channel the request came from, if it is an incident channel."""
    channel = context.channel_id
    if not channel or not channel.startswith(("C", "G")):
        return None
    try:
        known = await context["deps"].channels.incident(channel)
    except Exception:  # the database away: the request's line goes without its ref
        return None
    return None if known is None else known.ref


def _has_moment(error: Exception) -> bool:
    """Whether the error's message holds a time (only then is the reader's zone looked up)."""

    def holds(value: object) -> bool:
        if isinstance(value, Moment):
            return True
        return isinstance(value, Message) and any(holds(v) for v in value.params.values())

    return isinstance(error, FurikaeriError) and holds(error.message)


async def _ack_with(message: str, error: Exception, body: dict, context: AsyncBoltContext) -> None:
    if body.get("type") == "view_submission":
        field = getattr(error, "block_id", None) or _first_input(body)
        await context.ack(response_action="errors", errors={field: message})
    elif body.get("command"):
        await context.ack(text=message, response_type="ephemeral")
    else:
        await context.ack()
        if context.respond:
            await context.respond(text=message, response_type="ephemeral", replace_original=False)


def _first_input(body: dict) -> str:
    """The modal field an error without a field of its own is shown beside."""
    blocks = body.get("view", {}).get("blocks", [])
    return next((b["block_id"] for b in blocks if b.get("type") == "input"), DEFAULT_FIELD)


def _view_channel(body: dict) -> str | None:
    """A modal has no channel of its own; ours carry it in their private metadata."""
    try:
        meta = json.loads(body.get("view", {}).get("private_metadata") or "{}")
    except ValueError:
        return None
    return meta.get("channel") or meta.get("channel_id") if isinstance(meta, dict) else None


async def on_unhandled_error(error: Exception, response: BoltResponse | None) -> None:
    """Errors outside listeners (middleware, Bolt itself): log them; Slack sees a failure."""
    log.error("unhandled error: %s", error.__class__.__name__, exc_info=error)
