"""Read-only use cases: everything known about one incident, for export and rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.errors import IncidentNotFound
from bot.domain.lifecycle import Metrics
from bot.domain.messages import N_
from bot.domain.model import (
    ActionItem,
    Feedback,
    Incident,
    Person,
    Postmortem,
    Revision,
    SectionRevision,
    TimelineEntry,
)
from bot.domain.mrkdwn import mentions
from bot.domain.policy import Policy
from bot.domain.postmortem import ActionRow, Participants
from bot.services.actions import describe
from bot.services.lifecycle import summarize
from bot.services.ports import UnitOfWork


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
    actions: list[ActionItem] = field(default_factory=list)
    revisions: list[SectionRevision] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)  # who the ids above are, if known

    def name(self, user_id: str) -> str:
        """How a person is shown in a document: their Slack display name, else their id."""
        person = self.people.get(user_id)
        return person.display_name if person else user_id

    @property
    def names(self) -> dict[str, str]:
        return {uid: p.display_name for uid, p in self.people.items()}


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
            raise IncidentNotFound(
                N_("There is no incident INC-%(number)s."), number=number or incident_id
            )
        entries = await uow.timeline.for_incident(incident.id, include_deleted=True)
        history = await uow.timeline.revisions(incident.id)
        roles = await uow.people.roles(incident.id)
        responders = await uow.people.responders(incident.id)
        postmortem = await uow.postmortems.for_incident(incident.id)
        actions = await uow.writing.actions(incident.id)
        revisions = await uow.writing.revisions(postmortem.id) if postmortem else []
        feedback = await uow.writing.feedback(postmortem.id) if postmortem else []
        people = await uow.people.known(
            _mentioned(incident, entries, roles, responders, postmortem, actions)
        )
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
        actions=actions,
        revisions=revisions,
        feedback=feedback,
        people=people,
    )


def _mentioned(
    incident: Incident,
    entries: list[TimelineEntry],
    roles: dict[str, str],
    responders: list[str],
    postmortem: Postmortem | None,
    actions: list[ActionItem],
) -> set[str]:
    """Every person the report names, those its entries mention included."""
    ids = {incident.declared_by, *(e.author for e in entries), *roles.values(), *responders}
    ids |= {uid for e in entries for uid in mentions(e.text)}
    if incident.closed_by:
        ids.add(incident.closed_by)
    if postmortem is not None:
        ids |= {postmortem.author, *postmortem.reviewers}
    return ids | {a.owner for a in actions if a.owner}


def participants(
    report: IncidentReport, policy: Policy, now: datetime | None = None
) -> Participants:
    """The people, figures and action items the postmortem document lists."""
    today = (now or datetime.now(UTC)).astimezone(policy.tz).date()
    rows = []
    for item in report.actions:
        described = describe(item, report.incident, policy, today)
        rows.append(
            ActionRow(
                seq=item.seq,
                text=item.text,
                owner=item.owner,
                deadline=described.deadline,
                from_slo=item.due is None,
                priority=item.priority,
                state=item.state,
                drop_reason=item.drop_reason,
                flags=described.flags,
            )
        )
    return Participants(
        roles=report.roles,
        responders=report.responders,
        metrics=report.metrics,
        actions=tuple(rows),
        amendments=tuple(r for r in report.revisions if r.amendment),
    )
