"""Probes: /livez answers while the process does; /readyz (and its alias /healthz) only while the
database answers, its schema is at head and Slack accepted the token recently — in HTTP mode
beside /slack/events, in Socket Mode on HEALTH_PORT."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.health import SLACK_FRESH_FOR, Health
from storage.db import create_engine
from tests.test_cli import FURIKAERI, base_env, first_readyz, free_port


async def _get(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_a_running_bot_is_live_and_ready(bot) -> None:
    assert await _get(f"{bot.url}/livez") == (200, {"ok": True})
    for path in ("/readyz", "/healthz"):
        status, body = await _get(f"{bot.url}{path}")
        assert status == 200 and body["ok"] is True
        assert {name: check["ok"] for name, check in body["checks"].items()} == {
            "database": True,
            "schema": True,
            "slack": True,
        }


async def test_a_refused_token_makes_it_unready_but_still_live(bot) -> None:
    bot.fake.fail("auth.test", "invalid_auth", times=None)
    assert await bot.runtime.health.check_slack() is False
    status, body = await _get(f"{bot.url}/readyz")
    assert status == 503 and body["ok"] is False
    assert body["checks"]["slack"] == {"ok": False, "detail": "auth.test failed: invalid_auth"}
    assert body["checks"]["database"]["ok"] is True
    assert (await _get(f"{bot.url}/livez"))[0] == 200


async def test_an_unmigrated_or_unreachable_database_is_not_ready(tmp_path, fake_slack) -> None:
    client = AsyncWebClient(token="xoxb-probe", base_url=fake_slack.base_url)
    empty = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    away = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/test")
    try:
        checks = await Health(empty, client).readiness()
        assert checks["database"].ok and not checks["schema"].ok
        assert checks["schema"].detail == "not migrated"
        checks = await Health(away, client).readiness()
        assert not checks["database"].ok and not checks["schema"].ok
    finally:
        await empty.dispose()
        await away.dispose()


async def test_a_slack_answer_goes_stale(fake_slack, tmp_path) -> None:
    now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    clock = [now]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    health = Health(
        engine,
        AsyncWebClient(token="xoxb-probe", base_url=fake_slack.base_url),
        clock=lambda: clock[0],
    )
    try:
        assert (await health.readiness())["slack"].ok is False  # never asked
        assert await health.check_slack() is True
        assert (await health.readiness())["slack"].ok is True
        clock[0] = now + SLACK_FRESH_FOR + timedelta(seconds=1)
        assert (await health.readiness())["slack"].ok is False
    finally:
        await engine.dispose()


async def test_socket_mode_serves_the_probes_on_health_port(tmp_path, fake_slack) -> None:
    port = free_port()
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-cli",
        SLACK_APP_TOKEN="xapp-cli",
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        HEALTH_PORT=str(port),
    )
    proc = await asyncio.create_subprocess_exec(
        FURIKAERI,
        "run",
        "--socket",
        "--host",
        "127.0.0.1",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        status, body = await first_readyz(f"http://127.0.0.1:{port}", proc)
        assert status == 200 and body["ok"] is True
        assert (await _get(f"http://127.0.0.1:{port}/livez"))[0] == 200
        assert fake_slack.socket_connections == 1
        assert fake_slack.calls_to("apps.connections.open")[0].token == "xapp-cli"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
