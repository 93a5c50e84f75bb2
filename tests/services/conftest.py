"""The services tier: use cases run directly, in milliseconds, without Slack or HTTP.

Storage is the real adapter (storage/) on an in-memory SQLite database built from the tables'
metadata, so a flow here exercises the same queries the bot runs; the slower tiers
(tests/storage, tests/slack) cover migrations, PostgreSQL and the front door.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import AsyncAdaptedQueuePool, insert

from bot.domain.policy import Policy
from storage.db import create_engine, session_factory
from storage.tables import counters, metadata
from storage.uow import Storage

NOW = datetime(2021, 6, 1, 3, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def storage() -> AsyncIterator[Storage]:
    # In memory, held by the pool's one connection (create_engine keeps SQLite to one).
    engine = create_engine("sqlite+aiosqlite://", poolclass=AsyncAdaptedQueuePool)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(insert(counters).values(name="incident", value=0))
    yield Storage(session_factory(engine))
    await engine.dispose()


@pytest.fixture
def policy() -> Policy:
    return Policy.default()
