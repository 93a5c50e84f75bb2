"""Use cases that make the incident channel the recorder: captured messages follow Slack.

Slack may deliver an event twice (retries) or to two processes at once; every use case here is
idempotent, and unique keys in the database settle races.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain.authority import Action, require
from bot.domain.errors import IncidentNotFound
from bot.domain.messages import N_
from bot.domain.model import Incident, TimelineEntry
from bot.domain.timeparse import validate_occurrence
from bot.services.common import CLOCK_SKEW, incident_of, roles_in
from bot.services.ports import Conflict, UnitOfWork

SECOND = timedelta(seconds=1)  # the form's time picker has whole seconds; a message ts has not


@dataclass(frozen=True)
class Message:
    """A Slack message as captured: its ts, author, text and link."""

    ts: str
    author: str
    text: str
    permalink: str | None = None


def ts_time(ts: str) -> datetime:
    """A Slack message ts ("1640656800.000200") as a UTC time."""
    return datetime.fromtimestamp(float(Decimal(ts)), UTC)


async def is_captured(*, uow: UnitOfWork, incident_id: int, message_ts: str) -> bool:
    """True when the message is already in the timeline (saves the slow Slack calls)."""
    async with uow:
        entry = await uow.timeline.by_message(incident_id, message_ts)
    return entry is not None and entry.deleted_at is None


async def add_vote(*, uow: UnitOfWork, incident_id: int, message_ts: str, user: str) -> None:
    """Count one more person's pin on an already captured message."""
    async with uow:
        await uow.timeline.add_vote(incident_id, message_ts, user)
        await uow.commit()


async def capture(
    *,
    uow_factory: Callable[[], UnitOfWork],
    incident_id: int,
    message: Message,
    by: str,
    source: str,
    at: datetime | None = None,
    text: str | None = None,
    member: bool = True,
    now: datetime,
) -> TimelineEntry | None:
    """Add a message to the timeline once, at its own time unless `at` says otherwise. A pin's
    vote is counted first (`add_vote`); None when every pin was taken back meanwhile.

    Whose words: a message is recorded under its author only as they wrote it, at its own
    time (or as its author adjusts it). Someone else's adjusted text or time at a first capture
    is *their* note, linking the message; an entry already captured is adjusted only by whom
    the authority table lets change it (its author or the commander), like `note edit`."""
    args = (incident_id, message, by, source, at, text, member, now)
    try:
        return await _capture(uow_factory(), *args)
    except Conflict:  # another delivery captured it a moment ago: count the vote there
        return await _capture(uow_factory(), *args)


async def _capture(
    uow: UnitOfWork,
    incident_id: int,
    message: Message,
    by: str,
    source: str,
    at: datetime | None,
    text: str | None,
    member: bool,
    now: datetime,
) -> TimelineEntry | None:
    async with uow:
        if source == "reaction" and not await uow.timeline.votes(incident_id, message.ts):
            return None  # the pin was taken back while the message was being fetched
        incident = await uow.incidents.get(incident_id)
        if incident is None:
            raise IncidentNotFound(N_("That incident no longer exists."))
        require(await roles_in(uow, incident, by, member=member), Action.CAPTURE)
        # What the form asks to change: the text and time it was prefilled with mean "as is".
        text = None if text in (None, message.text) else text
        at = None if at is None or abs(at - ts_time(message.ts)) < SECOND else at
        entry = await uow.timeline.by_message(incident_id, message.ts)
        if entry is None and (text is not None or at is not None) and by != message.author:
            note = await _capturers_note(uow, incident_id, message, by, at, text, now)
            await uow.commit()
            return note
        if entry is None:
            entry = await uow.timeline.add(
                incident_id=incident_id,
                occurred_at=at or ts_time(message.ts),
                recorded_at=now,
                author=message.author,
                kind="message",
                text=message.text if text is None else text,
                source=source,
                message_ts=message.ts,
                permalink=message.permalink,
            )
        elif entry.deleted_at is not None:  # pinned again: back, with the message as it is now
            entry = await uow.timeline.change(
                entry,
                action="restore",
                by=by,
                at=now,
                deleted_at=None,
                source=source,
                text=message.text,
                permalink=message.permalink or entry.permalink,
            )
        if (text is not None and text != entry.text) or (
            at is not None and at != entry.occurred_at
        ):
            # Captured again through the shortcut's form, with the text or time adjusted.
            roles = await roles_in(uow, incident, by, entry_author=entry.author, member=member)
            require(roles, Action.CHANGE_ENTRY, number=entry.seq)
            entry = await _adjust(uow, entry, by, text or entry.text, at or entry.occurred_at, now)
        await uow.commit()
    return entry


