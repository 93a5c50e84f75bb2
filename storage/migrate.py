"""Apply Alembic migrations programmatically (at start-up and by `furikaeri db upgrade`)."""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: two bot processes starting at once on PostgreSQL take turns migrating.
_PG_MIGRATION_LOCK = 0x6675726B


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision`; processes starting at once take turns."""
    async with _sqlite_file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        before = await conn.run_sync(_current)
        await conn.run_sync(lambda sync_conn: command.upgrade(alembic_config(sync_conn), revision))
        after = await conn.run_sync(_current)
    if before != after:
        log.info("database schema upgraded from %s to %s", before or "nothing", after)


def _current(sync_conn: Connection) -> str | None:
    return ",".join(sorted(MigrationContext.configure(sync_conn).get_current_heads())) or None


@asynccontextmanager
async def _sqlite_file_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    # SQLite has no advisory locks; a lock file beside the database plays that part.
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    handle = await asyncio.to_thread(_lock, f"{database}.migrate-lock")
    try:
        yield
    finally:
        handle.close()  # closing the file releases the lock


def _lock(path: str) -> TextIO:
    handle = open(path, "a")  # noqa: SIM115 - kept open while the lock is held
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database's schema is the newest this code knows (for readiness)."""

    def compare(sync_conn: Connection) -> bool:
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()
        current = MigrationContext.configure(sync_conn).get_current_heads()
        return set(current) == set(heads)

    async with engine.connect() as conn:
        return await conn.run_sync(compare)
