"""Snooze: put off the next reminder of a nudge's series, or say plainly why there is none.

The reply names a time only when a reminder really is planned for it: a nudge whose reason has
gone, an escalation (one per postmortem and round, nothing follows it) and the team's digest
are refused with the reason, and nothing changes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import deliverable, due_after
from bot.domain.errors import BadCommand, NotAllowed
from bot.domain.messages import N_
from bot.domain.model import Reminder
from bot.domain.nudges import SNOOZABLE
from bot.domain.policy import Policy
from bot.services.ports import Conflict, UnitOfWork
from bot.services.reminders import still_needed

NOT_SNOOZABLE = {
    "escalation": N_(
        "An escalation is sent once per postmortem and stalled round, so there is no next one "
        "to put off. The people it waits on still get their own reminders (and can snooze them)."
    ),
    "digest": N_(
        "The digest is the whole team's weekly list, so it can't be snoozed; its schedule is "
        "in the policy (`reminders.digest`)."
    ),
}
NOTHING_LEFT = N_(
    "There is nothing left to snooze: what this reminder was about is done or has moved on, "
    "so no more reminders about it will come."
)


async def snooze(
    *,
    uow: UnitOfWork,
    reminder_id: int,
    by: str,
    where: str | None,
    zone: ZoneInfo | None,
    policy: Policy,
    now: datetime,
) -> datetime:
    """Put the series' next reminder off by the policy's snooze (a day by default); returns when
    it now comes. Refuses, changing nothing, when no next reminder would come.

    ``where`` is the channel the click came from (a channel's nudge is snoozed from there);
    ``zone`` is the clicker's time zone, so the time returned is the one it will really be sent.
    """
    async with uow:
        reminder = await uow.reminders.get(reminder_id)
        _may_snooze(reminder, by, where)
        assert reminder is not None
        if await still_needed(uow, reminder, policy) is None:
            raise BadCommand(NOTHING_LEFT)
        until = await _put_off(uow, reminder, policy, now, zone)
        await uow.commit()
    return until


def _may_snooze(reminder: Reminder | None, by: str, where: str | None) -> None:
    if reminder is None:
        raise BadCommand(N_("That reminder no longer exists."))
    if reminder.kind not in SNOOZABLE:
        raise BadCommand(NOT_SNOOZABLE.get(reminder.kind, NOTHING_LEFT))
    if _is_person(reminder.recipient):
        if reminder.recipient != by:
            raise NotAllowed(N_("That reminder isn't yours to snooze."))
    elif reminder.recipient != where:
        raise NotAllowed(N_("That reminder belongs to another channel; snooze it there."))


async def _put_off(
    uow: UnitOfWork, reminder: Reminder, policy: Policy, now: datetime, zone: ZoneInfo | None
) -> datetime:
    rules, series = policy.reminders, (reminder.kind, reminder.subject_id, reminder.recipient)
    pending = await uow.reminders.pending(*series)
    start = max(pending.due_at, now) if pending else now
    until = due_after(start, rules.snooze, tz=policy.tz, cal=rules.calendar)
    # The scheduler waits for the recipient's working hours; say the time it will really come.
    tz = zone if zone is not None and _is_person(reminder.recipient) else policy.tz
    until = deliverable(until, tz=tz, cal=rules.calendar)
    if pending is not None:
        await uow.reminders.set(pending.id, due_at=until)
        return until
    # The series had ended (the retro's one-off, or a series cut short) but its reason holds.
    last = await uow.reminders.latest(*series)
    planned = await uow.reminders.schedule(
        kind=reminder.kind,
        subject_id=reminder.subject_id,
        recipient=reminder.recipient,
        due_at=until,
        now=now,
        after=last,
    )
    if not planned:  # someone planned that very occurrence a moment ago
        raise Conflict(f"reminder {reminder.id}: the next occurrence was planned concurrently")
    return until


def _is_person(recipient: str) -> bool:
    return recipient.startswith(("U", "W"))
