"""The review workflow: author, reviewers, ready, decisions, waiver, retro — and the nudges each
step starts or stops. Every step is one unit of work that locks the postmortem's row, asks the
state machine (bot/domain/postmortem_states.py) for the move, and writes its result: so
concurrent clicks are serialised, and approvals are counted inside the lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import completeness
from bot.domain.calendar import due_after
from bot.domain.errors import BadCommand, IncidentNotFound, InvalidTransition
from bot.domain.messages import N_
from bot.domain.model import Approval, Incident, Postmortem, Reminder
from bot.domain.policy import Policy
from bot.domain.postmortem_states import Event, Step, step
from bot.domain.review import approvals_needed, review_of, waiting_on
from bot.domain.visibility import home
from bot.services import outbox
from bot.services.common import GONE, ensure_may_add, incident_of, roles_in
from bot.services.ports import UnitOfWork

NUDGES = ("author", "reviewer", "escalation")
ALL_NUDGES = (*NUDGES, "retro")


@dataclass(frozen=True)
class ReviewView:
    """Where a postmortem stands: state, people, decisions, what it waits on, what is planned."""

    incident: Incident
    postmortem: Postmortem
    decisions: list[Approval]
    waiting_on: tuple[str, ...]
    needed: int
    planned: list[Reminder]
    approved_now: bool = False  # this step made it approved: publish it


async def review_status(*, uow: UnitOfWork, channel_id: str, policy: Policy) -> ReviewView:
    """The postmortem of this channel's incident, as it stands."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id)
        return await _view(uow, incident, pm, policy)


async def review_status_of(*, uow: UnitOfWork, postmortem_id: int, policy: Policy) -> ReviewView:
    """The same, found by the postmortem (buttons carry its id)."""
    async with uow:
        incident, pm = await _postmortem(uow, postmortem_id)
        return await _view(uow, incident, pm, policy)


async def set_author(
    *, uow: UnitOfWork, channel_id: str, by: str, author: str, policy: Policy, now: datetime
) -> ReviewView:
    """Hand the writing to someone else (never one of its reviewers); nudges follow."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id, lock=True)
        await move(uow, incident, pm, Event.SET_AUTHOR, by, policy, member=True, author=author)
        await uow.reminders.cancel(pm.id, ["author"], recipient=pm.author, reason="author changed")
        pm = await uow.postmortems.update(pm.id, author=author)
        if pm.status == "draft":
            await _nudge(uow, "author", pm, author, policy.reminders.author_after, policy, now)
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def set_reviewers(
    *,
    uow: UnitOfWork,
    channel_id: str,
    by: str,
    reviewers: tuple[str, ...],
    policy: Policy,
    now: datetime,
) -> tuple[ReviewView, tuple[str, ...]]:
    """Name the reviewers; approvals are counted again (removing the last one who hadn't
    approved approves it). Returns the view and who was added while it is in review."""
    reviewers = tuple(dict.fromkeys(reviewers))
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id, lock=True)
        moved = await move(
            uow, incident, pm, Event.SET_REVIEWERS, by, policy, member=True, reviewers=reviewers
        )
        added = tuple(r for r in reviewers if r not in pm.reviewers)
        for gone in set(pm.reviewers) - set(reviewers):
            await uow.reminders.cancel(
                pm.id, ["reviewer"], recipient=gone, reason="no longer a reviewer"
            )
        pm = await uow.postmortems.update(pm.id, reviewers=list(reviewers))
        if moved.approved_now:
            pm = await _approved(uow, pm, now)
        elif pm.status == "in_review":
            for reviewer in added:
                await _nudge(
                    uow, "reviewer", pm, reviewer, policy.reminders.reviewer_after, policy, now
                )
            await outbox.owe_review_requests(uow, pm, added, now)  # asked once it is committed
        view = await _view(uow, incident, pm, policy, approved_now=moved.approved_now)
        await uow.commit()
    return view, added if pm.status == "in_review" else ()


async def request_review(
    *,
    uow: UnitOfWork,
    postmortem_id: int,
    by: str,
    policy: Policy,
    now: datetime,
    placeholders: frozenset[str],
) -> ReviewView:
    """The author asks for review, once the required sections are written (`placeholders`:
    the draft's hints in every language, which count as unwritten): each reviewer is asked (an
    outbox effect) and nudged."""
    async with uow:
        incident, pm = await _postmortem(uow, postmortem_id, lock=True)
        await move(uow, incident, pm, Event.READY, by, policy, placeholders=placeholders)
        pm = await _start_round(uow, pm, policy, now)
        await uow.reminders.cancel(pm.id, ["author", "escalation"], reason="review requested")
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def check_request(
    *,
    uow: UnitOfWork,
    postmortem_id: int,
    by: str,
    policy: Policy,
    placeholders: frozenset[str],
) -> None:
    """Refuse early (before the slower steps) a review request that can't go ahead."""
    async with uow:
        incident, pm = await _postmortem(uow, postmortem_id)
        await move(uow, incident, pm, Event.READY, by, policy, placeholders=placeholders)


