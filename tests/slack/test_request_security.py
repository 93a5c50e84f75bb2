"""Forged or stale requests are refused before anything is stored."""

from __future__ import annotations

import time
from dataclasses import replace

import aiohttp

from bot.app import Runtime
from bot.domain.policy import Policy
from bot.server import bound_port, serve
from tests.conftest import SIGNING_SECRET
from tests.support.flows import count_incidents
from tests.support.slack_requests import FORM, sign, slash_command_body


async def post(bot, body: bytes, headers: dict[str, str]):
    return await bot.slack.post_raw(body, {"Content-Type": FORM, **headers})


async def test_a_forged_signature_is_refused(bot):
    body = slash_command_body("start Forged incident")
    reply = await post(bot, body, sign(body, "not-the-secret"))
    assert reply.status == 401
    assert await count_incidents(bot) == 0
    assert bot.fake.calls_to("conversations.create") == []


async def test_a_body_changed_after_signing_is_refused(bot):
    body = slash_command_body("start Honest incident")
    headers = sign(body, SIGNING_SECRET)
    reply = await post(bot, slash_command_body("start Tampered incident"), headers)
    assert reply.status == 401
    assert await count_incidents(bot) == 0


async def test_a_request_older_than_five_minutes_is_refused(bot):
    body = slash_command_body("start Replayed incident")
    reply = await post(bot, body, sign(body, SIGNING_SECRET, timestamp=int(time.time()) - 6 * 60))
    assert reply.status == 401
    assert await count_incidents(bot) == 0


async def test_an_unsigned_request_is_refused(bot):
    reply = await post(bot, slash_command_body("start Unsigned"), {})
    assert reply.status == 401
    assert await count_incidents(bot) == 0


async def test_a_correctly_signed_request_is_accepted(bot):
    body = slash_command_body("start Real incident", response_url=bot.fake.response_url())
    reply = await post(bot, body, sign(body, SIGNING_SECRET))
    assert reply.status == 200
    assert await count_incidents(bot) == 1


async def test_healthz_reports_the_database(bot, fake_slack, tmp_path):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.url}/healthz") as response:
            assert (response.status, (await response.json())["ok"]) == (200, True)

        # The same bot with its database out of reach (a file in a folder that doesn't exist).
        broken = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}"
        runtime = Runtime(replace(bot.runtime.settings, database_url=broken), Policy.default())
        runner = await serve(runtime, "127.0.0.1", 0)
        try:
            async with session.get(f"http://127.0.0.1:{bound_port(runner)}/healthz") as response:
                assert response.status == 503
                assert (await response.json())["error"] == "database unreachable"
        finally:
            await runner.cleanup()
            await runtime.aclose()


async def test_a_replayed_request_is_refused_and_acts_once(bot):
    body = slash_command_body("start Replayed twice", response_url=bot.fake.response_url())
    headers = sign(body, SIGNING_SECRET)
    first = await post(bot, body, headers)
    again = await post(bot, body, headers)
    assert (first.status, again.status) == (200, 401)
    assert await count_incidents(bot) == 1
