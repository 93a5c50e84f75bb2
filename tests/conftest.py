"""Test tiers share these fixtures: a fake Slack, a real database, the real bot over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import pytest
import pytest_asyncio

from bot.app import Runtime, utcnow
from bot.domain.policy import Policy
from bot.server import bound_port, serve
from bot.settings import Settings
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackClient

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
PG_ADMIN_DSN = os.environ.get("FURIKAERI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_reachable() -> str | None:
    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {PG_ADMIN_DSN} is not reachable ({exc.__class__.__name__}: {exc})"
    await conn.close()
    return None


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards; skips (or fails in CI) without one."""
    problem = await _pg_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the PostgreSQL tests")
        pytest.skip(f"{problem}; these tests run in CI")
    name = f"furikaeri_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'furikaeri.db'}"


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request, sqlite_url: str) -> AsyncIterator[str]:
    """Each storage-level test runs on a SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack; the test fails if the bot sent it a payload Slack would refuse."""
    async with FakeSlack() as fake:
        yield fake
    fake.assert_valid_payloads()


@pytest.fixture
def policy() -> Policy:
    """Override in a test module (or with `@pytest.mark.parametrize`) for another policy."""
    return Policy.default()


@dataclass
class Bot:
    """The real bot serving HTTP on 127.0.0.1, talking to the fake Slack."""

    runtime: Runtime
    slack: SlackClient
    fake: FakeSlack
    url: str


async def start_bot(
    database_url: str, fake: FakeSlack, policy: Policy, clock=utcnow
) -> tuple[Runtime, object, str]:
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        api_url=fake.base_url,
        database_url=database_url,
        policy_path=None,
    )
    runtime = Runtime(settings, policy, clock=clock)
    await runtime.start()
    runner = await serve(runtime, "127.0.0.1", 0)
    return runtime, runner, f"http://127.0.0.1:{bound_port(runner)}"


@pytest.fixture
def clock():
    """The bot's clock: the real one, unless a test module overrides this fixture."""
    return utcnow


@pytest_asyncio.fixture
async def bot(sqlite_url: str, fake_slack: FakeSlack, policy: Policy, clock) -> AsyncIterator[Bot]:
    """The bot on a SQLite file (the front-door tests' default)."""
    async for b in _bot(sqlite_url, fake_slack, policy, clock):
        yield b


@pytest_asyncio.fixture
async def any_db_bot(
    database_url: str, fake_slack: FakeSlack, policy: Policy, clock
) -> AsyncIterator[Bot]:
    """The bot on each database in turn."""
    async for b in _bot(database_url, fake_slack, policy, clock):
        yield b


async def _bot(database_url: str, fake: FakeSlack, policy: Policy, clock) -> AsyncIterator[Bot]:
    runtime, runner, base = await start_bot(database_url, fake, policy, clock)
    client = SlackClient(
        None,
        f"{base}/slack/events",
        SIGNING_SECRET,
        response_url=fake.response_url,
        check=fake.check,
    )
    try:
        yield Bot(runtime=runtime, slack=client, fake=fake, url=base)
    finally:
        await client.close()
        await runner.cleanup()
        await runtime.aclose()
