"""Who people are: what Slack says of someone is kept, so documents show names, not ids."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Person
from bot.services.ports import UnitOfWork


async def remember_person(
    *, uow: UnitOfWork, person: Person, now: datetime, known_only: bool = False
) -> None:
    """Keep what Slack just said of someone (their name or zone may have changed); with
    ``known_only``, only someone already known (a workspace's profile changes are many)."""
    async with uow:
        await uow.people.remember(person, now, known_only=known_only)
        await uow.commit()
