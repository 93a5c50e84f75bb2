"""Migration 0006_private on both databases: incidents declared before it are public, a new one
can be private, and the way back drops only the flag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, inspect, select, text

from storage.db import create_engine
from storage.migrate import alembic_config, upgrade
from storage.tables import incidents

NOW = datetime(2021, 12, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def _columns(engine) -> set[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("incidents")}
        )


async def test_incidents_from_before_are_public_and_new_ones_may_be_private(engine):
    await upgrade(engine, "0005_people")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO incidents (number, title, status, declared_by, declared_in,"
                " started_at, declared_at, entry_seq, action_seq, has_facts) VALUES"
                " (1, 'old', 'investigating', 'U1', 'C0', :now, :now, 0, 0, :no)"
            ),
            {"now": NOW.replace(tzinfo=None), "no": False},
        )
    assert "private" not in await _columns(engine)

    await upgrade(engine)

    row = {
        "number": 2,
        "title": "new",
        "status": "investigating",
        "declared_by": "U1",
        "declared_in": "C0",
        "started_at": NOW,
        "declared_at": NOW,
    }
    async with engine.begin() as conn:
        await conn.execute(insert(incidents).values(row))  # the flag left out: public
        await conn.execute(insert(incidents).values(row | {"number": 3, "private": True}))
    async with engine.connect() as conn:
        found = (await conn.execute(select(incidents.c.number, incidents.c.private))).all()
    assert sorted(found) == [(1, False), (2, False), (3, True)]


async def test_the_way_back_to_0005_drops_the_flag_and_keeps_the_incidents(engine):
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(incidents).values(
                number=1,
                title="secret",
                status="investigating",
                declared_by="U1",
                declared_in="C0",
                started_at=NOW,
                declared_at=NOW,
                private=True,
            )
        )

    def downgrade(sync):
        from alembic import command

        command.downgrade(alembic_config(sync), "0005_people")

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)

    assert "private" not in await _columns(engine)
    async with engine.connect() as conn:
        titles = (await conn.execute(text("SELECT title FROM incidents"))).scalars().all()
    assert titles == ["secret"]
