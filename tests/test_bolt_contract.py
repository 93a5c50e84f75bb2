"""What furikaeri relies on in slack-bolt beyond its documented API (README, "Reliance on Bolt").

`bot.server.bolt_request` builds a Socket-Mode request around a body parsed once and flips it
to HTTP; `handlers.errors.reported` swaps `context["ack"]` for one that wakes the request as soon
as the listener acknowledges, and reports errors itself instead of through `@app.error`. If a Bolt
upgrade changes any of that, these tests fail with the reason — before a front-door test fails
somewhere far away.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import make_mocked_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import translator
from bot.request_shape import parse
from bot.server import bolt_request
from handlers.background import Background
from handlers.errors import ACK_DEADLINE, reported
from tests.support.fake_slack import FakeSlack

COMMAND = {
    "command": "/incident",
    "text": "note hello",
    "team_id": "T1",
    "user_id": "U1",
    "channel_id": "C1",
    "trigger_id": "1.2.3",
}


def _http_request(fields: dict[str, str]) -> AsyncBoltRequest:
    text = urlencode(fields)
    body = parse(text.encode(), "application/x-www-form-urlencoded")
    assert body is not None
    web = make_mocked_request(
        "POST", "/slack/events", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return bolt_request(web, body)


def _app(slack: FakeSlack) -> tuple[AsyncApp, list[Exception], Background]:
    """A Bolt app configured as bot/app.py configures it, with the few deps `reported` uses."""
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-contract", base_url=slack.base_url),
        request_verification_enabled=False,
        process_before_response=True,
    )
    background = Background()
    deps = SimpleNamespace(background=background, translator=translator("en"))

    async def inject(context: dict, next: Any) -> None:  # noqa: A002
        context["deps"] = deps
        await next()

    app.middleware(inject)
    unhandled: list[Exception] = []

    @app.error
    async def on_error(error: Exception) -> None:
        unhandled.append(error)

    return app, unhandled, background


def test_a_socket_mode_request_flipped_to_http_keeps_the_body_parsed_once() -> None:
    request = _http_request(COMMAND)
    assert request.mode == "http", "Bolt must treat the flipped request as HTTP (response_url, ack)"
    assert request.body == COMMAND, "Bolt must keep a dict body as given in Socket Mode"
    assert request.raw_body == urlencode(COMMAND), "raw_body is ours to set after construction"
    assert request.context.user_id == "U1" and request.context.channel_id == "C1", (
        "Bolt must build the context from the dict body at construction"
    )
    copy = request.to_copyable()  # Bolt copies requests for lazy listeners and error handlers
    assert copy.body == COMMAND and copy.mode == "http"


def test_bolt_reads_the_wrapped_listeners_argument_names() -> None:
    async def listener(ack: Any, body: dict, context: Any, respond: Any) -> None:
        pass

    wrapped = reported(listener)
    assert list(inspect.signature(wrapped).parameters) == ["ack", "body", "context", "respond"], (
        "Bolt passes a listener the arguments its signature names, read through functools.wraps"
    )


async def test_the_answer_leaves_at_ack_while_the_work_goes_on(fake_slack: FakeSlack) -> None:
    app, unhandled, background = _app(fake_slack)
    release, finished = asyncio.Event(), asyncio.Event()

    async def command(ack: Any, body: dict, context: Any) -> None:
        await ack(text="noted")
        await release.wait()
        finished.set()

    app.command("/incident")(reported(command))
    # The work is held until the answer is in hand: were the answer to wait for the work, it
    # would only come at reported's deadline (ACK_DEADLINE), long after this one.
    response = await asyncio.wait_for(
        app.async_dispatch(_http_request(COMMAND)), timeout=ACK_DEADLINE / 2
    )
    assert response.status == 200
    assert response.body == "noted", (
        "Bolt's runner must take its ack from the context before the listener swaps it"
    )
    release.set()
    await background.idle()
    assert finished.is_set() and unhandled == []


async def test_an_error_before_ack_becomes_the_answer_not_an_app_error(fake_slack: FakeSlack) -> None:
    app, unhandled, _ = _app(fake_slack)

    async def command(ack: Any, body: dict, context: Any) -> None:
        raise RuntimeError("boom")

    app.command("/incident")(reported(command))
    response = await app.async_dispatch(_http_request(COMMAND))
    assert response.status == 200
    answer = json.loads(response.body)
    assert answer["response_type"] == "ephemeral" and "something went wrong" in answer["text"]
    assert "boom" not in answer["text"]
    assert unhandled == [], "reported tells the user itself; @app.error must not see it"


async def test_bolt_acknowledges_an_event_by_itself(fake_slack: FakeSlack) -> None:
    app, unhandled, background = _app(fake_slack)
    seen: list[str] = []

    async def reaction(body: dict, context: Any) -> None:
        seen.append(body["event"]["reaction"])

    app.event("reaction_added")(reported(reaction))
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "event": {"type": "reaction_added", "user": "U1", "reaction": "pushpin",
                  "item": {"type": "message", "channel": "C1", "ts": "1.2"}},
    }
    request = AsyncBoltRequest(body=event, mode="socket_mode")
    response = await app.async_dispatch(request)
    await background.idle()
    assert response.status == 200, "Bolt must ack an event_callback that no listener acked"
    assert seen == ["pushpin"] and unhandled == []


@pytest.mark.parametrize("package", ["slack_bolt", "slack_sdk"])
def test_the_installed_versions_are_the_pinned_ones(package: str) -> None:
    """The pins in pyproject.toml are the range these tests were written against."""
    import importlib.metadata
    import tomllib
    from pathlib import Path

    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    wanted = {
        Requirement(r).name.replace("-", "_"): Requirement(r)
        for r in project["project"]["dependencies"]
    }
    installed = importlib.metadata.version(package)
    assert wanted[package].specifier.contains(installed), (
        f"{package} {installed} is outside {wanted[package].specifier}: rerun these tests and "
        "README's 'Reliance on Bolt' checklist before widening the pin"
    )
