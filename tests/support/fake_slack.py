"""A fake Slack Web API on 127.0.0.1 that records every call.

Point the bot's ``AsyncWebClient(base_url=fake.base_url)`` at it. Arguments are merged from
the query string (slack_sdk sends ``params=`` methods that way), form or multipart bodies and
JSON bodies; JSON strings in well-known fields (``blocks``, ``view``, ``files``...) are decoded.

Fault rules (``fail``, ``fail_http``, ``delay``, ``hold``) live in one list checked in order: the first
rule whose method matches (``"*"`` matches any) is used and its ``times`` is decremented
(``times=None`` means forever). Calls are recorded on arrival, before any rule is applied, so
failed calls are recorded too. The pseudo-methods ``"response_url"`` and ``"upload"`` name the
response-URL and file-upload endpoints, for rules and for ``calls_to``/``wait_for``.
To stub another Web API method (or override one), set ``fake.handlers[method] = fn`` where
``fn(args) -> response dict``. State (channels, messages, users, files...) is public too.

Every ``blocks`` and ``view`` the bot sends (Web API calls, response-URL posts, and the
acknowledgements that ``check`` is given) is checked against Slack's Block Kit rules
(tests/support/block_kit.py). A payload Slack would refuse is answered as Slack answers it
(``invalid_blocks`` / ``invalid_arguments``) and remembered in ``invalid``;
``assert_valid_payloads()`` fails with each method and problem (the ``fake_slack`` fixture
calls it when a test ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.support import block_kit

JSON_FIELDS = frozenset(
    {"blocks", "view", "files", "document_content", "attachments", "changes", "metadata"}
)
Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: Mapping[str, str]  # case-insensitive
    at: float = 0.0  # the loop's clock when it arrived
    done: float | None = None  # … and when it was answered (None: not yet, or never)
    problems: list[str] = field(default_factory=list)  # what Slack would refuse in its blocks

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ")
        return self.args.get("token")


@dataclass
class _Rule:
    method: str
    times: int | None
    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    seconds: float = 0.0
    gate: asyncio.Event | None = None  # `hold`: answered (normally) once the test sets it


def _ok(**fields: Any) -> dict[str, Any]:
    return {"ok": True, **fields}


def _err(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rules: list[_Rule] = []
        self.users: dict[str, dict[str, Any]] = {}  # uid -> {"tz", "real_name", "name", ...}
        self.strict_users = False  # True: users.info for a uid not in `users` -> user_not_found
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.pins: set[tuple[str, str]] = set()
        self.dms: dict[str, str] = {}  # uid -> D… id
        self.views: dict[str, dict[str, Any]] = {}
        self.socket_connections = 0  # Socket Mode WebSockets opened
        self.scopes: list[str] | None = None  # the token's granted scopes (x-oauth-scopes)
        self.canvases: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.invalid: list[str] = []  # "method: problem" for each payload Slack would refuse
        self._seq = itertools.count(1)
        self._ts_seq = itertools.count(1)
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.origin = ""
        self.base_url = ""
        self.handlers: dict[str, Handler] = {
            "auth.test": lambda a: _ok(
                url="https://example.slack.com/",
                team="Example",
                user="furikaeri",
                team_id="T1",
                user_id="UBOT",
                bot_id="BBOT",
                is_enterprise_install=False,
            ),
            "apps.connections.open": lambda a: _ok(url=f"{self.ws_origin}/socket-mode"),
            "conversations.create": self._conversations_create,
            "conversations.invite": self._conversations_invite,
            "conversations.join": lambda a: _ok(channel=self._join(a["channel"], ["UBOT"])),
            "conversations.info": lambda a: _ok(channel=self._channel(a["channel"])),
            "conversations.members": lambda a: _ok(
                members=list(self._channel(a["channel"])["members"]),
                response_metadata={"next_cursor": ""},
            ),
            "conversations.history": self._conversations_history,
            "conversations.list": self._conversations_list,
            "conversations.replies": self._conversations_replies,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": lambda a: _ok(message_ts=self._next_ts()),
            "chat.update": self._chat_update,
            "chat.getPermalink": lambda a: _ok(
                channel=a["channel"],
                permalink=(
                    f"https://example.slack.com/archives/{a['channel']}/"
                    f"p{a['message_ts'].replace('.', '')}"
                ),
            ),
            "pins.add": self._pins_add,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "canvases.create": self._canvases_create,
            "canvases.edit": self._canvases_edit,
            "canvases.access.set": lambda a: (
                _ok() if a.get("canvas_id") in self.canvases else _err("canvas_not_found")
            ),
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.info": lambda a: (
                _ok(file=self.files[a["file"]])
                if a.get("file") in self.files
                else _err("file_not_found")
            ),
        }

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{name:.*}", self._response)
        app.router.add_get("/socket-mode", self._socket_mode)
        self._cond = asyncio.Condition()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.origin = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.origin}/api/"
        self.ws_origin = f"ws://127.0.0.1:{port}"
        return self

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode's WebSocket: says hello, then holds the connection (no events sent)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.socket_connections += 1
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for _ in ws:  # pings and acks; closed when the bot goes
            pass
        return ws

    async def stop(self) -> None:
        for rule in self.rules:  # calls still held are let go, not waited out by the server
            if rule.gate is not None:
                rule.gate.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- test API --------------------------------------------------------------------------
    def response_url(self, name: str = "x") -> str:
        return f"{self.origin}/response/{name}"

    def fail(self, method: str, error: str = "name_taken", times: int | None = 1) -> None:
        """The next `times` calls to `method` answer 200 {"ok": false, "error": error}."""
        self.rules.append(_Rule(method, times, error=error))

    def fail_http(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        times: int | None = 1,
        error: str | None = None,
    ) -> None:
        """The next `times` calls answer HTTP `status` (429 adds a Retry-After header)."""
        error = error or ("ratelimited" if status == 429 else "internal_error")
        self.rules.append(
            _Rule(
                method,
                times,
                error=error,
                status=status,
                retry_after=retry_after if status == 429 else None,
            )
        )

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        """Answer `method` (normally) only after `seconds`; forever unless `times` is given."""
        self.rules.append(_Rule(method, times, seconds=seconds))

    def hold(self, method: str, times: int | None = 1) -> asyncio.Event:
        """Do the next `times` calls to `method` (forever unless `times` is given) — and answer
        them — only once the test sets the returned event: a Slack that acts on a call when the
        test says so. `stop()` lets held calls go."""
        gate = asyncio.Event()
        self.rules.append(_Rule(method, times, gate=gate))
        return gate

    async def answered(self, calls: list[Call], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until every one of `calls` has been answered (or its answer was cut off)."""
        assert self._cond is not None, "FakeSlack is not started"
        async with asyncio.timeout(timeout), self._cond:
            await self._cond.wait_for(lambda: all(c.done is not None for c in calls))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def check(self, where: str, payload: Mapping[str, Any]) -> list[str]:
        """The Block Kit problems of one payload sent to Slack from `where` (a method, or
        "ack"), remembered for `assert_valid_payloads`."""
        found = block_kit.problems(payload)
        self.invalid += [f"{where}: {problem}" for problem in found]
        return found

    def assert_valid_payloads(self) -> None:
        """Fail, naming each method and problem, if anything sent would have been refused."""
        assert not self.invalid, "Slack would refuse these Block Kit payloads:\n" + "\n".join(
            self.invalid
        )

    def clear(self) -> None:
        """Forget recorded calls (state such as channels, users and rules is kept)."""
        self.calls.clear()

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented API
        count: int = 1,
    ) -> Call | list[Call]:
        """Wait until `count` calls to `method` match `predicate`; return the first `count`
        of them (a single Call when count == 1)."""
        assert self._cond is not None, "FakeSlack is not started"

        def matching() -> list[Call]:
            return [c for c in self.calls_to(method) if predicate is None or predicate(c)]

        try:
            async with asyncio.timeout(timeout), self._cond:
                await self._cond.wait_for(lambda: len(matching()) >= count)
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {count} matching {method!r} call(s); "
                f"{len(matching())} matched; recorded: {[c.method for c in self.calls]}"
            ) from None
        found = matching()[:count]
        return found[0] if count == 1 else found

    # ---- HTTP plumbing ---------------------------------------------------------------------
    async def _record(self, method: str, args: dict[str, Any], request: web.Request) -> Call:
        call = Call(
            method,
            args,
            CIMultiDictProxy(CIMultiDict(request.headers)),
            at=asyncio.get_running_loop().time(),
            problems=self.check(method, args),
        )
        self.calls.append(call)
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()
        return call

    async def _done(self, call: Call) -> None:
        call.done = asyncio.get_running_loop().time()
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def _apply_rules(self, method: str) -> web.Response | None:
        for rule in self.rules:
            if rule.method not in (method, "*") or rule.times == 0:
                continue
            if rule.times is not None:
                rule.times -= 1
            if rule.gate is not None:
                await rule.gate.wait()
                return None
            if rule.seconds:
                await asyncio.sleep(rule.seconds)
                return None
            headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after else None
            return web.json_response(
                _err(rule.error or "fatal_error"), status=rule.status, headers=headers
            )
        return None

    @staticmethod
    async def _read_args(request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                args[key] = value if isinstance(value, str) else value.file.read()
        for key in JSON_FIELDS & args.keys():
            if isinstance(args[key], str) and args[key][:1] in ("[", "{"):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        call = await self._record(method, args, request)
        try:
            return await self._answer(method, args, request)
        finally:
            await self._done(call)

    async def _answer(self, method: str, args: dict[str, Any], request: web.Request):
        if (faulty := await self._apply_rules(method)) is not None:
            return faulty
        if not Call(method, args, request.headers).token:
            return web.json_response(_err("not_authed"))
        if problems := block_kit.problems(args):  # as Slack answers: the error, and each problem
            error = "invalid_arguments" if "view" in args else "invalid_blocks"
            messages = [f"[ERROR] {problem}" for problem in problems]
            return web.json_response({**_err(error), "response_metadata": {"messages": messages}})
        handler = self.handlers.get(method)
        # Slack names the token's granted scopes on every answer (None here: no such header).
        headers = {"x-oauth-scopes": ",".join(self.scopes)} if self.scopes is not None else {}
        try:
            return web.json_response(
                handler(args) if handler else _err("unknown_method"), headers=headers
            )
        except KeyError as missing:  # a required argument was not sent
            return web.json_response(_err(f"invalid_arguments: missing {missing}"))

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if request.content_type.startswith("multipart/"):
            part = await (await request.multipart()).next()
            data = await part.read() if isinstance(part, web.BodyPartReader) else b""
        else:
            data = await request.read()
        call = await self._record("upload", {"file_id": file_id, "size": len(data)}, request)
        faulty = await self._apply_rules("upload")
        await self._done(call)
        if faulty is not None:
            return faulty
        if file_id not in self.files:
            return web.Response(status=404, text="file_not_found")
        self.uploads[file_id] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _response(self, request: web.Request) -> web.Response:
        args = await self._read_args(request)
        path = request.match_info["name"]
        call = await self._record("response_url", {**args, "_path": path}, request)
        answer = await self._apply_rules("response_url") or (
            web.Response(status=400, text="invalid_blocks")
            if call.problems
            else web.json_response(_ok())
        )
        await self._done(call)
        return answer

    # ---- Web API methods -------------------------------------------------------------------
    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):08d}"

    def _next_ts(self) -> str:
        micros = next(self._ts_seq) * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _channel(self, cid: str) -> dict[str, Any]:
        return self.channels.setdefault(
            cid,
            {
                "id": cid,
                "name": cid.lower(),
                "is_channel": True,
                "is_private": False,
                "created": int(time.time()),
                "creator": "U0",
                "members": ["UBOT"],
                "is_member": True,
            },
        )

    def join(self, cid: str, *users: str) -> None:
        """People join a channel (as if they had clicked Join)."""
        self._join(cid, list(users))

    def _join(self, cid: str, users: list[str]) -> dict[str, Any]:
        channel = self._channel(cid)
        channel["members"] += [u for u in users if u not in channel["members"]]
        channel["is_member"] = "UBOT" in channel["members"]
        return channel

    def _conversations_create(self, a: dict[str, Any]) -> dict[str, Any]:
        name = a.get("name", "")
        if not name:
            return _err("invalid_name_required")
        if len(name) > 80:
            return _err("invalid_name_maxlength")
        if not re.fullmatch(r"[\w-]+", name) or name != name.lower():
            return _err("invalid_name_specials")
        if any(c["name"] == name for c in self.channels.values()):
            return _err("name_taken")
        cid = self._next_id("C")
        self.channels[cid] = {
            "id": cid,
            "name": name,
            "is_channel": True,
            "is_private": a.get("is_private") in ("1", "true", True),
            "created": int(time.time()),
            "creator": "UBOT",
            "members": ["UBOT"],
            "is_member": True,
        }
        return _ok(channel=self.channels[cid])

    def _conversations_invite(self, a: dict[str, Any]) -> dict[str, Any]:
        users = a["users"] if isinstance(a["users"], list) else a["users"].split(",")
        if "UBOT" in users:
            return _err("cant_invite_self")
        if any(u in self._channel(a["channel"])["members"] for u in users):
            return _err("already_in_channel")
        return _ok(channel=self._join(a["channel"], users))

    def _conversations_open(self, a: dict[str, Any]) -> dict[str, Any]:
        uid = a["users"] if isinstance(a["users"], str) else ",".join(a["users"])
        return _ok(channel={"id": self.dms.setdefault(uid, self._next_id("D"))})

    def _chat_post_message(self, a: dict[str, Any]) -> dict[str, Any]:
        channel = a.get("channel") or ""
        if not channel:
            return _err("channel_not_found")
        if channel[0] in "UW":  # posting to a user id goes to the DM with them
            channel = self._conversations_open({"users": channel})["channel"]["id"]
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": "UBOT",
            "bot_id": "BBOT",
            "ts": ts,
            **{k: a[k] for k in ("text", "blocks", "thread_ts", "metadata") if k in a},
        }
        self.messages[(channel, ts)] = message
        return _ok(channel=channel, ts=ts, message=message)

    def post_as_user(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        thread_ts: str | None = None,
        ts: str | None = None,
    ) -> str:
        """Seed a message as if a person had posted it (at `ts`, or now-ish); returns its ts."""
        ts = ts or self._next_ts()
        message = {"type": "message", "user": user, "ts": ts, "text": text}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.messages[(channel, ts)] = message
        return ts

    def _in_channel(self, channel: str, *, replies: bool) -> list[dict[str, Any]]:
        found = [m for (ch, _), m in self.messages.items() if ch == channel]
        if not replies:  # history shows top-level messages; replies live in threads
            found = [m for m in found if m.get("thread_ts") in (None, m["ts"])]
        return sorted(found, key=lambda m: m["ts"], reverse=not replies)

    def _conversations_history(self, a: dict[str, Any]) -> dict[str, Any]:
        inclusive = str(a.get("inclusive", "")).lower() in ("1", "true")
        latest, oldest = a.get("latest"), a.get("oldest")
        found = [
            m
            for m in self._in_channel(a["channel"], replies=False)
            if (latest is None or m["ts"] < latest or (inclusive and m["ts"] == latest))
            and (oldest is None or m["ts"] > oldest or (inclusive and m["ts"] == oldest))
        ]
        if str(a.get("include_all_metadata", "")).lower() not in ("1", "true"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return _ok(messages=found[: int(a.get("limit", 100))], has_more=False)

    def _conversations_list(self, a: dict[str, Any]) -> dict[str, Any]:
        """The channels of the asked `types` (Slack's default: public ones) on one page (the
        fake never paginates)."""
        types = set(str(a.get("types") or "public_channel").split(","))
        wanted = [
            c
            for c in self.channels.values()
            if ("private_channel" if c.get("is_private") else "public_channel") in types
        ]
        return _ok(channels=wanted, response_metadata={"next_cursor": ""})

    def _conversations_replies(self, a: dict[str, Any]) -> dict[str, Any]:
        thread = [
            m
            for m in self._in_channel(a["channel"], replies=True)
            if a["ts"] in (m["ts"], m.get("thread_ts"))
        ]
        if not thread:
            return _err("thread_not_found")
        parent = thread[0].get("thread_ts", thread[0]["ts"])
        return _ok(messages=[m for m in thread if m.get("thread_ts", m["ts"]) == parent])

    def _chat_update(self, a: dict[str, Any]) -> dict[str, Any]:
        key = (a["channel"], a["ts"])
        message = self.messages.setdefault(key, {"type": "message", "ts": a["ts"]})
        message.update({k: a[k] for k in ("text", "blocks", "metadata") if k in a})
        return _ok(channel=a["channel"], ts=a["ts"], text=message.get("text", ""), message=message)

    def _pins_add(self, a: dict[str, Any]) -> dict[str, Any]:
        key = (a["channel"], a["timestamp"])
        if key in self.pins:
            return _err("already_pinned")
        self.pins.add(key)
        return _ok()

    def _users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        uid = a["user"]
        if uid not in self.users and self.strict_users:
            return _err("user_not_found")
        info = self.users.get(uid, {})
        tz = info.get("tz", "UTC")
        offset = ZoneInfo(tz).utcoffset(datetime.now())
        name, real_name = info.get("name", uid.lower()), info.get("real_name", f"User {uid}")
        user = {
            "id": uid,
            "team_id": "T1",
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {"real_name": real_name, "display_name": name},
            **info,
        }
        return _ok(user=user)

    def _views_open(self, a: dict[str, Any]) -> dict[str, Any]:
        view_id = self._next_id("V")
        self.views[view_id] = {
            "type": "modal",
            "private_metadata": "",
            "callback_id": "",
            **a["view"],
            "id": view_id,
            "hash": f"{time.time():.0f}.{view_id}",
            "state": {"values": {}},
            "root_view_id": view_id,
        }
        return _ok(view=self.views[view_id])

    def _views_update(self, a: dict[str, Any]) -> dict[str, Any]:
        external_id = a.get("external_id")
        view_id = (
            a.get("view_id")
            or next(
                (
                    v
                    for v, body in self.views.items()
                    if external_id and body.get("external_id") == external_id
                ),
                None,
            )
            or self._next_id("V")
        )
        self.views[view_id] = {**self.views.get(view_id, {}), **a["view"], "id": view_id}
        return _ok(view=self.views[view_id])

    def _canvases_create(self, a: dict[str, Any]) -> dict[str, Any]:
        canvas_id = self._next_id("F")
        self.canvases[canvas_id] = {**a, "changes": []}
        # Canvases are files in Slack: files.info gives their title and permalink.
        self.files[canvas_id] = {
            "id": canvas_id,
            "title": a.get("title", ""),
            "filetype": "quip",
            "permalink": f"https://example.slack.com/docs/T1/{canvas_id}",
        }
        return _ok(canvas_id=canvas_id)

    def _canvases_edit(self, a: dict[str, Any]) -> dict[str, Any]:
        if a.get("canvas_id") not in self.canvases:
            return _err("canvas_not_found")
        self.canvases[a["canvas_id"]]["changes"] += a["changes"]
        return _ok()

    def _files_get_upload_url(self, a: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        self.files[file_id] = {
            "id": file_id,
            "name": a["filename"],
            "title": a["filename"],
            "size": int(a.get("length", 0)),
            "channels": [],
            "permalink": f"https://example.slack.com/files/UBOT/{file_id}",
        }
        return _ok(file_id=file_id, upload_url=f"{self.origin}/upload/{file_id}")

    def _files_complete_upload(self, a: dict[str, Any]) -> dict[str, Any]:
        if any(f["id"] not in self.uploads for f in a["files"]):
            return _err("file_not_found")
        for f in a["files"]:
            self.files[f["id"]]["title"] = f.get("title") or self.files[f["id"]]["name"]
            if a.get("channel_id"):
                self.files[f["id"]]["channels"].append(a["channel_id"])
        return _ok(files=[self.files[f["id"]] for f in a["files"]])


def round_trips(calls: list[Call], target: Call) -> int:
    """How many calls went one after another up to `target`: the longest chain of calls, each
    arriving after the one before it was answered. (Calls that overlap count once; a chain by
    time is at least as long as the code's own chain of awaits, so this never undercounts.)"""
    ordered = sorted((c for c in calls if c.at <= target.at), key=lambda c: c.at)
    depth: dict[int, int] = {}
    for call in ordered:
        before = [
            depth[id(p)]
            for p in ordered
            if id(p) in depth and p.done is not None and p.done <= call.at
        ]
        depth[id(call)] = 1 + max(before, default=0)
    return depth[id(target)]
