"""The door every request passes before any listener runs, in HTTP and Socket Mode alike:

1. **One workspace**: a request naming another team or enterprise than the installed one is
   refused (bot/domain/workspace.py) before anything is read or written. A command hears why;
   a modal shows why; anything else (a click, an event) is dropped and logged. Nothing is sent
   to Slack on its behalf.
2. **Storable text**: a NUL or a lone surrogate (bot/domain/text.py) in anything a person sent —
   a command's text, a modal's fields, a button's value — is refused, naming the character, the
   way every error is said (handlers/errors.py: beside the modal's field, or ephemerally). What
   a channel sent (events, the message a shortcut or button is about) is scrubbed instead.

So no listener, whatever surface it serves, needs a check of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import FurikaeriError, NotAllowed
from bot.domain.messages import N_
from bot.domain.text import BadText, check, scrub_all
from bot.domain.workspace import Installation, is_home
from handlers.close_form import FieldError
from handlers.errors import tell

log = logging.getLogger(__name__)
AUTH_TEST_TIMEOUT = 2.0  # seconds: a request waiting for it still answers inside Slack's 3
CHANNEL_CONTENT = frozenset({"message"})  # in a payload: the message it is about, as posted
STATE_VALUES = ("view", "state", "values")  # where a modal's fields are, by block id
ANSWERED_IN_PLACE = ("view_submission",)  # refusals said in the HTTP answer, not by a call


class InstalledWorkspace:
    """The installation, from SLACK_TEAM_ID or else `auth.test`: asked at start and, while Slack
    hasn't answered, again at each request (one call at a time). Until it is known, requests
    are refused: serving a workspace we can't name would be serving any workspace."""

    def __init__(self, configured: Installation | None) -> None:
        self.known = configured
        self._asking = asyncio.Lock()

    async def learn(self, client: AsyncWebClient) -> Installation | None:
        if self.known is not None:
            return self.known
        async with self._asking:
            if self.known is None:
                self.known = await _ask_slack(client)
        return self.known


async def _ask_slack(client: AsyncWebClient) -> Installation | None:
    try:
        async with asyncio.timeout(AUTH_TEST_TIMEOUT):
            answer = await client.auth_test()
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("auth.test failed (%s); requests are refused until it answers", exc)
        return None
    installed = Installation.from_auth_test(answer.data if isinstance(answer.data, dict) else {})
    if installed.team_id is None and not installed.org_wide:
        log.warning("auth.test named no team; requests are refused until it does")
        return None
    log.info("installed in %s", installed)
    return installed


def register(app: AsyncApp, workspace: InstalledWorkspace) -> None:
    """The door, after the composition root has put `deps` in the context."""
    app.middleware(Door(workspace))


class Door(AsyncMiddleware):
    """Both checks, in this order. A middleware object rather than a function: Bolt then
    needn't build keyword arguments for it, which every note in a burst would pay for."""

    def __init__(self, workspace: InstalledWorkspace) -> None:
        self._workspace = workspace

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # noqa: A002 (Bolt's name)
    ) -> BoltResponse | None:
        body, context = req.body, req.context
        refused = await self._foreign(body, context)
        if refused is None:
            refused = await _unstorable(body, context)
        if refused is not None:
            return refused
        return await next()

    async def _foreign(self, body: dict, context: AsyncBoltContext) -> BoltResponse | None:
        """A refusal when the request is not from the installed workspace (or that is unknown)."""
        installed = await self._workspace.learn(context.client)
        if installed is not None and is_home(body, installed):
            return None
        if installed is None:
            refusal = FurikaeriError(
                N_(
                    "I can't tell yet which Slack workspace I belong to (Slack didn't answer "
                    "me); please try again in a moment."
                )
            )
        else:
            refusal = NotAllowed(
                N_(
                    "I'm installed in another Slack workspace, so I can't act on requests "
                    "from this one."
                )
            )
        log.warning("refused a %s request: %s", _kind(body), refusal)
        if body.get("command") or body.get("type") in ANSWERED_IN_PLACE:
            return await _refuse(refusal, body, context)
        return BoltResponse(status=200, body="")  # a click or an event: dropped, logged


async def _unstorable(body: dict, context: AsyncBoltContext) -> BoltResponse | None:
    """A refusal when a person sent text that can't be stored; a channel's text is scrubbed."""
    if body.get("type") == "event_callback":  # a channel's words: nobody to answer
        scrub_all(body)
        return None
    scrub_all(body.get("message"))
    try:
        check(body, skip=CHANNEL_CONTENT)
    except BadText as refusal:
        return await _refuse(_beside_field(refusal), body, context)
    return None


def _beside_field(refusal: BadText) -> Exception:
    """In a modal, the refusal is shown beside the field holding the character."""
    path = refusal.path
    if path[: len(STATE_VALUES)] == STATE_VALUES and len(path) > len(STATE_VALUES):
        return FieldError(str(path[len(STATE_VALUES)]), refusal.message)
    return refusal


async def _refuse(refusal: Exception, body: dict, context: AsyncBoltContext) -> BoltResponse:
    await tell(refusal, body, context)
    return context.ack.response or BoltResponse(status=200, body="")


def _kind(body: dict) -> str:
    return "command" if body.get("command") else str(body.get("type", "unknown"))
