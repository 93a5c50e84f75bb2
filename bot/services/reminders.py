"""The nudges' engine room: claim what is due exactly once, re-check that it is still needed,
plan the next one, and settle the outcome of sending it.

Claiming marks a nudge sent in the same transaction that locks it (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite serialises writers), so two processes never send the same nudge. A process
that dies between the claim and Slack's answer loses that one message rather than sending it
twice; the series goes on, because the next occurrence is planned in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.actions import OVERDUE
from bot.domain.calendar import deliverable, due_after
from bot.domain.model import ActionItem, Incident, Postmortem, Reminder
from bot.domain.nudges import ACTION_ITEM, POSTMORTEM, STALLS, escalation_occasion, stalled_now
from bot.domain.policy import Policy
from bot.domain.review import waiting_on
from bot.domain.visibility import escalation_channel, listed
from bot.services.actions import Item, describe
from bot.services.common import commander_of
from bot.services.ports import UnitOfWork

CLAIM_BATCH = 50
RECURRING = {
    "author": "author_every",
    "reviewer": "reviewer_every",
    "digest": "digest_every",
    "action": "action_every",
}


@dataclass(frozen=True)
class Due:
    """A claimed nudge and what its message needs."""

    reminder: Reminder
    incident: Incident | None = None
    postmortem: Postmortem | None = None
    waiting_on: tuple[str, ...] = ()
    awaiting: list[tuple[Incident, Postmortem, tuple[str, ...]]] = field(default_factory=list)
    action: ActionItem | None = None
    overdue: list[tuple[Incident, Item]] = field(default_factory=list)


async def due_recipients(*, uow: UnitOfWork, now: datetime) -> set[str]:
    """Who the due nudges are for (to look up their time zones before claiming)."""
    async with uow:
        return {r.recipient for r in await uow.reminders.due(now, CLAIM_BATCH)}


async def claim_due(
    *, uow: UnitOfWork, now: datetime, zones: Mapping[str, ZoneInfo | None], policy: Policy
) -> list[Due]:
    """Claim the nudges to send now; postpone those outside their recipient's working hours."""
    claimed: list[Due] = []
    async with uow:
        for reminder in await uow.reminders.lock_due(now, CLAIM_BATCH):
            due = await still_needed(uow, reminder, policy)
            if due is None:
                await uow.reminders.set(
                    reminder.id, state="cancelled", last_error="no longer needed"
                )
                continue
            tz = zones.get(reminder.recipient) or policy.tz
            when = deliverable(reminder.due_at, tz=tz, cal=policy.reminders.calendar)
            if when > now:
                await uow.reminders.set(reminder.id, due_at=when)
                continue
            await uow.reminders.set(
                reminder.id, state="sent", sent_at=now, attempts=reminder.attempts + 1
            )
            await _plan_next(uow, due, policy, now)
            claimed.append(due)
        await uow.commit()
    return claimed


async def settle_failure(
    *,
    uow: UnitOfWork,
    reminder_id: int,
    error: str,
    retry_in: timedelta | None,
    policy: Policy,
    now: datetime,
) -> str:
    """Sending failed: try again later (backoff, or Slack's Retry-After) or record it failed."""
    async with uow:
        reminder = await uow.reminders.get(reminder_id)
        assert reminder is not None
        if retry_in is not None and reminder.attempts < policy.reminders.max_attempts:
            state, due_at = "pending", now + retry_in
        else:
            state, due_at = "failed", reminder.due_at
        await uow.reminders.set(reminder_id, state=state, due_at=due_at, last_error=error)
        await uow.commit()
    return state


async def ensure_digest(*, uow: UnitOfWork, policy: Policy, now: datetime) -> None:
    """Keep one weekly digest planned for the policy's channel (idempotent across processes)."""
    channel = policy.reminders.digest_channel
    if channel is None:
        return
    async with uow:
        if await uow.reminders.pending("digest", 0, channel) is None:
            last = await uow.reminders.last_sent("digest", channel)
            due = (
                now
                if last is None or last.sent_at is None
                else last.sent_at + policy.reminders.digest_every
            )
            await uow.reminders.schedule(
                kind="digest", subject_id=0, recipient=channel, due_at=due, now=now, after=last
            )
        await uow.commit()


@dataclass(frozen=True)
class About:
    """What a reminder is about: an incident's postmortem, or one of its action items."""

    incident: Incident
    subject_kind: str  # nudges.POSTMORTEM or nudges.ACTION_ITEM
    number: int | None = None  # the action item's number in its incident (#3)


