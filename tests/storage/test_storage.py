"""Storage on the real databases: migrations, numbering and closing under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.domain.errors import InvalidTransition
from bot.domain.model import CloseFacts
from bot.domain.policy import Policy
from bot.services import incidents as svc
from bot.services.channels import IncidentChannels
from bot.services.notes import NoteWriter
from bot.services.reports import incident_report
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.tables import metadata
from storage.uow import Storage

NOW = datetime(2021, 12, 28, 12, 0, tzinfo=UTC)
FACTS = CloseFacts(
    impact=timedelta(minutes=30), data_loss=False, intervention="rollback", detected_by="monitoring"
)


class Db:
    """One "bot process" worth of storage: its own engine and connection pool."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.storage = Storage(session_factory(self.engine))

    async def declare(self, title: str, channel: str | None = None) -> int:
        incident = await svc.open_incident(
            uow=self.storage.uow(),
            title=title,
            severity=2,
            declared_by="U1",
            declared_in="C0",
            started_at=NOW - timedelta(hours=2),
            now=NOW,
        )
        if channel:
            await svc.attach_channel(
                uow=self.storage.uow(),
                incident_id=incident.id,
                channel_id=channel,
                channel_name=channel.lower(),
            )
        return incident.number


@pytest.fixture
async def two_processes(database_url):
    first, second = Db(database_url), Db(database_url)
    await asyncio.gather(upgrade(first.engine), upgrade(second.engine))  # both start at once
    yield first, second
    await first.engine.dispose()
    await second.engine.dispose()


async def test_migrations_create_exactly_the_declared_schema(two_processes):
    first, _ = two_processes
    async with first.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert diff == []


async def test_incident_numbers_are_unique_across_processes(two_processes):
    first, second = two_processes
    numbers = await asyncio.gather(
        *(db.declare(f"incident {i}") for i in range(15) for db in (first, second))
    )
    assert sorted(numbers) == list(range(1, 31))


async def test_numbers_are_not_reused_after_a_withdrawn_incident(two_processes):
    first, _ = two_processes
    number = await first.declare("withdrawn")
    report = await incident_report(uow=first.storage.uow(), number=number)
    await svc.discard_incident(uow=first.storage.uow(), incident_id=report.incident.id)
    assert await first.declare("next") == number + 1


async def test_only_one_of_two_concurrent_closes_wins(two_processes):
    first, second = two_processes
    number = await first.declare("raced", channel="CRACE")

    async def close(db: Db, user: str):
        return await svc.close_incident(
            uow=db.storage.uow(),
            channel_id="CRACE",
            closed_by=user,
            closed_at=NOW,
            facts=FACTS,
            reviewers=(),
            policy=Policy.default(),
            now=NOW,
        )

    results = await asyncio.gather(close(first, "U1"), close(second, "U1"), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], InvalidTransition)
    report = await incident_report(uow=first.storage.uow(), number=number)
    assert report.incident.closed_by == winners[0].incident.closed_by
    assert report.postmortem is not None and report.postmortem.author == report.incident.closed_by
    assert [e.kind for e in report.timeline].count("closed") == 1


async def test_times_round_trip_as_aware_utc(two_processes):
    first, _ = two_processes
    number = await first.declare("times", channel="CTIME")
    tokyo = datetime(2021, 12, 28, 20, 30, 15, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Tokyo")
    )
    notes = NoteWriter(first.storage, IncidentChannels(first.storage))
    now = datetime(2021, 12, 28, 21, 0, tzinfo=UTC)
    await notes.add(channel_id="CTIME", author="U1", text="t", at=tokyo, now=now)
    report = await incident_report(uow=first.storage.uow(), number=number)
    stored = next(e for e in report.timeline if e.kind == "note")
    assert stored.occurred_at == tokyo and stored.occurred_at.tzinfo == UTC


async def test_a_database_at_0001_upgrades_to_the_outbox_and_back(database_url):
    from sqlalchemy import inspect

    from storage.migrate import alembic_config

    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0001")
        await svc_declare(engine)  # a database in use, before the outbox existed
        await upgrade(engine)

        def tables(sync):
            return set(inspect(sync).get_table_names())

        async with engine.connect() as conn:
            assert "outbox" in await conn.run_sync(tables)

        def downgrade(sync):
            from alembic import command

            command.downgrade(alembic_config(sync), "0001")

        async with engine.begin() as conn:
            await conn.run_sync(downgrade)
        async with engine.connect() as conn:
            assert "outbox" not in await conn.run_sync(tables)
            assert "incidents" in await conn.run_sync(tables)
    finally:
        await engine.dispose()


async def svc_declare(engine) -> None:
    """An incident written the way release 0001 wrote it (no outbox row)."""
    from sqlalchemy import insert

    from storage.tables import incidents

    async with engine.begin() as conn:
        await conn.execute(
            insert(incidents).values(
                number=1,
                title="old",
                status="investigating",
                declared_by="U1",
                declared_in="C0",
                started_at=NOW,
                declared_at=NOW,
            )
        )
