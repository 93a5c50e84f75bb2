"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """Insert unless a unique key already holds the row; True when inserted.

    The database decides, so two processes racing on the same row both succeed, once.
    """
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    result = await session.execute(module.insert(table).values(**values).on_conflict_do_nothing())
    return rowcount(result) == 1


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT, UPDATE or DELETE touched (its result is a CursorResult)."""
    assert isinstance(result, CursorResult)
    return result.rowcount
