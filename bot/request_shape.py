"""A request body read the way Slack means it, or refused: anything that isn't a shape Slack
sends is answered with 400 before Bolt (whose parsers assume Slack's shapes) sees it.

We parse it ourselves, once, and hand Bolt the result, because Bolt's own parser takes any form
body containing the word "payload" for an interactive payload: `/incident note payload too big`
would reach no listener at all."""

from __future__ import annotations

import json
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

_COMMAND_FIELDS = ("command", "user_id", "channel_id")


class Body(NamedTuple):
    text: str  # the body as sent, decoded
    fields: dict[str, Any]  # what it says, as Bolt reads a request


def parse(body: bytes, content_type: str) -> Body | None:
    """The body when it is an Events API JSON object, a slash command, an interactive payload
    (a form field holding a JSON object with a type) or an SSL check; else None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields = _fields(text, content_type)
    return None if fields is None else Body(text, fields)


def _fields(text: str, content_type: str) -> dict[str, Any] | None:
    if content_type.startswith("application/json"):
        envelope = _json_object(text)
        return envelope if _event(envelope) else None
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        payload = _json_object(form["payload"])
        return payload if payload is not None and isinstance(payload.get("type"), str) else None
    if "ssl_check" in form or all(form.get(name) for name in _COMMAND_FIELDS):
        return form
    return None


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _event(envelope: dict | None) -> bool:
    if envelope is None or not isinstance(envelope.get("type"), str):
        return False
    if envelope["type"] == "event_callback":
        event = envelope.get("event")
        return isinstance(event, dict) and isinstance(event.get("type"), str)
    return True
