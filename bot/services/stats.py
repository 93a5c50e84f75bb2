"""What the metrics read from the database when scraped."""

from __future__ import annotations

from datetime import datetime

from bot.services.ports import Counts, UnitOfWork


async def counts(*, uow: UnitOfWork, now: datetime) -> Counts:
    async with uow:
        return await uow.stats.counts(now)
