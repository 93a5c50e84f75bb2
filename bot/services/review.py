"""The review workflow: author, reviewers, ready, decisions, waiver, retro — and the nudges each
step starts or stops. Every step is one unit of work: the state and its nudges change together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.calendar import due_after
from bot.domain.errors import BadCommand, IncidentNotFound, NotAllowed
from bot.domain.messages import N_, Message
from bot.domain.model import Approval, Incident, Postmortem, Reminder
from bot.domain.policy import Policy
from bot.domain.review import LABELS, approvals_needed, approved_by, next_state, waiting_on
from bot.services import outbox
from bot.services.common import GONE, commander_of, incident_of
from storage.uow import UnitOfWork

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
    """Hand the writing to someone else; the nudges follow the new author."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id)
        _must_be_open(pm)
        await _author_or_commander(
            uow,
            incident,
            pm,
            by,
            N_("Only the postmortem's author or the incident commander can hand the writing over."),
        )
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
    """Name the reviewers; returns the view and who was added while it is in review."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id)
        _must_be_open(pm)
        await _author_or_commander(
            uow,
            incident,
            pm,
            by,
            N_("Only the postmortem's author or the incident commander can choose the reviewers."),
        )
        if pm.author in reviewers:
            raise BadCommand(N_("The author can't review their own postmortem; name someone else."))
        added = tuple(r for r in reviewers if r not in pm.reviewers)
        for gone in set(pm.reviewers) - set(reviewers):
            await uow.reminders.cancel(
                pm.id, ["reviewer"], recipient=gone, reason="no longer a reviewer"
            )
        pm = await uow.postmortems.update(pm.id, reviewers=list(reviewers))
        if pm.status == "in_review":
            for reviewer in added:
                await _nudge(
                    uow, "reviewer", pm, reviewer, policy.reminders.reviewer_after, policy, now
                )
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view, added if pm.status == "in_review" else ()


async def request_review(
    *, uow: UnitOfWork, postmortem_id: int, by: str, policy: Policy, now: datetime
) -> ReviewView:
    """The author asks for review: reviewers are asked (by the caller) and then nudged."""
    async with uow:
        incident, pm = await _may_request(uow, postmortem_id, by, policy)
        pm = await uow.postmortems.update(
            pm.id,
            status=next_state(pm.status, "ready"),
            ready_at=now,
            review_round=pm.review_round + 1,
        )
        await uow.reminders.cancel(pm.id, ["author", "escalation"], reason="review requested")
        for reviewer in pm.reviewers:
            await _nudge(
                uow, "reviewer", pm, reviewer, policy.reminders.reviewer_after, policy, now
            )
        await outbox.owe_review_requests(uow, pm, pm.reviewers, now)  # each reviewer's DM
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def check_request(*, uow: UnitOfWork, postmortem_id: int, by: str, policy: Policy) -> None:
    """Refuse early (before the slower steps) a review request that can't go ahead."""
    async with uow:
        await _may_request(uow, postmortem_id, by, policy)


async def _may_request(
    uow: UnitOfWork, postmortem_id: int, by: str, policy: Policy
) -> tuple[Incident, Postmortem]:
    incident, pm = await _postmortem(uow, postmortem_id)
    await _author_or_commander(uow, incident, pm, by)
    next_state(pm.status, "ready")
    if not pm.reviewers:
        raise BadCommand(N_("Name the reviewers first: `/incident postmortem reviewers @a @b`."))
    needed = approvals_needed(pm.reviewers, policy.review_approvals)
    if needed > len(pm.reviewers):
        raise BadCommand(
            N_("The policy asks for %(needed)s approvals; name at least %(needed)s reviewers."),
            needed=needed,
        )
    return incident, pm


