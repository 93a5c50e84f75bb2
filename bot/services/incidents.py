"""Use cases of an incident's life: declare, note, close. Only services commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.errors import (
    BadTime,
    IncidentNotFound,
    InvalidTransition,
)
from bot.domain.lifecycle import said_closed, said_declared
from bot.domain.messages import N_, Moment
from bot.domain.model import CloseFacts, Incident, Postmortem, Trigger
from bot.domain.policy import Policy
from bot.domain.postmortem_states import first_reviewers
from bot.domain.triggers import TriggerFacts, evaluate
from bot.services.common import (
    CLOCK_SKEW,
    ensure_may_close,
    ensure_may_write_anyway,
    ensure_open,
    incident_of,
)
from bot.services.outbox import owe_channel_setup, owe_close_effects, owe_draft
from bot.services.ports import UnitOfWork
from bot.services.review import plan_after_close

RESUME_WITHIN = timedelta(days=1)  # a start held up longer than this is not resumed by a repeat


@dataclass(frozen=True)
class CloseOutcome:
    incident: Incident
    triggers: list[Trigger]
    postmortem: Postmortem | None


async def open_incident(
    *,
    uow: UnitOfWork,
    title: str,
    severity: int | None,
    declared_by: str,
    declared_in: str,
    started_at: datetime,
    now: datetime,
    response_url: str | None = None,
    private: bool = False,
) -> Incident:
    """Declare an incident under the next number; its channel (a private one for a `private`
    incident) is set up after the commit (an effect in the outbox, retried until done). The
    same person declaring the same title again, public or private alike, while that set-up is
    still held up resumes it instead of declaring a second incident."""
    if started_at > now + CLOCK_SKEW:
        raise BadTime(N_("An incident can't start in the future. Leave out --at to start it now."))
    async with uow:
        unfinished = await _held_up_start(uow, declared_by, title, private, now)
        if unfinished is not None:
            await uow.outbox.retry_now(unfinished.id, "channel_setup", now)
            await uow.commit()
            return unfinished
        number = await uow.incidents.next_number()
        incident = await uow.incidents.add(
            number=number,
            title=title,
            severity=severity,
            declared_by=declared_by,
            declared_in=declared_in,
            started_at=started_at,
            declared_at=now,
            private=private,
        )
        await uow.timeline.add(
            incident_id=incident.id,
            occurred_at=now,
            recorded_at=now,
            author=declared_by,
            kind="declared",
            text="",
            said=said_declared(incident.number, title),
        )
        await owe_channel_setup(uow, incident, response_url=response_url, now=now)
        await uow.commit()
    return incident


async def _held_up_start(
    uow: UnitOfWork, declared_by: str, title: str, private: bool, now: datetime
) -> Incident | None:
    """The same person's incident of the same title (and as private or not) whose channel
    set-up was tried and is not done (Slack held it up): declaring it again resumes that one.
    A different `--private` is another incident: a set-up under way is never turned around."""
    incident = await uow.incidents.unfinished(declared_by, title, private, now - RESUME_WITHIN)
    if incident is None:
        return None
    effects = await uow.outbox.for_subject(incident.id)
    tried = any(
        e.kind == "channel_setup" and e.state not in ("sent", "cancelled") and e.attempts > 0
        for e in effects
    )
    return incident if tried else None


async def attach_channel(
    *,
    uow: UnitOfWork,
    incident_id: int,
    channel_id: str,
    channel_name: str,
    tz: str | None = None,
) -> None:
    """Remember the incident's dedicated channel (and its zone: its declarer's)."""
    async with uow:
        await uow.incidents.update(
            incident_id, channel_id=channel_id, channel_name=channel_name, tz=tz
        )
        await uow.commit()


async def record_summary_message(*, uow: UnitOfWork, incident_id: int, ts: str) -> None:
    """Remember the pinned summary message so it can be kept current."""
    async with uow:
        await uow.incidents.update(incident_id, summary_ts=ts)
        await uow.commit()


async def discard_incident(*, uow: UnitOfWork, incident_id: int) -> None:
    """Remove an incident whose channel could not be set up; its number is not reused."""
    async with uow:
        await uow.incidents.remove(incident_id)
        await uow.commit()


async def closable_incident(*, uow: UnitOfWork, channel_id: str, user: str) -> Incident:
    """The incident of this channel, if it is open and this user may close it."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        ensure_open(incident)
        await ensure_may_close(uow, incident, user)
    return incident


