"""Migration 0004_reminder_subject on both databases: reminders written before it learn what
they are about from their kind, and an escalation's occasion is unique per postmortem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import reminders

NOW = datetime(2021, 12, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def test_existing_reminders_get_their_subjects_type_from_their_kind(engine):
    await upgrade(engine, "0001")
    async with engine.begin() as conn:
        for kind, subject in (("author", 1), ("action", 1), ("digest", 0), ("escalation", 1)):
            await conn.execute(
                text(
                    "INSERT INTO reminders (kind, subject_id, recipient, seq, nth, due_at, state,"
                    " attempts, created_at) VALUES (:kind, :subject, 'U1', 1, 1, :now, 'pending',"
                    " 0, :now)"
                ),
                {"kind": kind, "subject": subject, "now": NOW.replace(tzinfo=None)},
            )
    await upgrade(engine)
    async with engine.connect() as conn:
        found = dict((await conn.execute(select(reminders.c.kind, reminders.c.subject_kind))).all())
    assert found == {
        "author": "postmortem",
        "action": "action_item",
        "digest": "workspace",
        "escalation": "postmortem",
    }


async def test_one_escalation_per_postmortem_and_occasion(engine):
    await upgrade(engine)
    row = {
        "kind": "escalation",
        "subject_kind": "postmortem",
        "subject_id": 1,
        "nth": 1,
        "due_at": NOW,
        "state": "pending",
        "attempts": 0,
        "created_at": NOW,
        "occasion": "reviewer:1",
    }
    async with engine.begin() as conn:
        await conn.execute(insert(reminders).values(row | {"recipient": "C1", "seq": 1}))
        await conn.execute(
            insert(reminders).values(row | {"seq": 2, "recipient": "C1", "occasion": "reviewer:2"})
        )
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:  # another process, another target: still the same one
            await conn.execute(insert(reminders).values(row | {"recipient": "U9", "seq": 1}))
