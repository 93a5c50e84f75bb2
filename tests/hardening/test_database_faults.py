"""The database briefly unavailable: SQLite locked by another writer, PostgreSQL connections
killed or refused. Requests fail in time with a clear message, nothing is half-written, and the
bot recovers by itself."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.db import SQLITE_BUSY_TIMEOUT_MS
from tests.conftest import PG_ADMIN_DSN
from tests.hardening.helpers import bot_on, counts, healthz
from tests.support.flows import count_incidents, declare, eventually, reaction, send_event, stored

SLACK_DEADLINE = 3.0  # seconds Slack waits for an acknowledgement
HOLD = SQLITE_BUSY_TIMEOUT_MS / 1000 + 0.5  # longer than the bot is willing to wait for a lock


def notes(report) -> list[str]:
    return [e.text for e in report.timeline if e.kind == "note"]


@asynccontextmanager
async def exclusive_lock(sqlite_url: str) -> AsyncIterator[None]:
    """Another writer (another process, as far as the bot can tell) holding the write lock.
    Taken off the event loop: the bot, in this loop, may be finishing a transaction."""
    holder = sqlite3.connect(
        make_url(sqlite_url).database, isolation_level=None, timeout=10, check_same_thread=False
    )
    await asyncio.to_thread(holder.execute, "BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def timed(coro):
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await coro
    return result, loop.time() - start


async def hold_until(started: float) -> None:
    """Keep the lock until it has been held for longer than the busy timeout."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, started + HOLD - loop.time()))


# ---- SQLite locked by another writer ---------------------------------------------------------


async def test_a_note_while_sqlite_is_locked_is_refused_in_time_and_not_half_written(
    bot, sqlite_url
):
    number, channel = await declare(bot, "Locked database")
    before = await counts(bot)

    async with exclusive_lock(sqlite_url):
        locked_at = asyncio.get_running_loop().time()
        reply, took = await timed(
            bot.slack.command("note written while locked", channel_id=channel)
        )
        await hold_until(locked_at)

    assert reply.status == 200 and reply.json, (reply.status, reply.body)
    assert reply.json["response_type"] == "ephemeral" and "try again" in reply.json["text"]
    assert took < SLACK_DEADLINE, f"answered after {took:.1f}s: Slack gave up at 3s"
    after = await bot.slack.command("note written after the lock", channel_id=channel)
    assert after.json["response_type"] == "in_channel", after.body
    assert notes(await stored(bot, number)) == ["written after the lock"]
    assert await counts(bot) == (before[0], before[1] + 1, before[2])


async def test_a_start_while_sqlite_is_locked_leaves_no_incident_and_no_channel(bot, sqlite_url):
    async with exclusive_lock(sqlite_url):
        locked_at = asyncio.get_running_loop().time()
        reply, took = await timed(bot.slack.command("start Declared into a locked database"))
        await hold_until(locked_at)

    assert reply.status == 200 and reply.json, (reply.status, reply.body)
    assert reply.json["response_type"] == "ephemeral" and "try again" in reply.json["text"]
    assert took < SLACK_DEADLINE, f"answered after {took:.1f}s: Slack gave up at 3s"
    assert await counts(bot) == (0, 0, 0)
    assert bot.fake.calls_to("conversations.create") == []
    number, _ = await declare(bot, "Declared once the lock is gone")
    assert (await stored(bot, number)).incident.title == "Declared once the lock is gone"


async def test_a_pin_while_sqlite_is_locked_is_explained_and_can_be_repeated(bot, sqlite_url):
    number, channel = await declare(bot, "Pinned while locked")
    ts = bot.fake.post_as_user(channel, "U5", "primary is back")

    async with exclusive_lock(sqlite_url):
        locked_at = asyncio.get_running_loop().time()
        reply = await send_event(bot, reaction(channel, ts, "U6"))  # events are acked at once
        assert reply.status == 200
        told = await bot.fake.wait_for(
            "chat.postEphemeral", lambda c: c.args["user"] == "U6", timeout=HOLD + 5
        )
        await hold_until(locked_at)

    assert told.args["channel"] == channel and "try again" in told.args["text"]
    assert [e for e in (await stored(bot, number)).timeline if e.kind == "message"] == []
    await send_event(bot, reaction(channel, ts, "U6"))  # the person pins it again
    report = await eventually(
        lambda: stored(bot, number), lambda r: any(e.kind == "message" for e in r.timeline)
    )
    assert [e.text for e in report.timeline if e.kind == "message"] == ["primary is back"]


