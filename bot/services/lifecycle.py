"""Use cases that move an incident along while it runs: status, severity, roles, key moments.

Each is recorded as a timeline entry of its own kind, so the postmortem shows who did what, when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.authority import Action, require
from bot.domain.errors import BadCommand
from bot.domain.lifecycle import (
    MARKS,
    Metrics,
    derive_metrics,
    latest_marks,
    said_mark,
    said_role,
    said_severity,
    said_status,
)
from bot.domain.messages import N_, Message
from bot.domain.model import Incident, TimelineEntry
from bot.domain.timeparse import validate_occurrence
from bot.services.common import CLOCK_SKEW, ensure_open, incident_to_add_to, roles_in
from bot.services.ports import UnitOfWork


@dataclass(frozen=True)
class Overview:
    """What the pinned summary and the close form show about a running incident."""

    incident: Incident
    roles: dict[str, str]
    marks: dict[str, datetime]
    metrics: Metrics


async def set_status(
    *, uow: UnitOfWork, channel_id: str, user: str, status: str, at: datetime | None, now: datetime
) -> tuple[Incident, TimelineEntry]:
    """Move the incident to a status; `resolved` sets the resolution time."""
    return await _change(
        uow,
        channel_id,
        user,
        at,
        now,
        kind="status",
        said=lambda _: said_status(status),
        # Leaving "resolved" (it came back) clears the resolution time again.
        values=lambda when: {
            "status": status,
            "resolved_at": when if status == "resolved" else None,
        },
    )


async def set_severity(
    *,
    uow: UnitOfWork,
    channel_id: str,
    user: str,
    severity: int,
    at: datetime | None,
    now: datetime,
) -> tuple[Incident, TimelineEntry]:
    """Change the severity, saying what it was."""
    return await _change(
        uow,
        channel_id,
        user,
        at,
        now,
        kind="severity",
        said=lambda incident: said_severity(severity, incident.severity),
        values=lambda _: {"severity": severity},
    )


async def _change(
    uow: UnitOfWork,
    channel_id: str,
    user: str,
    at: datetime | None,
    now: datetime,
    *,
    kind: str,
    said: Callable[[Incident], dict[str, Any]],
    values: Callable[[datetime], dict[str, object]],
) -> tuple[Incident, TimelineEntry]:
    """Change an open incident and record the change as a timeline entry of `kind` (its fields:
    the bot's words are said in each reader's language)."""
    async with uow:
        incident = await incident_to_add_to(uow, channel_id, user)
        ensure_open(incident)
        when = _checked(at, incident, now)
        await uow.incidents.update_open(incident.id, **values(when))
        entry = await uow.timeline.add(
            incident_id=incident.id,
            occurred_at=when,
            recorded_at=now,
            author=user,
            kind=kind,
            text="",
            said=said(incident),
        )
        updated = await uow.incidents.get(incident.id)
        await uow.commit()
    assert updated is not None
    return updated, entry


async def assign_role(
    *,
    uow: UnitOfWork,
    channel_id: str,
    by: str,
    role: str,
    user: str,
    user_name: str,
    now: datetime,
) -> tuple[Incident, str | None]:
    """Give a role to someone; returns the incident and who held it before (if anyone)."""
    async with uow:
        incident = await incident_to_add_to(uow, channel_id, by)
        ensure_open(incident)
        if role == "commander":
            require(await roles_in(uow, incident, by, member=True), Action.HAND_OVER)
        previous = (await uow.people.roles(incident.id)).get(role)
        if previous == user:
            raise BadCommand(
                N_("%(name)s is already the %(role)s."), name=user_name, role=Message(role)
            )
        await uow.people.assign(incident.id, role=role, user_id=user, at=now, by=by)
        await uow.timeline.add(
            incident_id=incident.id,
            occurred_at=now,
            recorded_at=now,
            author=by,
            kind="role",
            text="",
            said=said_role(role, user, user_name),
        )
        await uow.commit()
    return incident, previous


async def add_mark(
    *,
    uow: UnitOfWork,
    channel_id: str,
    user: str,
    mark: str,
    at: datetime | None,
    text: str,
    now: datetime,
) -> tuple[Incident, TimelineEntry]:
    """Record a key moment: detected, mitigated, impact-start or impact-end."""
    assert mark in MARKS
    async with uow:
        incident = await incident_to_add_to(uow, channel_id, user)
        when = _checked(at, incident, now)
        entry = await uow.timeline.add(
            incident_id=incident.id,
            occurred_at=when,
            recorded_at=now,
            author=user,
            kind=mark,
            text=text,
            said=None if text else said_mark(),
        )
        await uow.commit()
    return incident, entry


async def overview(*, uow: UnitOfWork, incident_id: int) -> Overview:
    """The incident with its roles, key moments and the figures derived from them."""
    async with uow:
        incident = await uow.incidents.get(incident_id)
        assert incident is not None
        roles = await uow.people.roles(incident_id)
        entries = await uow.timeline.for_incident(incident_id)
    return summarize(incident, roles, entries)


def summarize(incident: Incident, roles: dict[str, str], entries: list[TimelineEntry]) -> Overview:
    marks = latest_marks((e.kind, e.occurred_at) for e in entries)
    metrics = derive_metrics(
        started_at=incident.started_at,
        marks=marks,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
    )
    return Overview(incident=incident, roles=roles, marks=marks, metrics=metrics)


def _checked(at: datetime | None, incident: Incident, now: datetime) -> datetime:
    when = now if at is None else at
    validate_occurrence(when, started_at=incident.started_at, now=now, skew=CLOCK_SKEW)
    return when
