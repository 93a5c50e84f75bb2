"""Timeline entries, their revisions, and the votes that captured Slack messages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.model import Revision, TimelineEntry
from storage.sql import insert_ignore
from storage.tables import capture_votes, incidents, timeline_entries, timeline_revisions

# Built once: a burst of notes runs these for every group it writes.
_TAKE_NUMBERS = (
    update(incidents)
    .where(incidents.c.id == bindparam("incident"))
    .values(entry_seq=incidents.c.entry_seq + bindparam("count"))
    .returning(incidents.c.entry_seq, incidents.c.status)
)
_INSERT_ENTRIES = insert(timeline_entries).returning(timeline_entries)


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, incident_id: int, **values: Any) -> TimelineEntry:
        """Add an entry under the incident's next number."""
        (entry,) = await self.add_many(incident_id, [values])
        return entry

    async def add_many(self, incident_id: int, rows: list[dict[str, Any]]) -> list[TimelineEntry]:
        """Add entries (rows with the same keys) under the incident's next numbers, in order.

        The counter's row lock serialises writers, so numbers never repeat across processes."""
        entries, _ = await self.add_many_to(incident_id, rows)
        return entries

    async def add_many_to(
        self, incident_id: int, rows: list[dict[str, Any]]
    ) -> tuple[list[TimelineEntry], str]:
        """``add_many``, and the incident's status as it was written to (no extra query)."""
        taken = (
            await self._session.execute(
                _TAKE_NUMBERS, {"incident": incident_id, "count": len(rows)}
            )
        ).one()
        first = taken.entry_seq - len(rows) + 1
        numbered = [
            {"incident_id": incident_id, "seq": first + i, **row} for i, row in enumerate(rows)
        ]
        added = await self._session.execute(_INSERT_ENTRIES, numbered)
        # Sorted here rather than by the database: SQLite's driver would go one row at a time.
        entries = sorted((TimelineEntry(**row._mapping) for row in added), key=lambda e: e.seq)
        return entries, taken.status

    async def for_incident(
        self, incident_id: int, *, include_deleted: bool = False
    ) -> list[TimelineEntry]:
        """Entries in time order (ties in the order they were numbered)."""
        query = select(timeline_entries).where(timeline_entries.c.incident_id == incident_id)
        if not include_deleted:
            query = query.where(timeline_entries.c.deleted_at.is_(None))
        rows = await self._session.execute(
            query.order_by(timeline_entries.c.occurred_at, timeline_entries.c.seq)
        )
        return [TimelineEntry(**row._mapping) for row in rows]

    async def by_seq(self, incident_id: int, seq: int) -> TimelineEntry | None:
        return await self._one(
            and_(timeline_entries.c.incident_id == incident_id, timeline_entries.c.seq == seq)
        )

    async def by_message(self, incident_id: int, message_ts: str) -> TimelineEntry | None:
        return await self._one(
            and_(
                timeline_entries.c.incident_id == incident_id,
                timeline_entries.c.message_ts == message_ts,
            )
        )

    async def change(
        self, entry: TimelineEntry, *, action: str, by: str, at: datetime, **values: Any
    ) -> TimelineEntry:
        """Apply a change to an entry and keep its revision (who, when, before and after), in
        one go. The text's before is kept when the text changes or the entry is deleted; the
        time's when the time changes. New text is people's words: whatever the bot had said
        in the entry (a mark's default) gives way to them."""
        if "text" in values:
            values["said"] = None
        text_changes = "text" in values or action == "delete"
        revision = Revision(
            entry_id=entry.id,
            changed_at=at,
            changed_by=by,
            action=action,
            before_text=entry.text if text_changes else None,
            after_text=values.get("text"),
            before_at=entry.occurred_at if "occurred_at" in values else None,
            after_at=values.get("occurred_at"),
        )
        result = await self._session.execute(
            update(timeline_entries)
            .where(timeline_entries.c.id == entry.id)
            .values(**values)
            .returning(timeline_entries)
        )
        await self._session.execute(insert(timeline_revisions).values(**asdict(revision)))
        return TimelineEntry(**result.one()._mapping)

    async def revisions(self, incident_id: int) -> dict[int, list[Revision]]:
        """Every entry's history, oldest change first."""
        rows = await self._session.execute(
            select(timeline_revisions)
            .join(timeline_entries, timeline_entries.c.id == timeline_revisions.c.entry_id)
            .where(timeline_entries.c.incident_id == incident_id)
            .order_by(timeline_revisions.c.id)
        )
        history: dict[int, list[Revision]] = defaultdict(list)
        for row in rows:
            values = {k: v for k, v in row._mapping.items() if k != "id"}
            history[row.entry_id].append(Revision(**values))
        return dict(history)

    async def add_vote(self, incident_id: int, message_ts: str, user_id: str) -> bool:
        """Count a person's capture of a message; False when they had already."""
        values = {"incident_id": incident_id, "message_ts": message_ts, "user_id": user_id}
        return await insert_ignore(self._session, capture_votes, values)

    async def remove_vote(self, incident_id: int, message_ts: str, user_id: str) -> int:
        """Withdraw a capture; returns how many captures of the message remain."""
        where = and_(
            capture_votes.c.incident_id == incident_id, capture_votes.c.message_ts == message_ts
        )
        await self._session.execute(
            delete(capture_votes).where(where, capture_votes.c.user_id == user_id)
        )
        return await self.votes(incident_id, message_ts)

    async def votes(self, incident_id: int, message_ts: str) -> int:
        """How many people's captures of the message are counted."""
        where = and_(
            capture_votes.c.incident_id == incident_id, capture_votes.c.message_ts == message_ts
        )
        left = await self._session.execute(
            select(func.count()).select_from(capture_votes).where(where)
        )
        return int(left.scalar_one())

    async def _one(self, condition: Any) -> TimelineEntry | None:
        row = (await self._session.execute(select(timeline_entries).where(condition))).one_or_none()
        return None if row is None else TimelineEntry(**row._mapping)
