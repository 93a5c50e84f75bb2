"""The shared replay guard on PostgreSQL (bot/replay.py, storage/seen.py): requests checked
together in one statement, each answered as if alone; two processes share what they saw."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.replay import SharedReplayGuard
from storage.db import create_engine
from storage.migrate import upgrade

pytestmark = pytest.mark.postgres


async def test_a_burst_is_checked_together_and_each_answered_as_if_alone(postgres_url) -> None:
    first, second = create_engine(postgres_url), create_engine(postgres_url)
    try:
        await upgrade(first)
        one, other = SharedReplayGuard(first), SharedReplayGuard(second)
        signatures = [f"v0={i:064x}" for i in range(60)]
        fresh = await asyncio.gather(*(one.check("1", s) for s in signatures))
        assert fresh == [True] * 60
        # The other process sees them all as replays; a new one among them is fresh.
        again = await asyncio.gather(*(other.check("1", s) for s in [*signatures, "v0=new"]))
        assert again == [False] * 60 + [True]
        # The same request twice at once, in one process: one of the two goes through.
        twice = await asyncio.gather(other.check("2", "v0=twin"), other.check("2", "v0=twin"))
        assert sorted(twice) == [False, True]
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_signature_past_the_window_is_fresh_again(postgres_url) -> None:
    engine = create_engine(postgres_url)
    clock = [datetime(2026, 11, 29, 9, 0, tzinfo=UTC)]
    try:
        await upgrade(engine)
        guard = SharedReplayGuard(engine, clock=lambda: clock[0])
        assert await guard.check("1", "v0=old") is True
        later = SharedReplayGuard(engine, clock=lambda: clock[0])  # another process
        assert await later.check("1", "v0=old") is False
        clock[0] += timedelta(minutes=6)
        assert await SharedReplayGuard(engine, clock=lambda: clock[0]).check("1", "v0=old")
        await guard.forget_old()
    finally:
        await engine.dispose()
