"""What the metrics read from the database when scraped."""

from __future__ import annotations

from datetime import datetime

from storage.stats_repository import Counts
from storage.uow import UnitOfWork


async def counts(*, uow: UnitOfWork, now: datetime) -> Counts:
    async with uow:
        return await uow.stats.counts(now)
