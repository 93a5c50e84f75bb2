"""`/incident action add|list|done|drop|owner|due`, and the owner's "Mark done" button."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import action_commands as cmds
from bot.domain.actions import resolve_due
from bot.domain.errors import BadCommand
from bot.domain.messages import N_
from bot.domain.mrkdwn import escape
from bot.i18n import Translator
from bot.services import actions
from bot.services.actions import Item
from handlers.closing import refresh_if_drafted
from handlers.commands import Invocation
from handlers.deps import Deps
from handlers.errors import reported
from handlers.review_blocks import ACTION_DONE
from handlers.slack_reading import member_or_not


def register(app: AsyncApp) -> None:
    app.action(ACTION_DONE)(reported(on_done_clicked))


def line(t: Translator, described: Item) -> str:
    item, _ = described.item, t.gettext
    state = {
        "open": "",
        "done": " ✅ " + t.pgettext("action item", "done"),
        "dropped": " ~" + _("dropped: %(reason)s", reason=escape(item.drop_reason or "")) + "~",
    }[item.state]
    separator = t.pgettext("between names", ", ")
    warn = f" ⚠️ {separator.join(_(f) for f in described.flags)}" if described.flags else ""
    text = _(
        "`#%(n)s` [%(priority)s] %(text)s — %(owner)s, due %(due)s",
        n=item.seq,
        priority=_(item.priority),
        text=escape(item.text),
        owner=f"<@{item.owner}>" if item.owner else "_" + _("no owner") + "_",
        due=f"{described.deadline:%Y-%m-%d}" + ("" if item.due else " (SLO)"),
    )
    return text + state + warn


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
        text=run.t.gettext(
            "Action item added to %(ref)s: %(item)s", ref=incident.ref, item=line(run.t, item)
        ),
        response_type="in_channel",
    )
    await refresh_if_drafted(run.client, run.deps, incident)


async def on_list(cmd: cmds.ActionList, run: Invocation) -> None:
    incident, items = await actions.list_actions(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        policy=run.deps.policy,
        now=run.deps.clock(),
    )
    t = run.t
    if not items:
        how = "`/incident action add <text> --owner @u --due 2w`"
        text = t.gettext("%(ref)s has no action items yet: %(how)s.", ref=incident.ref, how=how)
    else:
        head = t.gettext("*%(ref)s action items*", ref=incident.ref)
        text = "\n".join([head, *(line(t, i) for i in items)])
    await run.ack(text=text, response_type="ephemeral")


# What each change says before the item, in the channel.
_CHANGED = {
    "done": N_("Done: %(ref)s action %(item)s"),
    "dropped": N_("Dropped: %(ref)s action %(item)s"),
    "owner": N_("Owner set: %(ref)s action %(item)s"),
    "due": N_("Date set: %(ref)s action %(item)s"),
}


async def _change(run: Invocation, number: int, change: str, **values: object) -> None:
    incident, item = await actions.change_action(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        number=number,
        by=run.user,
        policy=run.deps.policy,
        now=run.deps.clock(),
        **values,
    )
    text = run.t.gettext(_CHANGED[change], ref=incident.ref, item=line(run.t, item))
    await run.ack(text=text, response_type="in_channel")
    await refresh_if_drafted(run.client, run.deps, incident)


async def on_done(cmd: cmds.ActionDone, run: Invocation) -> None:
    await _change(run, cmd.number, "done", state="done")


async def on_drop(cmd: cmds.ActionDrop, run: Invocation) -> None:
    await _change(run, cmd.number, "dropped", state="dropped", drop_reason=cmd.reason)


async def on_owner(cmd: cmds.ActionOwner, run: Invocation) -> None:
    await _change(run, cmd.number, "owner", owner=cmd.owner)


async def on_due(cmd: cmds.ActionDue, run: Invocation) -> None:
    await _change(run, cmd.number, "due", due=resolve_due(cmd.due, today=_today(run)))


async def on_done_clicked(
    ack: AsyncAck,
    body: dict,
    action: dict,
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict,
) -> None:
    deps: Deps = context["deps"]
    await ack()
    channel, number = _item_of(action.get("value"))
    user = body["user"]["id"]
    incident, item = await actions.finish_action(
        uow=deps.storage.uow(),
        channel_id=channel,
        number=number,
        by=user,
        member=await member_or_not(client, channel, user),  # pressed in a DM, usually
        policy=deps.policy,
        now=deps.clock(),
    )
    t = deps.translator
    await respond(
        text=t.gettext(
            "Marked done: %(ref)s action %(item)s. Thank you!", ref=incident.ref, item=line(t, item)
        ),
        replace_original=False,
    )


def _item_of(value: object) -> tuple[str, int]:
    """The incident channel and item number a Mark done button carries: untrusted."""
    channel, _, number = str(value).rpartition(":")
    if not channel or not number.isascii() or not number.isdigit() or len(number) > 9:
        raise BadCommand(N_("That button is not one of mine."))
    return channel, int(number)
