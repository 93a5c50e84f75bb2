"""Action items: what prevents a recurrence, each with an owner, a date and nudges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.actions import OVERDUE, flags, slo_due
from bot.domain.authority import Action, require
from bot.domain.errors import BadCommand
from bot.domain.messages import N_
from bot.domain.model import ActionItem, Incident
from bot.domain.policy import Policy
from bot.services.common import incident_of, incident_to_add_to, roles_in
from bot.services.ports import UnitOfWork

ACTION_NUDGE_BEFORE = timedelta(days=1)  # the owner hears a day before the item is due
_ALREADY = {
    "done": N_("Action #%(number)s is already done."),
    "dropped": N_("Action #%(number)s is already dropped."),
}


@dataclass(frozen=True)
class Item:
    """An action item with what the SLO and the calendar say about it."""

    item: ActionItem
    deadline: date  # the date given, else the policy's SLO for its priority
    flags: tuple[str, ...]


def describe(item: ActionItem, incident: Incident, policy: Policy, today: date) -> Item:
    closed = (incident.closed_at or item.created_at).astimezone(policy.tz)
    deadline = item.due or slo_due(item.priority, closed)
    found = flags(
        owner=item.owner,
        due=item.due,
        done=item.state == "done",
        dropped=item.state == "dropped",
        today=today,
    )
    if item.state == "open" and item.due is None and deadline < today:
        found += (OVERDUE,)
    return Item(item, deadline, found)


async def add_action(
    *,
    uow: UnitOfWork,
    channel_id: str,
    by: str,
    text: str,
    owner: str | None,
    due: date | None,
    priority: str | None,
    policy: Policy,
    now: datetime,
) -> tuple[Incident, Item]:
    async with uow:
        incident = await incident_to_add_to(uow, channel_id, by)
        item = await uow.writing.add_action(
            incident_id=incident.id,
            text=text,
            owner=owner,
            due=due,
            priority=priority or "medium",
            created_by=by,
            created_at=now,
        )
        described = describe(item, incident, policy, now.astimezone(policy.tz).date())
        await _plan_nudge(uow, described, policy, now)
        await uow.commit()
    return incident, described


async def list_actions(
    *, uow: UnitOfWork, channel_id: str, policy: Policy, now: datetime
) -> tuple[Incident, list[Item]]:
    async with uow:
        incident = await incident_of(uow, channel_id)
        items = await uow.writing.actions(incident.id)
    today = now.astimezone(policy.tz).date()
    return incident, [describe(i, incident, policy, today) for i in items]


async def change_action(
    *,
    uow: UnitOfWork,
    channel_id: str,
    number: int,
    by: str,
    policy: Policy,
    now: datetime,
    **values: object,
) -> tuple[Incident, Item]:
    """Mark done or dropped (with a reason), or set its owner or date, by a command typed in
    the incident channel; its nudges follow."""
    async with uow:
        incident = await incident_to_add_to(uow, channel_id, by)
        item = await _open_item(uow, incident, number)
        described = await _change(uow, incident, item, policy, now, **values)
        await uow.commit()
    return incident, described


async def finish_action(
    *,
    uow: UnitOfWork,
    channel_id: str,
    number: int,
    by: str,
    member: bool,
    policy: Policy,
    now: datetime,
) -> tuple[Incident, Item]:
    """The owner's "Mark done" button, pressed wherever their reminder is (its value is
    untrusted): the authority table's FINISH_ITEM rule, with `member` from Slack's list."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        item = await _open_item(uow, incident, number)
        roles = await roles_in(uow, incident, by, owner=item.owner, member=member)
        require(roles, Action.FINISH_ITEM)
        described = await _change(uow, incident, item, policy, now, state="done")
        await uow.commit()
    return incident, described


async def _open_item(uow: UnitOfWork, incident: Incident, number: int) -> ActionItem:
    item = await uow.writing.action(incident_id=incident.id, seq=number)
    if item is None:
        raise BadCommand(
            N_("%(ref)s has no action item #%(number)s. See `/incident action list`."),
            ref=incident.ref,
            number=number,
        )
    if item.state != "open":
        raise BadCommand(_ALREADY[item.state], number=number)
    return item


async def _change(
    uow: UnitOfWork,
    incident: Incident,
    item: ActionItem,
    policy: Policy,
    now: datetime,
    **values: object,
) -> Item:
    if values.get("state") in ("done", "dropped"):
        values["closed_at"] = now
    item = await uow.writing.update_action(item.id, **values)
    await uow.reminders.cancel(item.id, ["action"], reason="action item changed")
    described = describe(item, incident, policy, now.astimezone(policy.tz).date())
    await _plan_nudge(uow, described, policy, now)
    return described


async def _plan_nudge(uow: UnitOfWork, item: Item, policy: Policy, now: datetime) -> None:
    if item.item.state != "open" or not item.item.owner:
        return
    start_of_day = datetime.combine(item.deadline, time(), tzinfo=policy.tz)
    due = max(now, start_of_day - ACTION_NUDGE_BEFORE)
    await uow.reminders.schedule(
        kind="action", subject_id=item.item.id, recipient=item.item.owner, due_at=due, now=now
    )