async def incident_in_channel(*, uow: UnitOfWork, channel_id: str) -> Incident:
    """The incident whose dedicated channel this is."""
    async with uow:
        return await incident_of(uow, channel_id)


async def close_incident(
    *,
    uow: UnitOfWork,
    channel_id: str,
    closed_by: str,
    closed_at: datetime,
    facts: CloseFacts,
    reviewers: tuple[str, ...],
    policy: Policy,
    now: datetime,
    response_url: str | None = None,
) -> CloseOutcome:
    """Close the incident, evaluate the triggers and open a draft when one fires — atomically,
    with the Slack effects that follow (announcement, summary, draft, retro) owed in the outbox."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        ensure_open(incident)
        await ensure_may_close(uow, incident, closed_by)
        _check_close_time(incident, closed_at, now)
        author = _author(policy, incident, closed_by)
        reviewers = first_reviewers(author, reviewers, policy.reviewers)
        ended_at = incident.resolved_at or closed_at
        triggers = evaluate(
            TriggerFacts.from_close(
                started_at=incident.started_at,
                ended_at=ended_at,
                facts=facts,
                severity=incident.severity,
            ),
            policy.triggers,
        )
        if not await uow.incidents.close(
            incident.id, closed_at=closed_at, closed_by=closed_by, facts=facts
        ):
            raise InvalidTransition(
                N_("%(ref)s was closed a moment ago by someone else."), ref=incident.ref
            )
        await uow.timeline.add(
            incident_id=incident.id,
            occurred_at=closed_at,
            recorded_at=now,
            author=closed_by,
            kind="closed",
            text="",
            said=said_closed(incident.number),
        )
        closed = await uow.incidents.get(incident.id)
        assert closed is not None
        postmortem = None
        if triggers:
            postmortem = await uow.postmortems.add(
                incident_id=incident.id,
                author=author,
                reviewers=reviewers,
                created_at=now,
                triggers=tuple(triggers),
            )
            postmortem = await plan_after_close(uow, closed, postmortem, policy, now)
        await owe_close_effects(
            uow, closed, postmortem, by=closed_by, response_url=response_url, now=now
        )
        await uow.commit()
    return CloseOutcome(incident=closed, triggers=triggers, postmortem=postmortem)


async def start_postmortem_anyway(
    *,
    uow: UnitOfWork,
    incident_id: int,
    channel_id: str,
    author: str,
    member: bool,
    policy: Policy,
    now: datetime,
    response_url: str | None = None,
) -> tuple[Incident, Postmortem]:
    """Open a draft for a closed incident that fired no trigger (the team chose to write one);
    its sharing is owed in the outbox. The button's incident id is untrusted: it must name a
    closed incident of this channel."""
    async with uow:
        incident = await uow.incidents.get(incident_id)
        if incident is None:
            raise IncidentNotFound(N_("That incident no longer exists."))
        await ensure_may_write_anyway(uow, incident, channel_id, author, member=member)
        if await uow.postmortems.for_incident(incident_id) is not None:
            raise InvalidTransition(N_("%(ref)s already has a postmortem draft."), ref=incident.ref)
        postmortem = await uow.postmortems.add(
            incident_id=incident_id,
            author=author,
            reviewers=first_reviewers(author, (), policy.reviewers),
            created_at=now,
            triggers=(),
        )
        postmortem = await plan_after_close(uow, incident, postmortem, policy, now)
        await owe_draft(uow, incident, postmortem, by=author, response_url=response_url, now=now)
        await uow.commit()
    return incident, postmortem


async def record_document(
    *, uow: UnitOfWork, postmortem_id: int, kind: str, doc_id: str, url: str | None
) -> None:
    """Remember where the rendered draft lives in Slack (a canvas or a file)."""
    async with uow:
        await uow.postmortems.set_document(postmortem_id, kind=kind, doc_id=doc_id, url=url)
        await uow.commit()


def _check_close_time(incident: Incident, closed_at: datetime, now: datetime) -> None:
    if closed_at > now + CLOCK_SKEW:
        raise BadTime(
            N_("An incident can't be closed in the future. Leave out --at to close it now.")
        )
    if closed_at < incident.started_at:
        raise BadTime(
            N_("%(ref)s started at %(started)s; it can't be closed before that."),
            ref=incident.ref,
            started=Moment(incident.started_at),
        )



def _author(policy: Policy, incident: Incident, closed_by: str) -> str:
    return incident.declared_by if policy.postmortem_author == "declarer" else closed_by