async def check_decision(
    *,
    uow: UnitOfWork,
    postmortem_id: int,
    round_: int,
    reviewer: str,
    decision: str,
    policy: Policy,
) -> ReviewView:
    """Before the request-changes form opens: refuse whoever could not submit it."""
    event = Event.APPROVE if decision == "approved" else Event.REQUEST_CHANGES
    async with uow:
        incident, pm = await _postmortem(uow, postmortem_id)
        _same_round(pm, round_)
        await move(uow, incident, pm, event, reviewer, policy)
        return await _view(uow, incident, pm, policy)


async def decide(
    *,
    uow: UnitOfWork,
    postmortem_id: int,
    round_: int,
    reviewer: str,
    decision: str,
    comment: str | None,
    policy: Policy,
    now: datetime,
) -> ReviewView:
    """A reviewer approves or requests changes, for the round their request was of; enough
    approvals make it approved."""
    assert decision in ("approved", "changes_requested")
    event = Event.APPROVE if decision == "approved" else Event.REQUEST_CHANGES
    async with uow:
        incident, pm = await _postmortem(uow, postmortem_id, lock=True)
        _same_round(pm, round_)
        moved = await move(uow, incident, pm, event, reviewer, policy)
        await uow.reminders.decide(
            Approval(pm.id, pm.review_round, reviewer, decision, now, comment)
        )
        await uow.reminders.cancel(pm.id, ["reviewer"], recipient=reviewer, reason=decision)
        if event is Event.REQUEST_CHANGES:
            await uow.reminders.cancel(
                pm.id, ["reviewer", "escalation"], reason="changes requested"
            )
            pm = await uow.postmortems.update(pm.id, status="draft")
            await _nudge(uow, "author", pm, pm.author, policy.reminders.author_after, policy, now)
        elif moved.approved_now:
            pm = await _approved(uow, pm, now)
        view = await _view(uow, incident, pm, policy, approved_now=moved.approved_now)
        await uow.commit()
    return view


async def _approved(uow: UnitOfWork, pm: Postmortem, now: datetime) -> Postmortem:
    """Inside the lock, the one place a postmortem reaches its approvals: nudges stop."""
    await uow.reminders.cancel(pm.id, ["reviewer", "escalation"], reason="approved")
    pm = await uow.postmortems.update(pm.id, status="approved", approved_at=now)
    await outbox.owe_publication(uow, pm, now)  # published after the commit, retried until done
    return pm


