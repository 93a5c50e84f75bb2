"""`/incident`: parse the text, call a service, answer. One small function per subcommand."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.commands import Close, Help, Note, Start, parse
from bot.domain.mrkdwn import unescape_slack
from bot.domain.timeparse import parse_time
from bot.services import incidents as svc
from handlers import blocks, close_form
from handlers.closing import announce_close
from handlers.errors import reported
from handlers.publishing import create_channel, set_up_channel


def register(app: AsyncApp) -> None:
    app.command("/incident")(reported(on_incident_command))


async def on_incident_command(
    ack: AsyncAck, body: dict, respond: AsyncRespond, client: AsyncWebClient, context: dict
) -> None:
    command = body  # a slash command's body is the command
    deps: Deps = context["deps"]
    parsed = parse(unescape_slack(command.get("text", "")))
    if isinstance(parsed, Help):
        await ack(text=blocks.help_text(parsed.unknown), response_type="ephemeral")
    elif isinstance(parsed, Start):
        await _start(parsed, ack, respond, client, command, deps)
    elif isinstance(parsed, Note):
        await _note(parsed, ack, command, deps)
    elif isinstance(parsed, Close):
        await _close(parsed, ack, client, command, deps)


async def user_time(deps: Deps, user_id: str, raw: str | None):
    """Parse a typed time in the user's own Slack time zone (None when nothing was typed)."""
    if raw is None:
        return None
    tz = await deps.people.timezone(user_id, ZoneInfo(deps.policy.display_timezone))
    return parse_time(raw, tz=tz, now=deps.clock())


async def _start(
    cmd: Start,
    ack: AsyncAck,
    respond: AsyncRespond,
    client: AsyncWebClient,
    command: dict,
    deps: Deps,
) -> None:
    user = command["user_id"]
    now = deps.clock()
    started_at = await user_time(deps, user, cmd.at) or now
    incident = await svc.open_incident(
        uow=deps.storage.uow(),
        title=cmd.title,
        severity=cmd.severity,
        declared_by=user,
        declared_in=command["channel_id"],
        started_at=started_at,
        now=now,
    )
    await ack(
        text=f"Declaring *{incident.ref}*… setting up its channel.", response_type="ephemeral"
    )
    try:
        channel_id, name = await create_channel(
            client, prefix=deps.policy.channel_prefix, incident=incident
        )
    except Exception:
        await svc.discard_incident(uow=deps.storage.uow(), incident_id=incident.id)
        raise
    await svc.attach_channel(
        uow=deps.storage.uow(), incident_id=incident.id, channel_id=channel_id, channel_name=name
    )
    ts = await set_up_channel(client, incident=incident, channel_id=channel_id)
    await svc.record_summary_message(uow=deps.storage.uow(), incident_id=incident.id, ts=ts)
    await respond(text=blocks.declared_text(incident, channel_id), response_type="ephemeral")


async def _note(cmd: Note, ack: AsyncAck, command: dict, deps: Deps) -> None:
    user = command["user_id"]
    at = await user_time(deps, user, cmd.at)
    _, entry = await svc.add_note(
        uow=deps.storage.uow(),
        channel_id=command["channel_id"],
        author=user,
        text=cmd.text,
        at=at,
        now=deps.clock(),
    )
    # Acknowledged only now that it is committed: an acknowledged note is never lost.
    await ack(text=blocks.note_text(entry), response_type="in_channel")


async def _close(
    cmd: Close, ack: AsyncAck, client: AsyncWebClient, command: dict, deps: Deps
) -> None:
    user, channel = command["user_id"], command["channel_id"]
    incident = await svc.incident_in_channel(uow=deps.storage.uow(), channel_id=channel)
    closed_at = await user_time(deps, user, cmd.at) or deps.clock()
    if not cmd.is_complete:
        svc.ensure_open(incident)
        await ack()
        view = blocks.close_modal(incident, **close_form.prefill(cmd, closed_at))
        await client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    outcome = await svc.close_incident(
        uow=deps.storage.uow(),
        channel_id=channel,
        closed_by=user,
        closed_at=closed_at,
        facts=close_form.from_command(cmd),
        reviewers=cmd.reviewers,
        policy=deps.policy,
        now=deps.clock(),
    )
    await ack()
    await announce_close(client, deps, outcome)
