"""Signed requests seen lately, shared by every process on one PostgreSQL (bot/replay.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.sql import rowcount
from storage.tables import seen_requests


async def first_seen(engine: AsyncEngine, signature: str, now: datetime, window: timedelta) -> bool:
    """Record `signature`; False when some process recorded it within `window` (one statement:
    a row older than the window is taken over, a fresh one is left alone)."""
    column = seen_requests.c.seen_at
    statement = (
        insert(seen_requests)
        .values(signature=signature, seen_at=now)
        .on_conflict_do_update(
            index_elements=[seen_requests.c.signature],
            set_={"seen_at": now},
            where=column < now - window,
        )
        .returning(seen_requests.c.signature)
    )
    async with engine.begin() as conn:
        return (await conn.execute(statement)).first() is not None


async def forget_before(engine: AsyncEngine, before: datetime) -> int:
    async with engine.begin() as conn:
        return rowcount(
            await conn.execute(delete(seen_requests).where(seen_requests.c.seen_at < before))
        )
