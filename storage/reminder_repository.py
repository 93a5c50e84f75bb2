"""Nudges as rows, and review decisions.

A row's subject is (subject_kind, subject_id): postmortem 7 and action item 7 are unrelated.
Methods that take a nudge kind derive the subject's type from it (bot/domain/nudges.py); the
others take it by name. No query asks for a subject by its id alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.model import Approval, Reminder
from bot.domain.nudges import POSTMORTEM, subject_of, subject_of_all
from storage.sql import insert_ignore, rowcount
from storage.tables import approvals, reminders


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(
        self,
        *,
        kind: str,
        subject_id: int,
        recipient: str,
        due_at: datetime,
        now: datetime,
        after: Reminder | None = None,
        occasion: str | None = None,
    ) -> bool:
        """Plan the occurrence that follows `after` (or a new series); False when that occurrence
        was planned already, by anyone — or, with an `occasion`, when one was ever planned for it
        (the database's unique key decides, so racing processes plan it once)."""
        if after is None:
            seq, nth = await self._last_seq(kind, subject_id, recipient) + 1, 1
        else:
            seq, nth = after.seq + 1, after.nth + 1
        values = {
            "kind": kind,
            "subject_kind": subject_of(kind),
            "subject_id": subject_id,
            "occasion": occasion,
            "recipient": recipient,
            "seq": seq,
            "nth": nth,
            "due_at": due_at,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
        }
        return await insert_ignore(self._session, reminders, values)

    async def _last_seq(self, kind: str, subject_id: int, recipient: str) -> int:
        result = await self._session.execute(
            select(func.coalesce(func.max(reminders.c.seq), 0)).where(
                reminders.c.kind == kind,
                reminders.c.subject_kind == subject_of(kind),
                reminders.c.subject_id == subject_id,
                reminders.c.recipient == recipient,
            )
        )
        return int(result.scalar_one())

    async def pending(self, kind: str, subject_id: int, recipient: str) -> Reminder | None:
        """The planned, not yet sent occurrence of a series, if any."""
        row = (
            await self._session.execute(
                select(reminders).where(
                    reminders.c.kind == kind,
                    reminders.c.subject_kind == subject_of(kind),
                    reminders.c.subject_id == subject_id,
                    reminders.c.recipient == recipient,
                    reminders.c.state == "pending",
                )
            )
        ).first()
        return None if row is None else Reminder(**row._mapping)

    async def latest(self, kind: str, subject_id: int, recipient: str) -> Reminder | None:
        """The last occurrence of a series planned so far, whatever became of it."""
        row = (
            await self._session.execute(
                select(reminders)
                .where(
                    reminders.c.kind == kind,
                    reminders.c.subject_kind == subject_of(kind),
                    reminders.c.subject_id == subject_id,
                    reminders.c.recipient == recipient,
                )
                .order_by(reminders.c.seq.desc())
            )
        ).first()
        return None if row is None else Reminder(**row._mapping)

    async def last_sent(self, kind: str, recipient: str) -> Reminder | None:
        row = (
            await self._session.execute(
                select(reminders)
                .where(
                    reminders.c.kind == kind,
                    reminders.c.recipient == recipient,
                    reminders.c.state == "sent",
                )
                .order_by(reminders.c.sent_at.desc())
            )
        ).first()
        return None if row is None else Reminder(**row._mapping)

    async def due(self, now: datetime, limit: int) -> list[Reminder]:
        """Pending nudges whose time has come, oldest first (a plain read)."""
        rows = await self._session.execute(
            select(reminders)
            .where(reminders.c.state == "pending", reminders.c.due_at <= now)
            .order_by(reminders.c.due_at, reminders.c.id)
            .limit(limit)
        )
        return [Reminder(**row._mapping) for row in rows]

    async def lock_due(self, now: datetime, limit: int) -> list[Reminder]:
        """Lock due nudges for this transaction; rows another process holds are skipped."""
        rows = await self._session.execute(
            select(reminders)
            .where(reminders.c.state == "pending", reminders.c.due_at <= now)
            .order_by(reminders.c.due_at, reminders.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [Reminder(**row._mapping) for row in rows]

    async def get(self, reminder_id: int) -> Reminder | None:
        row = (
            await self._session.execute(select(reminders).where(reminders.c.id == reminder_id))
        ).one_or_none()
        return None if row is None else Reminder(**row._mapping)

    async def set(self, reminder_id: int, **values: Any) -> None:
        await self._session.execute(
            update(reminders).where(reminders.c.id == reminder_id).values(**values)
        )

    async def cancel(
        self,
        subject_id: int,
        kinds: Iterable[str],
        *,
        recipient: str | None = None,
        reason: str,
    ) -> int:
        """Cancel pending nudges whose reason is gone; returns how many. The kinds say what
        `subject_id` names; they must all be about the same type of thing."""
        kinds = list(kinds)
        where = and_(
            reminders.c.subject_kind == subject_of_all(kinds),
            reminders.c.subject_id == subject_id,
            reminders.c.kind.in_(kinds),
            reminders.c.state == "pending",
        )
        if recipient is not None:
            where = and_(where, reminders.c.recipient == recipient)
        result = await self._session.execute(
            update(reminders).where(where).values(state="cancelled", last_error=reason)
        )
        return rowcount(result)

    async def listing(self, states: Iterable[str]) -> list[Reminder]:
        rows = await self._session.execute(
            select(reminders)
            .where(reminders.c.state.in_(list(states)))
            .order_by(reminders.c.due_at, reminders.c.id)
        )
        return [Reminder(**row._mapping) for row in rows]

    async def for_postmortem(self, postmortem_id: int) -> list[Reminder]:
        """Every nudge about this postmortem (never an action item that shares its id)."""
        rows = await self._session.execute(
            select(reminders)
            .where(reminders.c.subject_kind == POSTMORTEM, reminders.c.subject_id == postmortem_id)
            .order_by(reminders.c.due_at, reminders.c.id)
        )
        return [Reminder(**row._mapping) for row in rows]

    async def purge(self, before: datetime) -> int:
        """Forget nudges sent or cancelled before `before` (what is still pending stays)."""
        done = reminders.c.state.in_(("sent", "cancelled"))
        when = func.coalesce(reminders.c.sent_at, reminders.c.due_at)
        result = await self._session.execute(reminders.delete().where(done, when < before))
        return rowcount(result)

    async def decide(self, approval: Approval) -> None:
        """Record a reviewer's decision for the round, replacing an earlier one."""
        key = and_(
            approvals.c.postmortem_id == approval.postmortem_id,
            approvals.c.round == approval.round,
            approvals.c.reviewer == approval.reviewer,
        )
        await self._session.execute(approvals.delete().where(key))
        await self._session.execute(approvals.insert().values(**approval.__dict__))

    async def decisions(self, postmortem_id: int, round_: int) -> list[Approval]:
        rows = await self._session.execute(
            select(approvals).where(
                approvals.c.postmortem_id == postmortem_id, approvals.c.round == round_
            )
        )
        return [Approval(**row._mapping) for row in rows]
