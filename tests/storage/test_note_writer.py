"""Group commit: notes that queue while a transaction is busy are written together, each one
answered only after the commit that holds it; on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from bot.domain.errors import BadTime, NotAnIncidentChannel
from bot.services.channels import IncidentChannels
from bot.services.notes import NoteWriter
from bot.services.reports import incident_report
from storage.migrate import upgrade
from storage.uow import Rejected, Unavailable
from tests.storage.test_storage import NOW, Db


@pytest.fixture
async def db(database_url):
    db = Db(database_url)
    await upgrade(db.engine)
    yield db
    await db.engine.dispose()


def count_commits(db: Db) -> list[int]:
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    return commits


async def warm(channels: IncidentChannels, channel: str) -> None:
    assert await channels.incident(channel) is not None  # later lookups need no database


async def test_a_burst_is_one_transaction_numbered_in_arrival_order(db):
    number = await db.declare("burst", channel="CBURST")
    channels = IncidentChannels(db.storage)
    writer = NoteWriter(db.storage, channels)
    await warm(channels, "CBURST")
    commits = count_commits(db)

    entries = await asyncio.gather(
        *(
            writer.add(channel_id="CBURST", author="U1", text=f"n{i}", at=None, now=NOW)
            for i in range(30)
        )
    )

    assert len(commits) == 1
    assert [e.text for e in entries] == [f"n{i}" for i in range(30)]
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 30))
    report = await incident_report(uow=db.storage.uow(), number=number)
    assert [e.text for e in report.timeline if e.kind == "note"] == [f"n{i}" for i in range(30)]


async def test_notes_arriving_during_a_commit_go_in_the_next_one(db):
    await db.declare("waves", channel="CWAVE")
    channels = IncidentChannels(db.storage)
    writer = NoteWriter(db.storage, channels)
    await warm(channels, "CWAVE")
    commits = count_commits(db)

    def add(text: str):
        return asyncio.ensure_future(
            writer.add(channel_id="CWAVE", author="U1", text=text, at=None, now=NOW)
        )

    first = add("first")
    await asyncio.sleep(0)  # the writer has started on "first"
    later = [add(f"later {i}") for i in range(5)]
    entries = await asyncio.gather(first, *later)

    assert len(commits) == 2
    assert sorted(e.seq for e in entries) == list(range(entries[0].seq, entries[0].seq + 6))


async def test_a_refused_note_waits_for_nothing_and_spoils_no_other(db):
    number = await db.declare("mixed", channel="CMIX")
    writer = NoteWriter(db.storage, IncidentChannels(db.storage))

    def add(channel: str, at: datetime | None, text: str):
        return writer.add(channel_id=channel, author="U1", text=text, at=at, now=NOW)

    results = await asyncio.gather(
        add("CMIX", None, "kept"),
        add("CMIX", NOW + timedelta(hours=1), "from the future"),
        add("CNOPE", None, "wrong channel"),
        add("CMIX", NOW - timedelta(days=3), "long before"),
        add("CMIX", NOW - timedelta(minutes=5), "also kept"),
        return_exceptions=True,
    )

    assert [type(r) for r in results[1:4]] == [BadTime, NotAnIncidentChannel, BadTime]
    report = await incident_report(uow=db.storage.uow(), number=number)
    assert sorted(e.text for e in report.timeline if e.kind == "note") == ["also kept", "kept"]


async def test_a_failed_commit_fails_every_note_in_it_and_keeps_none(db):
    number = await db.declare("down", channel="CDOWN")
    channels = IncidentChannels(db.storage)
    writer = NoteWriter(db.storage, channels)
    await warm(channels, "CDOWN")

    def refuse(*_args):
        raise OSError("database went away")

    event.listen(db.engine.sync_engine, "commit", refuse)
    results = await asyncio.gather(
        *(
            writer.add(channel_id="CDOWN", author="U1", text=f"n{i}", at=None, now=NOW)
            for i in range(3)
        ),
        return_exceptions=True,
    )
    event.remove(db.engine.sync_engine, "commit", refuse)

    assert [type(r) for r in results] == [Unavailable] * 3
    assert len({id(r) for r in results}) == 3  # each request has its own error to raise
    report = await incident_report(uow=db.storage.uow(), number=number)
    assert [e for e in report.timeline if e.kind == "note"] == []
    # and the writer carries on
    entry = await writer.add(channel_id="CDOWN", author="U1", text="back", at=None, now=NOW)
    assert entry.text == "back"


async def test_idle_waits_for_queued_notes(db):
    number = await db.declare("shutdown", channel="CIDLE")
    channels = IncidentChannels(db.storage)
    writer = NoteWriter(db.storage, channels)
    await warm(channels, "CIDLE")
    pending = [
        asyncio.ensure_future(
            writer.add(channel_id="CIDLE", author="U1", text=f"n{i}", at=None, now=NOW)
        )
        for i in range(4)
    ]
    await asyncio.sleep(0)  # each has queued its note (a cached channel needs no database)

    await writer.idle()

    assert all(p.done() for p in pending)
    report = await incident_report(uow=db.storage.uow(), number=number)
    assert len([e for e in report.timeline if e.kind == "note"]) == 4


async def test_a_note_the_database_refuses_fails_alone_and_not_as_busy(db):
    # Past the door's check (the NoteWriter is called directly): the batch that holds the bad
    # note fails, and its notes are written again one by one.
    number = await db.declare("one bad note", channel="CBAD")
    channels = IncidentChannels(db.storage)
    writer = NoteWriter(db.storage, channels)
    await warm(channels, "CBAD")
    commits = count_commits(db)
    texts = [f"n{i}" for i in range(6)]
    texts[2] = "lone \ud800 surrogate"  # neither database can store it

    results = await asyncio.gather(
        *(writer.add(channel_id="CBAD", author="U1", text=t, at=None, now=NOW) for t in texts),
        return_exceptions=True,
    )

    assert isinstance(results[2], Rejected), results[2]
    assert [r.text for i, r in enumerate(results) if i != 2] == [
        t for i, t in enumerate(texts) if i != 2
    ]
    assert len(commits) == 5  # the batch failed whole; each good note then went alone
    report = await incident_report(uow=db.storage.uow(), number=number)
    assert sorted(e.text for e in report.timeline if e.kind == "note") == sorted(
        t for i, t in enumerate(texts) if i != 2
    )


@pytest.mark.postgres
async def test_a_nul_refused_by_postgresql_is_rejected_not_unavailable(postgres_url):
    db = Db(postgres_url)
    await upgrade(db.engine)
    try:
        await db.declare("nul", channel="CNUL")
        writer = NoteWriter(db.storage, IncidentChannels(db.storage))
        with pytest.raises(Rejected):
            await writer.add(channel_id="CNUL", author="U1", text="a\x00b", at=None, now=NOW)
    finally:
        await db.engine.dispose()