async def listing(
    *, uow: UnitOfWork, states: tuple[str, ...]
) -> list[tuple[Reminder, About | None]]:
    """Scheduled (or failed…) nudges with what each is about (None: the digest, or gone)."""
    async with uow:
        return [(r, await _about(uow, r)) for r in await uow.reminders.listing(states)]


async def _about(uow: UnitOfWork, reminder: Reminder) -> About | None:
    if reminder.subject_kind == ACTION_ITEM:
        item = await uow.writing.action(action_id=reminder.subject_id)
        incident = await uow.incidents.get(item.incident_id) if item else None
        return About(incident, ACTION_ITEM, item.seq) if item and incident else None
    if reminder.subject_kind == POSTMORTEM:
        pm = await uow.postmortems.get(reminder.subject_id)
        incident = await uow.incidents.get(pm.incident_id) if pm else None
        return About(incident, POSTMORTEM) if incident else None
    return None


async def still_needed(uow: UnitOfWork, reminder: Reminder, policy: Policy) -> Due | None:
    """Re-read the state: a nudge whose reason has gone is not sent (nor snoozed)."""
    if reminder.kind == "digest":
        if reminder.recipient != policy.reminders.digest_channel:
            return None
        overdue = await _overdue(uow, policy, reminder.due_at)
        return Due(reminder=reminder, awaiting=await _awaiting(uow), overdue=overdue)
    if reminder.kind == "action":
        item = await uow.writing.action(action_id=reminder.subject_id)
        incident = await uow.incidents.get(item.incident_id) if item else None
        if (
            item is None
            or incident is None
            or item.state != "open"
            or item.owner != reminder.recipient
        ):
            return None
        return Due(reminder=reminder, incident=incident, action=item)
    pm = await uow.postmortems.get(reminder.subject_id)
    incident = await uow.incidents.get(pm.incident_id) if pm else None
    if pm is None or incident is None:
        return None
    decisions = await uow.reminders.decisions(pm.id, pm.review_round)
    waiting = waiting_on(pm, decisions)
    # An escalation stands for one stalled stage and round; once that has moved on, it is moot.
    current = reminder.occasion in (None, stalled_now(pm.status, pm.review_round))
    needed = {
        "author": pm.status == "draft" and pm.author == reminder.recipient,
        "reviewer": pm.status == "in_review" and reminder.recipient in waiting,
        "escalation": bool(waiting) and current,
        "retro": pm.retro_held_at is None and pm.status != "waived",
    }.get(reminder.kind, False)
    return Due(reminder, incident, pm, waiting) if needed else None


async def _plan_next(uow: UnitOfWork, due: Due, policy: Policy, now: datetime) -> None:
    reminder, rules = due.reminder, policy.reminders
    if reminder.kind in RECURRING:
        every: timedelta = getattr(rules, RECURRING[reminder.kind])
        due_at = due_after(now, every, tz=policy.tz, cal=rules.calendar)
        await uow.reminders.schedule(
            kind=reminder.kind,
            subject_id=reminder.subject_id,
            recipient=reminder.recipient,
            due_at=due_at,
            now=now,
            after=reminder,
        )
    if reminder.kind in STALLS and reminder.nth == rules.escalate_after + 1:
        # One escalation per postmortem, stage and round, however many people are silent (it
        # names them all); the occasion's unique key makes a second one, here or in another
        # process, a no-op. A private incident's goes to its commander, never to a channel.
        assert due.incident is not None and due.postmortem is not None
        channel = escalation_channel(due.incident, policy)
        target = channel or await commander_of(uow, due.incident)
        await uow.reminders.schedule(
            kind="escalation",
            subject_id=reminder.subject_id,
            recipient=target,
            due_at=now,
            now=now,
            occasion=escalation_occasion(reminder.kind, due.postmortem.review_round),
        )


async def _overdue(uow: UnitOfWork, policy: Policy, now: datetime) -> list[tuple[Incident, Item]]:
    """The digest's overdue action items (a private incident's are not listed: see visibility)."""
    today = now.astimezone(policy.tz).date()
    out = []
    for item in await uow.writing.open_actions():
        incident = await uow.incidents.get(item.incident_id)
        if incident is not None and listed(incident):
            described = describe(item, incident, policy, today)
            if OVERDUE in described.flags:
                out.append((incident, described))
    return out


async def _awaiting(uow: UnitOfWork) -> list[tuple[Incident, Postmortem, tuple[str, ...]]]:
    """The digest's postmortems still waiting (a private incident's are not listed)."""
    rows = []
    for pm in await uow.postmortems.awaiting():
        incident = await uow.incidents.get(pm.incident_id)
        if incident is not None and listed(incident):
            decisions = await uow.reminders.decisions(pm.id, pm.review_round)
            rows.append((incident, pm, waiting_on(pm, decisions)))
    return rows
