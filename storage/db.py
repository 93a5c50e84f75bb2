"""Engine and session factory: built once, at start-up, by the composition root."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

# A writer waits this long for the lock, then gives up: well inside Slack's 3-second deadline,
# so the person hears "try again" instead of Slack's own timeout.
SQLITE_BUSY_TIMEOUT_MS = 1500


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite files get WAL mode and a busy timeout."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # One connection: SQLite has one writer anyway, and queueing for it here is fair and
        # cheap, where several connections would spin in the busy handler (see bench/RESULTS.md).
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # Waiting longer than this for a connection would miss Slack's deadline: refuse instead.
    kwargs.setdefault("pool_timeout", 2.0)
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; the busy timeout makes a writer wait for
    # the lock instead of failing at once; foreign keys are off by default in SQLite.
    # We issue BEGIN ourselves (below) instead of the driver's implicit, deferred one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that read first and writes later
    # can otherwise fail with "database is locked" instead of waiting its turn.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not reachable" for a health check
        return False
    return True
