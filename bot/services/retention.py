"""Retention: nudges sent or cancelled, and effects delivered, are kept for the policy's
`reminders.keep_for` (90 days by default), then purged by the scheduler. Incidents, timelines,
postmortems and what is still pending are never purged."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.ports import UnitOfWork


async def purge(*, uow: UnitOfWork, now: datetime, keep_for: timedelta) -> tuple[int, int]:
    """(nudges, effects) purged."""
    before = now - keep_for
    async with uow:
        nudges = await uow.reminders.purge(before)
        effects = await uow.outbox.purge(before)
        await uow.commit()
    return nudges, effects
