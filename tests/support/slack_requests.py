"""Build and send requests to the bot exactly as Slack does (signed, same encodings and shapes).

Default response URLs point at 127.0.0.1:9 (nothing listens there); pass ``response_url=`` or
give ``SlackClient`` a ``response_url`` factory such as ``FakeSlack.response_url`` so that
``respond()`` calls are recorded by the fake.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

FORM = "application/x-www-form-urlencoded"
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/unset"
VERIFICATION_TOKEN = "legacy-verification-token"


_triggers = itertools.count(1)


def _trigger_id() -> str:
    """Slack gives every command its own trigger_id, so no two command bodies are alike."""
    return f"tr.{next(_triggers)}.{int(time.time())}"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature: HMAC-SHA256 over b"v0:{timestamp}:{body}"."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": "example"}


def slash_command_body(
    text: str,
    *,
    user_id: str = "U1",
    channel_id: str = "C1",
    command: str = "/incident",
    team_id: str = "T1",
    trigger_id: str | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    user_name: str | None = None,
    channel_name: str = "general",
    api_app_id: str = "A1",
) -> bytes:
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": "example",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or _trigger_id(),
        }
    ).encode()


def interactive_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()


_STATE_KEYS = {  # element type -> key of its value in view.state.values / block_actions
    "plain_text_input": "value",
    "email_text_input": "value",
    "url_text_input": "value",
    "number_input": "value",
    "rich_text_input": "rich_text_value",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "multi_conversations_select": "selected_conversations",
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}


def element_state(element_type: str, value: Any) -> dict[str, Any]:
    """One element's state, e.g. element_state("static_select", "sev1");
    option-based elements take a value string (or a list for multi_/checkboxes)."""
    if element_type in _STATE_KEYS:
        return {"type": element_type, _STATE_KEYS[element_type]: value}

    def option(v: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": v, "emoji": True}, "value": v}

    if element_type.startswith("multi_") or element_type == "checkboxes":
        return {"type": element_type, "selected_options": [option(v) for v in value]}
    return {"type": element_type, "selected_option": None if value is None else option(value)}


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    user_id: str = "U1",
    private_metadata: str = "",
    view_id: str = "V1",
    team_id: str = "T1",
    trigger_id: str = "tr.3",
) -> dict[str, Any]:
    """`values` is Slack's view.state.values: {block_id: {action_id: element_state(...)}}."""
    return {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": "A1",
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"1700000000.{view_id}",
            "title": {"type": "plain_text", "text": "Modal"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": "A1",
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": "BBOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def block_actions_payload(
    action_id: str,
    value: Any,
    *,
    user_id: str = "U1",
    channel_id: str = "C1",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str = "tr.2",
    message_ts: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    team_id: str = "T1",
) -> dict[str, Any]:
    """A click in a message posted by the bot (a button by default; for other element types
    `value` is interpreted as in element_state)."""
    ts = message_ts or "1699999999.000100"
    action = {"action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}"}
    if action_type == "button":
        action |= {
            "type": "button",
            "value": value,
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
        }
    else:
        action |= element_state(action_type, value)
    return {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": "A1",
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "channel": {"id": channel_id, "name": channel_id.lower()},
        "message": {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "ts": ts,
            "text": "",
            "blocks": [],
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }


def event_body(
    event: dict[str, Any],
    *,
    event_id: str = "Ev1",
    team_id: str = "T1",
    api_app_id: str = "A1",
    event_time: int | None = None,
) -> bytes:
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "context_team_id": team_id,
            "context_enterprise_id": None,
            "api_app_id": api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{event_id}",
        },
        ensure_ascii=False,
    ).encode()


@dataclass
class Reply:
    status: int
    body: str
    json: dict[str, Any] | None
    headers: Mapping[str, str] = field(default_factory=dict)


class SlackClient:
    """Sends signed requests to the bot's endpoint (e.g. http://127.0.0.1:PORT/slack/events).

    Uses `session` when given (the caller closes it); with None it opens its own: use
    ``async with SlackClient(None, ...)`` or ``await client.close()``. `response_url` is a
    factory (name -> URL), e.g. ``fake.response_url``, used for commands' default response_url.
    `check` is given each JSON acknowledgement, e.g. ``fake.check`` (whose Block Kit rules then
    cover the views and blocks the bot answers with, too).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        url: str,
        signing_secret: str,
        *,
        response_url: Callable[[str], str] | None = None,
        check: Callable[[str, dict[str, Any]], object] | None = None,
    ) -> None:
        self.url = url
        self.check = check
        self.signing_secret = signing_secret
        self.response_url = response_url
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> SlackClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _default_response_url(self, name: str) -> str:
        return self.response_url(name) if self.response_url else UNSET_RESPONSE_URL

    async def command(self, text: str, **kw: Any) -> Reply:
        """kw: slash_command_body's keywords; response_url defaults to the factory's "command"."""
        kw.setdefault("response_url", self._default_response_url("command"))
        return await self._post(slash_command_body(text, **kw), FORM)

    async def interactive(self, payload: dict[str, Any]) -> Reply:
        return await self._post(interactive_body(payload), FORM)

    async def event(
        self,
        event: dict[str, Any],
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **kw: Any,
    ) -> Reply:
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        # Slack signs each delivery anew: a retry carries a later timestamp, so its own signature.
        stamp = int(time.time()) + (retry_num or 0)
        return await self._post(event_body(event, **kw), "application/json", extra, stamp)

    async def _post(
        self,
        body: bytes,
        content_type: str,
        extra: Mapping[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Reply:
        signed = sign(body, self.signing_secret, timestamp)
        headers = {"Content-Type": content_type, **signed, **(extra or {})}
        return await self.post_raw(body, headers)

    async def post_raw(self, body: bytes, headers: Mapping[str, str]) -> Reply:
        """POST exactly `body` with `headers` (plus Slack's User-Agent), unsigned unless the
        caller signed it; for forged/stale-signature tests."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)", **headers}
        async with self._session.post(self.url, data=body, headers=headers) as res:
            text = await res.text()
            try:
                parsed = json.loads(text) if text else None
            except ValueError:
                parsed = None
            if self.check is not None and isinstance(parsed, dict):
                self.check("ack", parsed)
            return Reply(
                res.status,
                text,
                parsed if isinstance(parsed, dict) else None,
                CIMultiDictProxy(CIMultiDict(res.headers)),
            )