async def waive(
    *, uow: UnitOfWork, channel_id: str, by: str, reason: str, policy: Policy, now: datetime
) -> ReviewView:
    """Record the team's decision not to write it: reason and who decided; nudges stop."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id, lock=True)
        moved = await move(uow, incident, pm, Event.WAIVE, by, policy, member=True)
        pm = await uow.postmortems.update(
            pm.id, status=moved.review.status, waived_reason=reason, waived_by=by
        )
        await uow.reminders.cancel(pm.id, ALL_NUDGES, reason="waived")
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def retro_held(
    *, uow: UnitOfWork, channel_id: str, by: str, notes: str, policy: Policy, now: datetime
) -> ReviewView:
    """The retrospective took place; its reminder stops. Anyone in the channel may say so
    (the authority table's NOTE rule, for a command typed there)."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id, lock=True)
        ensure_may_add(by)
        pm = await uow.postmortems.update(pm.id, retro_held_at=now, retro_notes=notes or None)
        await uow.reminders.cancel(pm.id, ["retro"], reason="retro held")
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def plan_after_close(
    uow: UnitOfWork, incident: Incident, pm: Postmortem, policy: Policy, now: datetime
) -> Postmortem:
    """Inside the close's unit of work: the author's nudges and the retro's deadline start."""
    rules = policy.reminders
    retro_due = rules.retro_deadline(now, severity=incident.severity, tz=policy.tz)
    pm = await uow.postmortems.update(pm.id, retro_due_at=retro_due)
    await _nudge(uow, "author", pm, pm.author, rules.author_after, policy, now)
    reminder_at = max(now, retro_due - rules.retro_reminder_before)
    await uow.reminders.schedule(
        kind="retro",
        subject_id=pm.id,
        recipient=home(incident),
        due_at=reminder_at,
        now=now,
    )
    return pm


async def move(
    uow: UnitOfWork,
    incident: Incident,
    pm: Postmortem,
    event: Event,
    by: str,
    policy: Policy,
    *,
    member: bool = False,
    placeholders: frozenset[str] = frozenset(),
    reviewers: tuple[str, ...] | None = None,
    author: str | None = None,
) -> Step:
    """Inside a unit of work holding the postmortem's lock: the state machine's answer (a
    review request is told what is still unwritten)."""
    decisions = await uow.reminders.decisions(pm.id, pm.review_round)
    roles = await roles_in(uow, incident, by, postmortem=pm, member=member)
    missing: tuple[str, ...] = ()
    if event is Event.READY:
        missing = await unwritten(uow, incident, pm.sections, policy, placeholders)
    review = review_of(pm, decisions, policy.review_approvals, missing)
    return step(review, event, roles, actor=by, reviewers=reviewers, author=author)


async def unwritten(
    uow: UnitOfWork,
    incident: Incident,
    sections: dict[str, str],
    policy: Policy,
    placeholders: frozenset[str],
) -> tuple[str, ...]:
    """The policy's required sections these sections leave unwritten (action items counted)."""
    actions = await uow.writing.actions(incident.id)
    return completeness.missing(
        sections,
        action_items=len(actions),
        required=policy.required_sections,
        placeholders=placeholders,
    )


async def _start_round(
    uow: UnitOfWork, pm: Postmortem, policy: Policy, now: datetime, changed_by: str | None = None
) -> Postmortem:
    """Review is asked (again): a new round, whose approvals start empty; reviewers nudged."""
    pm = await uow.postmortems.update(
        pm.id, status="in_review", ready_at=now, approved_at=None, review_round=pm.review_round + 1
    )
    for reviewer in pm.reviewers:
        await _nudge(uow, "reviewer", pm, reviewer, policy.reminders.reviewer_after, policy, now)
    # Each reviewer's DM (saying who changed the approved text, when that is why).
    await outbox.owe_review_requests(uow, pm, pm.reviewers, now, changed_by=changed_by)
    return pm


async def back_to_review(
    uow: UnitOfWork, pm: Postmortem, policy: Policy, now: datetime, *, by: str
) -> Postmortem:
    """Inside the lock: an approved text changed, so its reviewers must look again."""
    return await _start_round(uow, pm, policy, now, changed_by=by)


def _same_round(pm: Postmortem, round_: int) -> None:
    """A decision counts only for the text it was asked about (a button's round is untrusted
    input, checked here under the lock)."""
    if pm.status == "in_review" and round_ != pm.review_round:
        raise InvalidTransition(
            N_(
                "That review request is from an earlier round: the text has changed since. "
                "Please use the newest request I sent you."
            )
        )


async def _nudge(
    uow: UnitOfWork,
    kind: str,
    pm: Postmortem,
    recipient: str,
    after: timedelta,
    policy: Policy,
    now: datetime,
) -> None:
    if await uow.reminders.pending(kind, pm.id, recipient) is None:
        due = due_after(now, after, tz=policy.tz, cal=policy.reminders.calendar)
        await uow.reminders.schedule(
            kind=kind, subject_id=pm.id, recipient=recipient, due_at=due, now=now
        )


async def _view(
    uow: UnitOfWork,
    incident: Incident,
    pm: Postmortem,
    policy: Policy,
    *,
    approved_now: bool = False,
) -> ReviewView:
    decisions = await uow.reminders.decisions(pm.id, pm.review_round)
    planned = [r for r in await uow.reminders.for_postmortem(pm.id) if r.state == "pending"]
    return ReviewView(
        incident=incident,
        postmortem=pm,
        decisions=decisions,
        waiting_on=waiting_on(pm, decisions),
        needed=approvals_needed(pm.reviewers, policy.review_approvals),
        planned=planned,
        approved_now=approved_now,
    )


async def _postmortem_in(
    uow: UnitOfWork, channel_id: str, *, lock: bool = False
) -> tuple[Incident, Postmortem]:
    incident = await incident_of(uow, channel_id)
    pm = await uow.postmortems.for_incident(incident.id)
    if pm is None:
        raise BadCommand(
            N_(
                "%(ref)s has no postmortem. Close it with `/incident close`; when no trigger "
                "fires, the close message offers to write one anyway."
            ),
            ref=incident.ref,
        )
    if lock:
        pm = await uow.postmortems.get(pm.id, for_update=True)
        assert pm is not None
    return incident, pm


async def _postmortem(
    uow: UnitOfWork, postmortem_id: int, *, lock: bool = False
) -> tuple[Incident, Postmortem]:
    pm = await uow.postmortems.get(postmortem_id, for_update=lock)
    incident = None if pm is None else await uow.incidents.get(pm.incident_id)
    if pm is None or incident is None:
        raise IncidentNotFound(GONE)
    return incident, pm
