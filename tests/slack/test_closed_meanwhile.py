"""A change that meets a close from elsewhere (another process closed the incident between the
change reading it and writing it) is refused with a domain error carrying its message id, said
in the workspace's language: the storage layer never speaks English to people."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text, update

from bot.domain.policy import Policy
from storage.tables import incidents
from tests.support.flows import declare, stored

JA = Policy.from_mapping({"locale": "ja"})


@pytest.mark.parametrize("policy", [JA])
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_change_meeting_a_close_from_elsewhere_is_refused_in_japanese(any_db_bot):
    """Another process closes the incident between the status change reading it and writing it:
    the write finds it closed and the refusal is said in the workspace's language."""
    bot = any_db_bot
    number, channel = await declare(bot, "Redis down")
    engine = bot.runtime.engine
    async with engine.connect() as closer:
        await closer.begin()
        await closer.execute(  # another process's close, not committed yet: it holds the row
            update(incidents)
            .where(incidents.c.number == number)
            .values(status="closed", closed_at=datetime.now(UTC), closed_by="U1")
        )
        change = asyncio.create_task(bot.slack.command("status identified", channel_id=channel))
        await _blocked_on_a_lock(engine)
        await closer.commit()
    reply = await change

    assert reply.json["response_type"] == "ephemeral"
    assert reply.json["text"] == "インシデントはたった今クローズされました。"
    report = await stored(bot, number)
    assert report.incident.status == "closed"
    assert [e.kind for e in report.timeline] == ["declared"]  # the refused change left nothing


async def _blocked_on_a_lock(engine, timeout: float = 2.0) -> None:
    """Wait until some session of this database waits for a row lock (the status change)."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with engine.connect() as conn:
        while asyncio.get_running_loop().time() < deadline:
            waiting = await conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            )
            if waiting.scalar_one():
                return
            await conn.rollback()  # a fresh snapshot of pg_stat_activity each time
            await asyncio.sleep(0.02)
    raise AssertionError("the status change never waited for the closing transaction")
