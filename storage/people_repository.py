"""Who holds which role in an incident, and who responded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.sql import insert_ignore
from storage.tables import incident_roles, responders


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
