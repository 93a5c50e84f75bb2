"""`/incident status|sev|role|mark`: each is a timeline entry; the pinned summary follows."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.domain import commands as cmds
from bot.domain.lifecycle import ROLE_DUTIES, ROLES
from bot.services import incidents as svc
from bot.services import lifecycle
from handlers import blocks
from handlers.commands import Invocation
from handlers.people import ACK_PATH_TIMEOUT
from handlers.publishing import refresh_summary
from handlers.slack_errors import slack_error


async def on_status(cmd: cmds.Status, run: Invocation) -> None:
    incident, entry = await lifecycle.set_status(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        user=run.user,
        status=cmd.status,
        at=await run.time(cmd.at),
        now=run.deps.clock(),
    )
    await run.ack(text=blocks.change_text(run.t, entry), response_type="in_channel")
    await _refresh(run, incident.id)


async def on_severity(cmd: cmds.Severity, run: Invocation) -> None:
    incident, entry = await lifecycle.set_severity(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        user=run.user,
        severity=cmd.severity,
        at=await run.time(cmd.at),
        now=run.deps.clock(),
    )
    await run.ack(text=blocks.change_text(run.t, entry), response_type="in_channel")
    await _refresh(run, incident.id)


async def on_mark(cmd: cmds.Mark, run: Invocation) -> None:
    incident, entry = await lifecycle.add_mark(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        user=run.user,
        mark=cmd.mark,
        at=await run.time(cmd.at),
        text=cmd.text,
        now=run.deps.clock(),
    )
    await run.ack(text=blocks.change_text(run.t, entry), response_type="in_channel")
    await _refresh(run, incident.id)


async def on_role(cmd: cmds.Role, run: Invocation) -> None:
    deps = run.deps
    if cmd.role is None or cmd.user is None:
        incident = await svc.incident_in_channel(uow=deps.storage.uow(), channel_id=run.channel)
        view = await lifecycle.overview(uow=deps.storage.uow(), incident_id=incident.id)
        await run.ack(text=blocks.roles_text(run.t, view, ROLES), response_type="ephemeral")
        return
    name = (await deps.people.profile(cmd.user, within=ACK_PATH_TIMEOUT)).name
    incident, _ = await lifecycle.assign_role(
        uow=deps.storage.uow(),
        channel_id=run.channel,
        by=run.user,
        role=cmd.role,
        user=cmd.user,
        user_name=name,
        now=deps.clock(),
    )
    role = run.t.gettext(cmd.role)
    await run.ack(
        text=run.t.gettext("<@%(user)s> is now the *%(role)s*.", user=cmd.user, role=role),
        response_type="in_channel",
    )
    await _refresh(run, incident.id)
    await _brief(run, incident.channel_id or run.channel, cmd.user, cmd.role, incident.ref)


async def _brief(run: Invocation, channel: str, user: str, role: str, ref: str) -> None:
    """Bring the person into the channel and tell them, privately, what the role does."""
    try:
        await run.client.conversations_invite(channel=channel, users=user)
    except SlackApiError as exc:
        if slack_error(exc) != "already_in_channel":
            raise
    dm = await run.client.conversations_open(users=user)
    t = run.t
    await run.client.chat_postMessage(
        channel=dm["channel"]["id"],
        text=t.gettext(
            "You are the *%(role)s* of %(ref)s (<#%(channel)s>). %(duties)s",
            role=t.gettext(role),
            ref=ref,
            channel=channel,
            duties=t.gettext(ROLE_DUTIES[role]),
        ),
    )


async def _refresh(run: Invocation, incident_id: int) -> None:
    view = await lifecycle.overview(uow=run.deps.storage.uow(), incident_id=incident_id)
    await refresh_summary(run.client, run.deps, view)
