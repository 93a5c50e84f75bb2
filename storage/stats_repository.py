"""Counts for the metrics (bot/metrics.py): read when /metrics is scraped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.ports import Counts
from storage.tables import incidents, outbox, postmortems, reminders


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def counts(self, now: datetime) -> Counts:
        run = self._session.execute
        counts = Counts()
        counts.open_incidents = int(
            (await run(select(func.count()).where(incidents.c.closed_at.is_(None)))).scalar_one()
        )
        rows = await run(select(postmortems.c.status, func.count()).group_by(postmortems.c.status))
        counts.postmortems = {status: int(n) for status, n in rows}
        rows = await run(select(reminders.c.state, func.count()).group_by(reminders.c.state))
        counts.nudges = {state: int(n) for state, n in rows}
        rows = await run(
            select(outbox.c.kind, outbox.c.state, func.count()).group_by(
                outbox.c.kind, outbox.c.state
            )
        )
        counts.effects = {(kind, state): int(n) for kind, state, n in rows}
        for queue, table, waiting in (
            ("nudges", reminders, ("pending",)),
            ("outbox", outbox, ("pending", "failed")),
        ):
            oldest = select(func.min(table.c.due_at)).where(
                table.c.state.in_(waiting), table.c.due_at <= now
            )
            counts.oldest_due[queue] = (await run(oldest)).scalar_one()
        return counts
