"""`/incident action add|list|done|drop|owner|due`, and the owner's "Mark done" button."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.deps import Deps
from bot.domain import commands as cmds
from bot.domain.actions import resolve_due
from bot.domain.mrkdwn import escape
from bot.services import actions
from bot.services.actions import Item
from handlers.closing import refresh_if_drafted
from handlers.commands import Invocation
from handlers.errors import reported
from handlers.review_blocks import ACTION_DONE


def register(app: AsyncApp) -> None:
    app.action(ACTION_DONE)(reported(on_done_clicked))


def line(described: Item) -> str:
    item = described.item
    owner = f"<@{item.owner}>" if item.owner else "_no owner_"
    due = f"{described.deadline:%Y-%m-%d}" + ("" if item.due else " (SLO)")
    state = {
        "open": "",
        "done": " ✅ done",
        "dropped": f" ~dropped: {escape(item.drop_reason or '')}~",
    }[item.state]
    warn = f" ⚠️ {', '.join(described.flags)}" if described.flags else ""
    return f"`#{item.seq}` [{item.priority}] {escape(item.text)} — {owner}, due {due}{state}{warn}"


def _today(run: Invocation):
    return run.deps.clock().astimezone(run.deps.policy.tz).date()


async def on_add(cmd: cmds.ActionAdd, run: Invocation) -> None:
    incident, item = await actions.add_action(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        text=cmd.text,
        owner=cmd.owner,
        due=resolve_due(cmd.due, today=_today(run)),
        priority=cmd.priority,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    await run.ack(
        text=f"Action item added to {incident.ref}: {line(item)}", response_type="in_channel"
    )
    await refresh_if_drafted(run.client, run.deps, incident)


async def on_list(cmd: cmds.ActionList, run: Invocation) -> None:
    incident, items = await actions.list_actions(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    if not items:
        how = "`/incident action add <text> --owner @u --due 2w`"
        text = f"{incident.ref} has no action items yet: {how}."
    else:
        text = f"*{incident.ref} action items*\n" + "\n".join(line(i) for i in items)
    await run.ack(text=text, response_type="ephemeral")


async def _change(run: Invocation, number: int, verb: str, **values: object) -> None:
    incident, item = await actions.change_action(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        number=number,
        by=run.user,
        policy=run.deps.policy,
        now=run.deps.clock(),
        **values,
    )
    await run.ack(text=f"{verb} {incident.ref} action {line(item)}", response_type="in_channel")
    await refresh_if_drafted(run.client, run.deps, incident)


async def on_done(cmd: cmds.ActionDone, run: Invocation) -> None:
    await _change(run, cmd.number, "Done:", state="done")


async def on_drop(cmd: cmds.ActionDrop, run: Invocation) -> None:
    await _change(run, cmd.number, "Dropped:", state="dropped", drop_reason=cmd.reason)


async def on_owner(cmd: cmds.ActionOwner, run: Invocation) -> None:
    await _change(run, cmd.number, "Owner set:", owner=cmd.owner)


async def on_due(cmd: cmds.ActionDue, run: Invocation) -> None:
    await _change(run, cmd.number, "Date set:", due=resolve_due(cmd.due, today=_today(run)))


async def on_done_clicked(
    ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond, context: dict
) -> None:
    deps: Deps = context["deps"]
    await ack()
    channel, number = action["value"].rsplit(":", 1)
    incident, item = await actions.change_action(
        uow=deps.storage.uow(),
        channel_id=channel,
        number=int(number),
        by=body["user"]["id"],
        policy=deps.policy,
        now=deps.clock(),
        state="done",
    )
    await respond(
        text=f"Marked done: {incident.ref} action {line(item)}. Thank you!", replace_original=False
    )
