"""Repositories: the only place that knows rows; they hand plain domain dataclasses out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import InvalidTransition
from bot.domain.lifecycle import CLOSED_MEANWHILE
from bot.domain.model import CloseFacts, Incident, Postmortem, Trigger
from storage.sql import rowcount
from storage.tables import counters, incidents, postmortems


class IncidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self) -> int:
        """Take the next incident number; the row lock makes it unique across processes."""
        result = await self._session.execute(
            update(counters)
            .where(counters.c.name == "incident")
            .values(value=counters.c.value + 1)
            .returning(counters.c.value)
        )
        return int(result.scalar_one())

    async def add(self, **values: Any) -> Incident:
        values.setdefault("status", "investigating")
        result = await self._session.execute(
            insert(incidents).values(**values).returning(incidents)
        )
        return _incident(result.one()._mapping)

    async def get(self, incident_id: int) -> Incident | None:
        return await self._one(incidents.c.id == incident_id)

    async def by_number(self, number: int) -> Incident | None:
        return await self._one(incidents.c.number == number)

    async def by_channel(self, channel_id: str) -> Incident | None:
        return await self._one(incidents.c.channel_id == channel_id)

    async def update_open(self, incident_id: int, **values: Any) -> None:
        """Change an incident that is still open (a close that won a race is never undone)."""
        result = await self._session.execute(
            update(incidents)
            .where(incidents.c.id == incident_id, incidents.c.status != "closed")
            .values(**values)
        )
        if rowcount(result) != 1:
            raise InvalidTransition(CLOSED_MEANWHILE)

    async def update(self, incident_id: int, **values: Any) -> None:
        await self._session.execute(
            update(incidents).where(incidents.c.id == incident_id).values(**values)
        )

    async def close(
        self, incident_id: int, *, closed_at: datetime, closed_by: str, facts: CloseFacts
    ) -> bool:
        """Close an incident; False when it was closed already (another close won)."""
        result = await self._session.execute(
            update(incidents)
            .where(incidents.c.id == incident_id, incidents.c.status != "closed")
            .values(
                status="closed",
                closed_at=closed_at,
                closed_by=closed_by,
                has_facts=True,
                impact_seconds=None if facts.impact is None else int(facts.impact.total_seconds()),
                data_loss=facts.data_loss,
                intervention=facts.intervention,
                detected_by=facts.detected_by,
            )
        )
        return rowcount(result) == 1

    async def unfinished(
        self, declared_by: str, title: str, private: bool, since: datetime
    ) -> Incident | None:
        """An open incident this person declared with this title (as private or not) whose
        channel is not set up yet (a start Slack held up): declaring it again resumes that one."""
        row = (
            await self._session.execute(
                select(incidents)
                .where(
                    incidents.c.declared_by == declared_by,
                    incidents.c.title == title,
                    incidents.c.private == private,
                    incidents.c.channel_id.is_(None),
                    incidents.c.status != "closed",
                    incidents.c.declared_at >= since,
                )
                .order_by(incidents.c.id)
                .limit(1)
            )
        ).first()
        return None if row is None else _incident(row._mapping)

    async def remove(self, incident_id: int) -> None:
        await self._session.execute(delete(incidents).where(incidents.c.id == incident_id))

    async def _one(self, condition: Any) -> Incident | None:
        row = (await self._session.execute(select(incidents).where(condition))).one_or_none()
        return None if row is None else _incident(row._mapping)


class PostmortemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        incident_id: int,
        author: str,
        reviewers: tuple[str, ...],
        created_at: datetime,
        triggers: tuple[Trigger, ...],
    ) -> Postmortem:
        result = await self._session.execute(
            insert(postmortems)
            .values(
                incident_id=incident_id,
                status="draft",
                author=author,
                reviewers=list(reviewers),
                created_at=created_at,
                triggers=[_stored_trigger(t) for t in triggers],
                sections={},
            )
            .returning(postmortems)
        )
        return _postmortem(result.one()._mapping)

    async def for_incident(self, incident_id: int) -> Postmortem | None:
        row = (
            await self._session.execute(
                select(postmortems).where(postmortems.c.incident_id == incident_id)
            )
        ).one_or_none()
        return None if row is None else _postmortem(row._mapping)

    async def get(self, postmortem_id: int, *, for_update: bool = False) -> Postmortem | None:
        """The postmortem; with `for_update`, its row stays locked until the unit of work ends,
        so transitions of one postmortem are serialised (SELECT … FOR UPDATE on PostgreSQL;
        SQLite's transactions begin IMMEDIATE, holding the one write lock, see storage/db.py)."""
        query = select(postmortems).where(postmortems.c.id == postmortem_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _postmortem(row._mapping)

    async def lock(self, postmortem_id: int) -> Postmortem | None:
        """The same as `get(id, for_update=True)`."""
        return await self.get(postmortem_id, for_update=True)

    async def update(self, postmortem_id: int, **values: Any) -> Postmortem:
        result = await self._session.execute(
            update(postmortems)
            .where(postmortems.c.id == postmortem_id)
            .values(**values)
            .returning(postmortems)
        )
        return _postmortem(result.one()._mapping)

    async def awaiting(self) -> list[Postmortem]:
        """Postmortems still to be written, reviewed or published, oldest first."""
        rows = await self._session.execute(
            select(postmortems)
            .where(postmortems.c.status.in_(("draft", "in_review", "approved")))
            .order_by(postmortems.c.created_at, postmortems.c.id)
        )
        return [_postmortem(row._mapping) for row in rows]

    async def set_document(
        self, postmortem_id: int, *, kind: str, doc_id: str, url: str | None
    ) -> None:
        await self._session.execute(
            update(postmortems)
            .where(postmortems.c.id == postmortem_id)
            .values(doc_kind=kind, doc_id=doc_id, doc_url=url)
        )


def _incident(row: Any) -> Incident:
    facts = None
    if row["has_facts"]:
        seconds = row["impact_seconds"]
        facts = CloseFacts(
            impact=None if seconds is None else timedelta(seconds=seconds),
            data_loss=bool(row["data_loss"]),
            intervention=row["intervention"],
            detected_by=row["detected_by"],
        )
    fields = {k: row[k] for k in Incident.__dataclass_fields__ if k != "facts"}
    return Incident(**fields, facts=facts)


def _postmortem(row: Any) -> Postmortem:
    plain = {k: row[k] for k in Postmortem.__dataclass_fields__ if k in row}
    return Postmortem(
        **plain
        | {
            "reviewers": tuple(row["reviewers"]),
            "triggers": tuple(_trigger(t) for t in row["triggers"]),
            "sections": dict(row["sections"]),
        }
    )


def _stored_trigger(trigger: Trigger) -> dict[str, Any]:
    if trigger.said is None:  # words an older version stored, kept as they were
        return {"id": trigger.id, "reason": trigger.words or ""}
    return {"id": trigger.id, "said": dict(trigger.said)}


def _trigger(stored: dict[str, Any]) -> Trigger:
    if "said" in stored:
        return Trigger(id=stored["id"], said=stored["said"])
    return Trigger(id=stored["id"], words=stored["reason"])
