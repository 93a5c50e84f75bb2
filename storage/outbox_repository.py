"""The outbox's rows: effects owed to Slack, claimed exactly once across processes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.outbox import Effect
from storage.sql import insert_ignore, rowcount
from storage.tables import outbox


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.added = False  # an effect was written in this unit of work: deliver after commit

    async def add(
        self, *, kind: str, subject_id: int, key: str, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Owe an effect, due now; False when the same key was owed already (idempotent)."""
        values = {
            "kind": kind,
            "subject_id": subject_id,
            "key": key,
            "payload": payload,
            "state": "pending",
            "attempts": 0,
            "due_at": now,
            "created_at": now,
        }
        inserted = await insert_ignore(self._session, outbox, values)
        self.added = self.added or inserted
        return inserted

    async def lock_due(self, now: datetime, limit: int) -> list[Effect]:
        """Lock what is due (pending, or sending with an expired lease) for this transaction;
        rows another process holds are skipped."""
        rows = await self._session.execute(
            select(outbox)
            .where(outbox.c.state.in_(("pending", "sending")), outbox.c.due_at <= now)
            .order_by(outbox.c.due_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_effect(row) for row in rows]

    async def get(self, effect_id: int) -> Effect | None:
        row = (await self._session.execute(select(outbox).where(outbox.c.id == effect_id))).first()
        return None if row is None else _effect(row)

    async def set(self, effect_id: int, **values: Any) -> None:
        await self._session.execute(update(outbox).where(outbox.c.id == effect_id).values(**values))

    async def settle(self, effect_id: int, claimed_attempt: int, **values: Any) -> bool:
        """Settle a delivery only while it is still this claim's (fenced by the attempt): one
        that outlived its lease and was claimed again by another process changes nothing."""
        result = await self._session.execute(
            update(outbox)
            .where(
                outbox.c.id == effect_id,
                outbox.c.state == "sending",
                outbox.c.attempts == claimed_attempt,
            )
            .values(**values)
        )
        return rowcount(result) == 1

    async def retry_now(self, subject_id: int, kind: str, now: datetime) -> int:
        """Make a waiting or failed effect of this kind due now (a person asked); how many."""
        result = await self._session.execute(
            update(outbox)
            .where(
                outbox.c.subject_id == subject_id,
                outbox.c.kind == kind,
                outbox.c.state.in_(("pending", "failed")),
            )
            .values(state="pending", due_at=now)
        )
        self.added = self.added or rowcount(result) > 0
        return rowcount(result)

    async def listing(self, states: Iterable[str]) -> list[Effect]:
        rows = await self._session.execute(
            select(outbox)
            .where(outbox.c.state.in_(list(states)))
            .order_by(outbox.c.due_at, outbox.c.id)
        )
        return [_effect(row) for row in rows]

    async def for_subject(self, subject_id: int) -> list[Effect]:
        rows = await self._session.execute(
            select(outbox).where(outbox.c.subject_id == subject_id).order_by(outbox.c.id)
        )
        return [_effect(row) for row in rows]

    async def purge(self, before: datetime) -> int:
        """Forget effects delivered (or cancelled) before `before`; pending and failed stay."""
        done = outbox.c.state.in_(("sent", "cancelled"))
        when = func.coalesce(outbox.c.sent_at, outbox.c.due_at)
        result = await self._session.execute(outbox.delete().where(done, when < before))
        return rowcount(result)


def _effect(row: Any) -> Effect:
    return Effect(**row._mapping)
