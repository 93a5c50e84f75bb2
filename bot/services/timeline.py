"""Reading and correcting the timeline. Only an entry's author or the commander may change it,
and every change is kept (who, when, before and after)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.authority import Action, require
from bot.domain.errors import BadCommand
from bot.domain.lifecycle import ENTRY_KINDS, MARKS
from bot.domain.messages import N_, Message
from bot.domain.model import Incident, TimelineEntry
from bot.domain.timeline_review import Finding, facts_of, review
from bot.domain.timeparse import validate_occurrence
from bot.services.common import CLOCK_SKEW, incident_of, roles_in
from bot.services.ports import UnitOfWork

CORRECTABLE = ("note", "message", *MARKS)  # notes, captured messages and key moments


async def read_timeline(
    *, uow: UnitOfWork, channel_id: str
) -> tuple[Incident, list[TimelineEntry]]:
    """The incident of this channel and its entries in time order."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        return incident, await uow.timeline.for_incident(incident.id)


async def check_timeline(*, uow: UnitOfWork, channel_id: str) -> tuple[Incident, list[Finding]]:
    """The timeline review of this channel's incident: what looks wrong, nothing changed."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        entries = await uow.timeline.for_incident(incident.id)
    return incident, review(facts_of(incident, entries), closing=incident.is_closed)


async def closing_findings(
    *,
    uow: UnitOfWork,
    incident_id: int,
    closing_at: datetime | None = None,
    impact: timedelta | None = None,
) -> list[Finding]:
    """The timeline review as closing sees it: of a closed incident (its outcome message), or
    of one about to close at ``closing_at`` with ``impact`` (the close form)."""
    async with uow:
        incident = await uow.incidents.get(incident_id)
        entries = await uow.timeline.for_incident(incident_id) if incident else []
    if incident is None:
        return []
    return review(facts_of(incident, entries, impact, closing_at), closing=True)


async def edit_entry(
    *, uow: UnitOfWork, channel_id: str, number: int, text: str, by: str, now: datetime
) -> TimelineEntry:
    """Replace an entry's text."""
    async with uow:
        entry = await _editable(uow, channel_id, number, by)
        changed = await uow.timeline.change(entry, action="edit", by=by, at=now, text=text)
        await uow.commit()
    return changed


async def move_entry(
    *, uow: UnitOfWork, channel_id: str, number: int, at: datetime, by: str, now: datetime
) -> TimelineEntry:
    """Give an entry another time."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        entry = await _editable(uow, channel_id, number, by, incident=incident)
        validate_occurrence(at, started_at=incident.started_at, now=now, skew=CLOCK_SKEW)
        changed = await uow.timeline.change(entry, action="move", by=by, at=now, occurred_at=at)
        await uow.commit()
    return changed


async def delete_entry(
    *, uow: UnitOfWork, channel_id: str, number: int, by: str, now: datetime
) -> TimelineEntry:
    """Take an entry out of the timeline; its history stays in the export."""
    async with uow:
        entry = await _editable(uow, channel_id, number, by)
        changed = await uow.timeline.change(entry, action="delete", by=by, at=now, deleted_at=now)
        await uow.commit()
    return changed


async def _editable(
    uow: UnitOfWork, channel_id: str, number: int, by: str, *, incident: Incident | None = None
) -> TimelineEntry:
    incident = incident or await incident_of(uow, channel_id)
    entry = await uow.timeline.by_seq(incident.id, number)
    if entry is None or entry.deleted_at is not None:
        raise BadCommand(
            N_("%(ref)s has no entry #%(number)s. See `/incident timeline`."),
            ref=incident.ref,
            number=number,
        )
    if entry.kind not in CORRECTABLE:
        # These record a change of state; correcting the record would leave the state behind.
        raise BadCommand(
            N_(
                "#%(number)s records a %(kind)s change, which the timeline can't rewrite; "
                "make a new change instead (e.g. `/incident status …`)."
            ),
            number=number,
            kind=Message(ENTRY_KINDS[entry.kind]) if entry.kind in ENTRY_KINDS else entry.kind,
        )
    roles = await roles_in(uow, incident, by, entry_author=entry.author, member=True)
    require(roles, Action.CHANGE_ENTRY, number=number)
    return entry
