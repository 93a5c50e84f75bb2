"""Read-only use cases: everything known about one incident, for export and rendering."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import IncidentNotFound
from bot.domain.model import Incident, Postmortem, TimelineEntry
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class IncidentReport:
    incident: Incident
    timeline: list[TimelineEntry]
    postmortem: Postmortem | None


async def incident_report(
    *, uow: UnitOfWork, number: int | None = None, incident_id: int | None = None
) -> IncidentReport:
    """The incident, its whole timeline and its postmortem (if any)."""
    async with uow:
        if number is not None:
            incident = await uow.incidents.by_number(number)
        else:
            incident = await uow.incidents.get(incident_id or 0)
        if incident is None:
            raise IncidentNotFound(f"There is no incident INC-{number or incident_id}.")
        timeline = await uow.timeline.for_incident(incident.id)
        postmortem = await uow.postmortems.for_incident(incident.id)
    return IncidentReport(incident=incident, timeline=timeline, postmortem=postmortem)