# ---- PostgreSQL connections killed or refused ------------------------------------------------


@asynccontextmanager
async def admin():
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        yield conn
    finally:
        await conn.close()


async def terminate_backends(url: str) -> int:
    """Kill every server process serving the bot's database; how many there were."""
    name = make_url(url).database
    async with admin() as conn:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    return len(rows)


async def allow_connections(url: str, allowed: bool) -> None:
    name = make_url(url).database
    async with admin() as conn:
        await conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')


@pytest.mark.postgres
async def test_killed_postgres_connections_are_replaced_before_the_next_request(
    postgres_url, fake_slack, policy
):
    async with bot_on(postgres_url, fake_slack, policy) as bot:
        number, channel = await declare(bot, "Connections killed")
        assert await terminate_backends(postgres_url) >= 1  # the pool held some

        reply = await bot.slack.command("note after the kill", channel_id=channel)

        assert reply.status == 200 and reply.json["response_type"] == "in_channel", reply.body
        assert await healthz(bot) == 200
        await terminate_backends(postgres_url)
        assert await healthz(bot) == 200
        assert notes(await stored(bot, number)) == ["after the kill"]


@pytest.mark.postgres
async def test_while_postgres_refuses_connections_requests_fail_clearly_then_recover(
    postgres_url, fake_slack, policy
):
    async with bot_on(postgres_url, fake_slack, policy) as bot:
        number, channel = await declare(bot, "Database away")
        await allow_connections(postgres_url, False)
        try:
            await terminate_backends(postgres_url)
            note, took = await timed(bot.slack.command("note while away", channel_id=channel))
            start = await bot.slack.command("start Declared while away")
            health = await healthz(bot)
        finally:
            await allow_connections(postgres_url, True)

        assert note.status == 200 and note.json, (note.status, note.body)
        assert note.json["response_type"] == "ephemeral" and "try again" in note.json["text"]
        assert took < SLACK_DEADLINE
        assert start.status == 200 and start.json["response_type"] == "ephemeral"
        assert "try again" in start.json["text"]
        assert health == 503
        assert bot.fake.calls_to("conversations.create")[1:] == []  # no channel for it

        # Back: the bot recovers by itself.
        assert await healthz(bot) == 200
        again = await bot.slack.command("note back again", channel_id=channel)
        assert again.json["response_type"] == "in_channel", again.body
        assert notes(await stored(bot, number)) == ["back again"]
        assert await count_incidents(bot) == 1


# ---- stopping while the database is slow -----------------------------------------------------


async def test_shutdown_while_a_nudge_tick_waits_on_the_database_is_prompt(tmp_path, fake_slack):
    """SIGTERM (a deploy, a restart) while the scheduler's tick is inside a database call: the
    process exits promptly instead of hanging until it is killed."""
    import signal

    import aiohttp

    from tests.hardening.helpers import bot_env, bot_process

    policy = tmp_path / "policy.yml"
    policy.write_text("reminders:\n  poll_interval: 1s\n")
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = bot_env(fake_slack, url, FURIKAERI_POLICY=str(policy))
    async with aiohttp.ClientSession() as session, bot_process(env, session, fake_slack) as bot:
        async with exclusive_lock(url):  # another writer, for longer than the busy timeout
            await asyncio.sleep(1.5)  # a tick (every second) is now waiting for the lock
            bot.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.proc.wait(), HOLD + 3)
            except TimeoutError:
                bot.kill9()
                raise AssertionError(
                    f"still running {HOLD + 3:.0f} s after SIGTERM: shutdown hangs"
                ) from None
        assert bot.proc.returncode == 0
