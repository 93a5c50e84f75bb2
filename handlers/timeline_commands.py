"""`/incident timeline` and `/incident note edit|move|delete N`."""

from __future__ import annotations

from bot.domain import commands as cmds
from bot.services import timeline
from handlers import blocks
from handlers.commands import Invocation


async def on_timeline(cmd: cmds.Timeline, run: Invocation) -> None:
    if cmd.check:
        incident, findings = await timeline.check_timeline(
            uow=run.deps.storage.uow(), channel_id=run.channel
        )
        text = blocks.timeline_review_text(run.t, incident, findings)
        await run.ack(text=text, response_type="ephemeral")
        return
    incident, entries = await timeline.read_timeline(
        uow=run.deps.storage.uow(), channel_id=run.channel
    )
    text = blocks.timeline_text(run.t, incident, entries, cmd.page)
    await run.ack(text=text, response_type="ephemeral")


async def on_note_edit(cmd: cmds.NoteEdit, run: Invocation) -> None:
    entry = await timeline.edit_entry(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        number=cmd.number,
        text=cmd.text,
        by=run.user,
        now=run.deps.clock(),
    )
    await run.ack(
        text=run.t.gettext(
            "Edited #%(n)s: %(entry)s", n=entry.seq, entry=blocks.entry_line(run.t, entry)
        ),
        response_type="in_channel",
    )


async def on_note_move(cmd: cmds.NoteMove, run: Invocation) -> None:
    at = await run.time(cmd.at)
    assert at is not None
    entry = await timeline.move_entry(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        number=cmd.number,
        at=at,
        by=run.user,
        now=run.deps.clock(),
    )
    await run.ack(
        text=run.t.gettext(
            "Moved #%(n)s: %(entry)s", n=entry.seq, entry=blocks.entry_line(run.t, entry)
        ),
        response_type="in_channel",
    )


async def on_note_delete(cmd: cmds.NoteDelete, run: Invocation) -> None:
    entry = await timeline.delete_entry(
        uow=run.deps.storage.uow(),
        channel_id=run.channel,
        number=cmd.number,
        by=run.user,
        now=run.deps.clock(),
    )
    await run.ack(
        text=run.t.gettext("Deleted #%(n)s from the timeline (its history is kept).", n=entry.seq),
        response_type="in_channel",
    )
