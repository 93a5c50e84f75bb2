"""Who people are (names, zones), who holds which role in an incident, and who responded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.model import Person
from storage.sql import insert_ignore, rowcount
from storage.tables import incident_roles, people, responders


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(self, person: Person, at: datetime, *, known_only: bool = False) -> None:
        """Keep what Slack says of someone: a new row (unless ``known_only``), or the changed
        one."""
        values = {
            "display_name": person.display_name,
            "real_name": person.real_name,
            "tz": person.tz,
            "updated_at": at,
        }
        changed = await self._session.execute(
            update(people).where(people.c.user_id == person.id).values(**values)
        )
        if rowcount(changed) == 0 and not known_only:
            await insert_ignore(self._session, people, {"user_id": person.id, **values})

    async def known(self, user_ids: Iterable[str]) -> dict[str, Person]:
        """Those of ``user_ids`` we know, by id."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = await self._session.execute(select(people).where(people.c.user_id.in_(ids)))
        return {
            row.user_id: Person(row.user_id, row.display_name, row.real_name, row.tz)
            for row in rows
        }

    async def roles(self, incident_id: int) -> dict[str, str]:
        rows = await self._session.execute(
            select(incident_roles.c.role, incident_roles.c.user_id).where(
                incident_roles.c.incident_id == incident_id
            )
        )
        return {role: user for role, user in rows}

    async def assign(
        self, incident_id: int, *, role: str, user_id: str, at: datetime, by: str
    ) -> None:
        where = (incident_roles.c.incident_id == incident_id) & (incident_roles.c.role == role)
        await self._session.execute(delete(incident_roles).where(where))
        await self._session.execute(
            insert(incident_roles).values(
                incident_id=incident_id, role=role, user_id=user_id, assigned_at=at, assigned_by=by
            )
        )

    async def add_responder(self, incident_id: int, user_id: str, at: datetime) -> bool:
        values = {"incident_id": incident_id, "user_id": user_id, "joined_at": at}
        return await insert_ignore(self._session, responders, values)

    async def responders(self, incident_id: int) -> list[str]:
        rows = await self._session.execute(
            select(responders.c.user_id)
            .where(responders.c.incident_id == incident_id)
            .order_by(responders.c.joined_at, responders.c.user_id)
        )
        return [user for (user,) in rows]