async def _capturers_note(
    uow: UnitOfWork,
    incident_id: int,
    message: Message,
    by: str,
    at: datetime | None,
    text: str | None,
    now: datetime,
) -> TimelineEntry:
    """Someone's own words about a message: a note under their name, linking it."""
    return await uow.timeline.add(
        incident_id=incident_id,
        occurred_at=at or ts_time(message.ts),
        recorded_at=now,
        author=by,
        kind="note",
        text=text or message.text,
        source="shortcut",
        message_ts=None,
        permalink=message.permalink,
    )


async def incident_to_capture(
    *, uow: UnitOfWork, channel_id: str, by: str, member: bool
) -> Incident:
    """Before the shortcut's form opens: this channel's incident, if `by` may capture in it."""
    async with uow:
        incident = await incident_of(uow, channel_id)
        require(await roles_in(uow, incident, by, member=member), Action.CAPTURE)
    return incident


async def _adjust(
    uow: UnitOfWork, entry: TimelineEntry, by: str, text: str, at: datetime, now: datetime
) -> TimelineEntry:
    return await uow.timeline.change(entry, action="edit", by=by, at=now, text=text, occurred_at=at)


async def check_capture_time(
    *, uow: UnitOfWork, channel_id: str, at: datetime, now: datetime
) -> int:
    """Before a shortcut's modal closes: the chosen time must fit the incident. Its id."""
    async with uow:
        incident = await incident_of(uow, channel_id)
    validate_occurrence(at, started_at=incident.started_at, now=now, skew=CLOCK_SKEW)
    return incident.id


async def release(
    *, uow: UnitOfWork, incident_id: int, message_ts: str, user: str, now: datetime
) -> bool:
    """A pin was taken back; the entry goes when the last one does. True when it went."""
    async with uow:
        left = await uow.timeline.remove_vote(incident_id, message_ts, user)
        entry = await uow.timeline.by_message(incident_id, message_ts)
        removed = (
            left == 0 and entry is not None and entry.source == "reaction" and not entry.deleted_at
        )
        if removed and entry is not None:
            await uow.timeline.change(entry, action="delete", by=user, at=now, deleted_at=now)
        await uow.commit()
    return removed


async def follow_edit(
    *, uow: UnitOfWork, incident_id: int, message_ts: str, text: str, editor: str, now: datetime
) -> bool:
    """The captured message was edited in Slack: the entry follows, the edit is kept."""
    async with uow:
        entry = await uow.timeline.by_message(incident_id, message_ts)
        changed = entry is not None and entry.deleted_at is None and entry.text != text
        if changed and entry is not None:
            await uow.timeline.change(entry, action="edit", by=editor, at=now, text=text)
        await uow.commit()
    return changed


async def follow_delete(
    *, uow: UnitOfWork, incident_id: int, message_ts: str, now: datetime
) -> bool:
    """The captured message was deleted in Slack: so is its entry (its history stays)."""
    async with uow:
        entry = await uow.timeline.by_message(incident_id, message_ts)
        deleted = entry is not None and entry.deleted_at is None
        if deleted and entry is not None:
            await uow.timeline.change(
                entry, action="delete", by=entry.author, at=now, deleted_at=now
            )
        await uow.commit()
    return deleted


async def add_responder(*, uow: UnitOfWork, incident_id: int, user: str, at: datetime) -> bool:
    """Someone joined the incident channel: a responder (once), not a timeline entry."""
    async with uow:
        added = await uow.people.add_responder(incident_id, user, at)
        await uow.commit()
    return added
