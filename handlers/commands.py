"""`/incident`: parse the text, hand it to the subcommand's function, which calls a service and
answers. The functions all take the parsed command and an `Invocation`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import action_commands as action_cmds
from bot.domain import commands as cmds
from bot.domain import postmortem_commands as postmortem_cmds
from bot.domain.commands import parse
from bot.domain.errors import BadTime
from bot.domain.lifecycle import impact_from_marks
from bot.domain.messages import N_
from bot.domain.model import Incident
from bot.domain.mrkdwn import unescape_slack
from bot.domain.timeparse import has_offset, parse_time
from bot.domain.tokens import NOT_GIVEN
from bot.i18n import Translator
from bot.services import incidents as svc
from bot.services import lifecycle, timeline
from handlers import blocks, close_form, forms
from handlers.deps import Deps
from handlers.errors import reported
from handlers.people import ACK_PATH_TIMEOUT


def register(app: AsyncApp) -> None:
    app.command("/incident")(reported(on_incident_command))


@dataclass(frozen=True)
class Invocation:
    """Who ran the command, where, and what to answer with."""

    ack: AsyncAck
    respond: AsyncRespond
    client: AsyncWebClient
    deps: Deps
    user: str
    channel: str
    trigger_id: str
    response_url: str | None = None

    @property
    def t(self) -> Translator:
        """The workspace's language."""
        return self.deps.translator

    async def time(self, raw: str | None) -> datetime | None:
        """A typed time, read in the user's own Slack time zone (None when none was typed).

        The zone lookup is bounded so the acknowledgement stays within Slack's 3 seconds; a time
        with an explicit offset needs no zone at all.
        """
        if raw is None:
            return None
        tz = await self.deps.people.timezone(self.user, None, within=ACK_PATH_TIMEOUT)
        if tz is None:
            if not has_offset(raw):
                raise BadTime(
                    N_(
                        "I couldn't read your Slack time zone just now, so I can't place "
                        "'%(raw)s'. Give the time with an offset, like 2021-12-28T10:42+09:00."
                    ),
                    raw=raw,
                )
            tz = self.deps.policy.tz
        return parse_time(raw, tz=tz, now=self.deps.clock())


async def on_incident_command(
    ack: AsyncAck, body: dict, respond: AsyncRespond, client: AsyncWebClient, context: dict
) -> None:
    parsed = parse(unescape_slack(body.get("text", "")))
    run = Invocation(
        ack=ack,
        respond=respond,
        client=client,
        deps=context["deps"],
        user=body["user_id"],
        channel=body["channel_id"],
        trigger_id=body.get("trigger_id", ""),
        response_url=body.get("response_url"),
    )
    await _handler(parsed)(parsed, run)


def _handler(parsed: cmds.Command):
    from handlers import action_commands, lifecycle_commands, review_commands, timeline_commands

    return {
        cmds.Help: on_help,
        cmds.Start: on_start,
        cmds.Note: on_note,
        cmds.Close: on_close,
        cmds.Status: lifecycle_commands.on_status,
        cmds.Severity: lifecycle_commands.on_severity,
        cmds.Role: lifecycle_commands.on_role,
        cmds.Mark: lifecycle_commands.on_mark,
        cmds.Timeline: timeline_commands.on_timeline,
        cmds.NoteEdit: timeline_commands.on_note_edit,
        cmds.NoteMove: timeline_commands.on_note_move,
        cmds.NoteDelete: timeline_commands.on_note_delete,
        postmortem_cmds.PostmortemShow: review_commands.on_show,
        postmortem_cmds.PostmortemAuthor: review_commands.on_author,
        postmortem_cmds.PostmortemReviewers: review_commands.on_reviewers,
        postmortem_cmds.PostmortemReady: review_commands.on_ready,
        postmortem_cmds.PostmortemWaive: review_commands.on_waive,
        postmortem_cmds.RetroHeld: review_commands.on_retro_held,
        postmortem_cmds.PostmortemEdit: review_commands.on_edit,
        postmortem_cmds.PostmortemCheck: review_commands.on_check,
        action_cmds.ActionAdd: action_commands.on_add,
        action_cmds.ActionList: action_commands.on_list,
        action_cmds.ActionDone: action_commands.on_done,
        action_cmds.ActionDrop: action_commands.on_drop,
        action_cmds.ActionOwner: action_commands.on_owner,
        action_cmds.ActionDue: action_commands.on_due,
    }[type(parsed)]


