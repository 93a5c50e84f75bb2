"""The postmortem as it is written: section revisions, action items, readers' feedback."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.model import ActionItem, Feedback, SectionRevision
from storage.sql import rowcount
from storage.tables import action_items, feedback, incidents, postmortem_revisions, postmortems


class WritingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_section(
        self,
        postmortem_id: int,
        *,
        sections: dict[str, str],
        expected_version: int,
        revision: SectionRevision,
    ) -> bool:
        """Store the sections if nobody saved since `expected_version`; False when someone did."""
        result = await self._session.execute(
            update(postmortems)
            .where(postmortems.c.id == postmortem_id, postmortems.c.version == expected_version)
            .values(sections=sections, version=expected_version + 1)
        )
        if rowcount(result) != 1:
            return False
        await self._session.execute(insert(postmortem_revisions).values(**asdict(revision)))
        return True

    async def revisions(
        self, postmortem_id: int, *, after_version: int = 0, section: str | None = None
    ) -> list[SectionRevision]:
        query = select(postmortem_revisions).where(
            postmortem_revisions.c.postmortem_id == postmortem_id,
            postmortem_revisions.c.version > after_version,
        )
        if section is not None:
            query = query.where(postmortem_revisions.c.section == section)
        rows = await self._session.execute(query.order_by(postmortem_revisions.c.version))
        return [SectionRevision(**{k: v for k, v in r._mapping.items() if k != "id"}) for r in rows]

    async def add_action(self, *, incident_id: int, **values: Any) -> ActionItem:
        seq = await self._session.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(action_seq=incidents.c.action_seq + 1)
            .returning(incidents.c.action_seq)
        )
        result = await self._session.execute(
            insert(action_items)
            .values(incident_id=incident_id, seq=seq.scalar_one(), state="open", **values)
            .returning(action_items)
        )
        return ActionItem(**result.one()._mapping)

    async def actions(self, incident_id: int) -> list[ActionItem]:
        rows = await self._session.execute(
            select(action_items)
            .where(action_items.c.incident_id == incident_id)
            .order_by(action_items.c.seq)
        )
        return [ActionItem(**row._mapping) for row in rows]

    async def action(
        self,
        *,
        incident_id: int | None = None,
        seq: int | None = None,
        action_id: int | None = None,
    ) -> ActionItem | None:
        if action_id is not None:
            where = action_items.c.id == action_id
        else:
            where = and_(action_items.c.incident_id == incident_id, action_items.c.seq == seq)
        row = (await self._session.execute(select(action_items).where(where))).one_or_none()
        return None if row is None else ActionItem(**row._mapping)

    async def update_action(self, action_id: int, **values: Any) -> ActionItem:
        result = await self._session.execute(
            update(action_items)
            .where(action_items.c.id == action_id)
            .values(**values)
            .returning(action_items)
        )
        return ActionItem(**result.one()._mapping)

    async def open_actions(self) -> list[ActionItem]:
        rows = await self._session.execute(
            select(action_items).where(action_items.c.state == "open").order_by(action_items.c.id)
        )
        return [ActionItem(**row._mapping) for row in rows]

    async def add_feedback(self, item: Feedback) -> bool:
        """Store feedback; a second "helpful" from the same person counts once."""
        if item.kind == "helpful":
            exists = await self._session.execute(
                select(feedback.c.id).where(
                    feedback.c.postmortem_id == item.postmortem_id,
                    feedback.c.user_id == item.user_id,
                    feedback.c.kind == "helpful",
                )
            )
            if exists.first() is not None:
                return False
        await self._session.execute(insert(feedback).values(**asdict(item)))
        return True

    async def feedback(self, postmortem_id: int) -> list[Feedback]:
        rows = await self._session.execute(
            select(feedback)
            .where(feedback.c.postmortem_id == postmortem_id)
            .order_by(feedback.c.id)
        )
        return [Feedback(**{k: v for k, v in r._mapping.items() if k != "id"}) for r in rows]
