"""The one place where errors become what the user sees: a polite, ephemeral message."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.domain.errors import FurikaeriError

log = logging.getLogger(__name__)
# Slack's own error codes, said the way a person would understand them.
SLACK_ERRORS = {
    "channel_not_found": "the channel no longer exists or I can't see it",
    "not_in_channel": "I'm not a member of that channel — invite me with `/invite @furikaeri`",
    "is_archived": "the channel is archived",
    "user_not_found": "that person is not in this workspace any more",
    "ratelimited": "Slack is rate-limiting me; please try again in a minute",
    "restricted_action": "this workspace doesn't allow me to do that",
    "expired_trigger_id": "that took too long; please run the command again",
}


def register(app: AsyncApp) -> None:
    app.error(on_error)


def user_message(error: Exception) -> str:
    """What to tell the user; unexpected errors are logged with a reference they can quote."""
    if isinstance(error, FurikaeriError):
        return str(error)
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", "unknown"))
        log.warning("Slack API error: %s", code)
        return f"Sorry, Slack refused that: {SLACK_ERRORS.get(code, code)}."
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error (ref %s)", ref, exc_info=error)
    return f"Sorry, something went wrong on my side (ref `{ref}`). Please try again in a moment."


async def on_error(
    error: Exception,
    body: dict,
    respond: Any,
    response: BoltResponse | None,
    client: Any,
    context: dict,
) -> BoltResponse | None:
    message = user_message(error)
    if response is not None:  # not yet acknowledged: the error is the acknowledgement
        return BoltResponse(status=200, body=_ack_body(error, body, message), headers=_JSON)
    if context.get("response_url"):
        await respond(text=message, response_type="ephemeral", replace_original=False)
    elif context.get("channel_id") and context.get("user_id"):
        await client.chat_postEphemeral(
            channel=context["channel_id"], user=context["user_id"], text=message
        )
    return None


_JSON = {"content-type": ["application/json;charset=utf-8"]}


def _ack_body(error: Exception, body: dict, message: str) -> str:
    if body.get("type") == "view_submission":
        block_id = getattr(error, "block_id", None) or "closed_at"
        return json.dumps({"response_action": "errors", "errors": {block_id: message}})
    return json.dumps({"response_type": "ephemeral", "text": message})