async def decide(
    *,
    uow: UnitOfWork,
    postmortem_id: int,
    reviewer: str,
    decision: str,
    comment: str | None,
    policy: Policy,
    now: datetime,
) -> ReviewView:
    """A reviewer approves or requests changes; enough approvals make it approved."""
    assert decision in ("approved", "changes_requested")
    async with uow:
        incident, pm = await _postmortem(uow, postmortem_id)
        if reviewer not in pm.reviewers:
            raise NotAllowed(
                N_("Only the named reviewers of %(ref)s can review it."), ref=incident.ref
            )
        action = "approve" if decision == "approved" else "request_changes"
        next_state(pm.status, action)  # refuses when it is not in review
        await uow.reminders.decide(
            Approval(pm.id, pm.review_round, reviewer, decision, now, comment)
        )
        await uow.reminders.cancel(pm.id, ["reviewer"], recipient=reviewer, reason=decision)
        pm = await _after_decision(uow, pm, action, policy, now)
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def _after_decision(
    uow: UnitOfWork, pm: Postmortem, action: str, policy: Policy, now: datetime
) -> Postmortem:
    if action == "request_changes":
        await uow.reminders.cancel(pm.id, ["reviewer", "escalation"], reason="changes requested")
        pm = await uow.postmortems.update(pm.id, status="draft")
        await _nudge(uow, "author", pm, pm.author, policy.reminders.author_after, policy, now)
        return pm
    decisions = await uow.reminders.decisions(pm.id, pm.review_round)
    if len(approved_by(decisions, pm.reviewers)) < approvals_needed(
        pm.reviewers, policy.review_approvals
    ):
        return pm
    await uow.reminders.cancel(pm.id, ["reviewer", "escalation"], reason="approved")
    pm = await uow.postmortems.update(pm.id, status="approved", approved_at=now)
    await outbox.owe_publication(uow, pm, now)  # published after the commit, retried until done
    return pm


async def mark_published(
    *, uow: UnitOfWork, postmortem_id: int, ts: str | None, now: datetime
) -> None:
    """Approved and shared company-wide: the end of the road."""
    async with uow:
        _, pm = await _postmortem(uow, postmortem_id)
        await uow.postmortems.update(
            pm.id, status=next_state(pm.status, "publish"), published_at=now, publish_ts=ts
        )
        await uow.commit()


async def waive(
    *, uow: UnitOfWork, channel_id: str, by: str, reason: str, policy: Policy, now: datetime
) -> ReviewView:
    """Record the team's decision not to write it: reason and who decided; nudges stop."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id)
        await _author_or_commander(
            uow,
            incident,
            pm,
            by,
            N_("Only the postmortem's author or the incident commander can waive it."),
        )
        pm = await uow.postmortems.update(
            pm.id, status=next_state(pm.status, "waive"), waived_reason=reason, waived_by=by
        )
        await uow.reminders.cancel(pm.id, ALL_NUDGES, reason="waived")
        view = await _view(uow, incident, pm, policy)
        await uow.commit()
    return view


async def retro_held(
    *, uow: UnitOfWork, channel_id: str, by: str, notes: str, policy: Policy, now: datetime
) -> ReviewView:
    """The retrospective took place; its reminder stops."""
    async with uow:
        incident, pm = await _postmortem_in(uow, channel_id)
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
        recipient=incident.channel_id or incident.declared_in,
        due_at=reminder_at,
        now=now,
    )
    return pm


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


async def _view(uow: UnitOfWork, incident: Incident, pm: Postmortem, policy: Policy) -> ReviewView:
    decisions = await uow.reminders.decisions(pm.id, pm.review_round)
    planned = [r for r in await uow.reminders.for_subject(pm.id) if r.state == "pending"]
    return ReviewView(
        incident=incident,
        postmortem=pm,
        decisions=decisions,
        waiting_on=waiting_on(pm, decisions),
        needed=approvals_needed(pm.reviewers, policy.review_approvals),
        planned=planned,
    )


async def _postmortem_in(uow: UnitOfWork, channel_id: str) -> tuple[Incident, Postmortem]:
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
    return incident, pm


async def _postmortem(uow: UnitOfWork, postmortem_id: int) -> tuple[Incident, Postmortem]:
    pm = await uow.postmortems.get(postmortem_id)
    incident = None if pm is None else await uow.incidents.get(pm.incident_id)
    if pm is None or incident is None:
        raise IncidentNotFound(GONE)
    return incident, pm


def _must_be_open(pm: Postmortem) -> None:
    if pm.status in ("published", "waived"):
        raise BadCommand(
            N_("This postmortem is %(state)s; its people can't change any more."),
            state=Message(LABELS[pm.status]),
        )


async def _author_or_commander(
    uow: UnitOfWork,
    incident: Incident,
    pm: Postmortem,
    by: str,
    refusal: str = N_("Only the postmortem's author or the incident commander can ask for review."),
) -> None:
    if by not in (pm.author, await commander_of(uow, incident)):
        raise NotAllowed(refusal)
