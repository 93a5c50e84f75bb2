"""Signed requests seen lately, shared by every process on one PostgreSQL (bot/replay.py)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.sql import rowcount
from storage.tables import seen_requests


async def first_seen(
    engine: AsyncEngine, signatures: Sequence[str], now: datetime, window: timedelta
) -> set[str]:
    """Record `signatures` (distinct); returns those no process recorded within `window`. One
    statement in autocommit, whatever their number (SQLAlchemy's insertmanyvalues), and always
    the same statement, so it is compiled once: a row older than the window is taken over, a
    fresh one is left alone."""
    return set(await _statement(int(window.total_seconds())).run(engine, signatures, now))


class _Guarded:
    def __init__(self, seconds: int) -> None:
        rows = insert(seen_requests)
        self.statement = rows.on_conflict_do_update(
            index_elements=[seen_requests.c.signature],
            set_={"seen_at": rows.excluded.seen_at},
            where=seen_requests.c.seen_at < rows.excluded.seen_at - text(f"interval '{seconds} s'"),
        ).returning(seen_requests.c.signature, sort_by_parameter_order=True)

    async def run(self, engine: AsyncEngine, signatures: Sequence[str], now: datetime) -> list[str]:
        async with engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            rows = [{"signature": s, "seen_at": now} for s in signatures]
            return list((await auto.execute(self.statement, rows)).scalars())


@functools.cache
def _statement(seconds: int) -> _Guarded:
    return _Guarded(seconds)


async def forget_before(engine: AsyncEngine, before: datetime) -> int:
    async with engine.begin() as conn:
        statement = delete(seen_requests).where(seen_requests.c.seen_at < before)
        return rowcount(await conn.execute(statement))
