"""Read-only use cases: everything known about one incident, for export and rendering."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import IncidentNotFound
from bot.domain.lifecycle import Metrics
from bot.domain.model import Incident, Postmortem, Revision, TimelineEntry
from bot.domain.postmortem import Participants
from bot.services.lifecycle import summarize
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class IncidentReport:
    incident: Incident
    timeline: list[TimelineEntry]  # what the timeline holds now, in time order
    postmortem: Postmortem | None
    removed: list[TimelineEntry]  # entries taken out; their history says by whom
    history: dict[int, list[Revision]]  # entry id → its changes, oldest first
    roles: dict[str, str]  # role → Slack user id
    responders: list[str]  # Slack user ids, in the order they joined
    metrics: Metrics


async def incident_report(
    *, uow: UnitOfWork, number: int | None = None, incident_id: int | None = None
) -> IncidentReport:
    """The incident, its whole timeline with history, its people and its postmortem."""
    async with uow:
        if number is not None:
            incident = await uow.incidents.by_number(number)
        else:
            incident = await uow.incidents.get(incident_id or 0)
        if incident is None:
            raise IncidentNotFound(f"There is no incident INC-{number or incident_id}.")
        entries = await uow.timeline.for_incident(incident.id, include_deleted=True)
        history = await uow.timeline.revisions(incident.id)
        roles = await uow.people.roles(incident.id)
        responders = await uow.people.responders(incident.id)
        postmortem = await uow.postmortems.for_incident(incident.id)
    timeline = [e for e in entries if e.deleted_at is None]
    return IncidentReport(
        incident=incident,
        timeline=timeline,
        postmortem=postmortem,
        removed=[e for e in entries if e.deleted_at is not None],
        history=history,
        roles=roles,
        responders=responders,
        metrics=summarize(incident, roles, timeline).metrics,
    )


def participants(report: IncidentReport) -> Participants:
    """The people and figures the postmortem document lists."""
    return Participants(roles=report.roles, responders=report.responders, metrics=report.metrics)