async def on_help(cmd: cmds.Help, run: Invocation) -> None:
    await run.ack(text=blocks.help_text(run.t, cmd.unknown, cmd.topic), response_type="ephemeral")


async def on_start(cmd: cmds.Start, run: Invocation) -> None:
    deps, now = run.deps, run.deps.clock()
    incident = await svc.open_incident(
        uow=deps.storage.uow(),
        title=cmd.title,
        severity=cmd.severity,
        declared_by=run.user,
        declared_in=run.channel,
        started_at=await run.time(cmd.at) or now,
        now=now,
        response_url=run.response_url,
        private=cmd.private,
    )
    # The channel is set up by the outbox once this is committed (handlers/effects.py), and
    # the declarer is told there when it is ready.
    await run.ack(
        text=run.t.gettext("Declaring *%(ref)s*… setting up its channel.", ref=incident.ref),
        response_type="ephemeral",
    )


async def on_note(cmd: cmds.Note, run: Invocation) -> None:
    entry = await run.deps.notes.add(
        channel_id=run.channel,
        author=run.user,
        text=cmd.text,
        at=await run.time(cmd.at),
        now=run.deps.clock(),
    )
    # Acknowledged only now that it is committed: an acknowledged note is never lost.
    text = blocks.note_text(run.t, entry)
    if entry.incident_closed:
        text += "\n" + run.t.gettext(
            "_This incident is closed: the note is kept in its timeline and the export, and "
            "the postmortem draft shows it the next time it is updated._"
        )
    await run.ack(text=text, response_type="in_channel")


async def on_close(cmd: cmds.Close, run: Invocation) -> None:
    deps = run.deps
    incident = await svc.closable_incident(
        uow=deps.storage.uow(), channel_id=run.channel, user=run.user
    )
    closed_at = await run.time(cmd.at) or deps.clock()
    if cmd.impact is NOT_GIVEN:  # the marks may tell: impact-start … impact-end
        view = await lifecycle.overview(uow=deps.storage.uow(), incident_id=incident.id)
        marked = impact_from_marks(view.marks, incident.resolved_at or closed_at)
        cmd = replace(cmd, impact=marked) if marked is not None else cmd
    if not cmd.is_complete:
        await run.ack()
        await _open_close_form(run, incident, cmd, closed_at)
        return
    await svc.close_incident(
        uow=deps.storage.uow(),
        channel_id=run.channel,
        closed_by=run.user,
        closed_at=closed_at,
        facts=close_form.from_command(cmd),
        reviewers=cmd.reviewers,
        policy=deps.policy,
        now=deps.clock(),
        response_url=run.response_url,
    )
    await run.ack()  # the announcement and the draft follow from the outbox


async def _open_close_form(
    run: Invocation, incident: Incident, cmd: cmds.Close, closed_at: datetime
) -> None:
    """The close form, with what the timeline review finds as closing would see it."""
    findings = await timeline.closing_findings(
        uow=run.deps.storage.uow(),
        incident_id=incident.id,
        closing_at=closed_at,
        impact=None if cmd.impact is NOT_GIVEN else cmd.impact,
    )
    prefilled = close_form.prefill(cmd, closed_at)
    modal = forms.close_modal(run.t, incident, **prefilled, findings=findings)
    await run.client.views_open(trigger_id=run.trigger_id, view=modal)
