"""A first look at a request body: is it something Slack sends at all? Anything else is refused
with 400 before Bolt (whose parsers assume Slack's shapes) sees it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

_COMMAND_FIELDS = ("command", "user_id", "channel_id")


def plausible(body: bytes, content_type: str) -> bool:
    """True for the shapes Slack sends: an Events API JSON object, a slash command, or an
    interactive payload (a form field holding a JSON object with a type)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if content_type.startswith("application/json"):
        return _event(_json_object(text))
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        payload = _json_object(form["payload"][0])
        return payload is not None and isinstance(payload.get("type"), str)
    if "ssl_check" in form:
        return True
    return all(form.get(name, [""])[0] for name in _COMMAND_FIELDS)


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
