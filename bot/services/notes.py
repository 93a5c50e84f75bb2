"""`/incident note` under a burst: notes are written in groups (group commit).

While one transaction is being committed, the notes that arrive queue up; the next transaction
writes them all. Each note is acknowledged only after the commit that holds it, so an
acknowledged note is never lost, and a burst costs a few transactions instead of one each.
A note is checked (an incident channel? a sensible time?) before it queues, from the channel
cache, so a refusal never waits for the database and never fails anyone else's note; its text was
checked at the door (handlers/door.py). Should the database still refuse something in a group,
its notes are written again one by one, so that only the note at fault fails.
"""

from __future__ import annotations

import asyncio
import copy
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.model import TimelineEntry
from bot.domain.timeparse import validate_occurrence
from bot.services.channels import ChannelIncident, IncidentChannels
from bot.services.common import CLOCK_SKEW, ensure_may_add, not_an_incident_channel
from bot.services.ports import Storage, Unavailable, UnitOfWork

MAX_BATCH = 256  # notes per transaction: bounds how long one commit holds the write lock


@dataclass(frozen=True)
class Noted(TimelineEntry):
    """A note's entry, and whether its incident was already closed (the note is kept, and the
    person is told where it will show)."""

    incident_closed: bool = False


@dataclass(frozen=True)
class NewNote:
    incident_id: int
    occurred_at: datetime
    recorded_at: datetime
    author: str
    text: str


def new_note(
    incident: ChannelIncident, *, author: str, text: str, at: datetime | None, now: datetime
) -> NewNote:
    """A note for this incident, at `at` (else now): not in the future, not long before it.
    A command typed in the channel is a member's (the authority table's NOTE rule)."""
    ensure_may_add(author)
    occurred_at = now if at is None else at
    validate_occurrence(occurred_at, started_at=incident.started_at, now=now, skew=CLOCK_SKEW)
    return NewNote(incident.id, occurred_at, now, author, text)


async def record_notes(*, uow: UnitOfWork, notes: Sequence[NewNote]) -> list[Noted]:
    """Record notes in one transaction; returns their entries in the same order."""
    by_incident: dict[int, list[int]] = defaultdict(list)
    for i, note in enumerate(notes):
        by_incident[note.incident_id].append(i)
    entries: dict[int, Noted] = {}
    async with uow:
        for incident_id, indexes in by_incident.items():
            added, status = await uow.timeline.add_many_to(
                incident_id, [_row(notes[i]) for i in indexes]
            )
            closed = status == "closed"
            noted = (Noted(**vars(e), incident_closed=closed) for e in added)
            entries.update(zip(indexes, noted, strict=True))
        await uow.commit()
    return [entries[i] for i in range(len(notes))]


def _row(note: NewNote) -> dict[str, object]:
    # Not dataclasses.asdict: it deep-copies every value, a cost a burst pays per note.
    return {
        "occurred_at": note.occurred_at,
        "recorded_at": note.recorded_at,
        "author": note.author,
        "text": note.text,
    }


class NoteWriter:
    """Queues notes and writes them in groups, one transaction at a time per process."""

    def __init__(
        self,
        storage: Storage,
        channels: IncidentChannels,
        *,
        max_batch: int = MAX_BATCH,
        on_written: Callable[[int], None] | None = None,
    ) -> None:
        self._storage = storage
        self._on_written = on_written  # told each group commit's size (for the metrics)
        self._channels = channels
        self._max_batch = max_batch
        self._queue: list[tuple[NewNote, asyncio.Future[Noted]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def add(
        self, *, channel_id: str, author: str, text: str, at: datetime | None, now: datetime
    ) -> Noted:
        """Record a note in this channel's incident; returns its entry once it is committed."""
        incident = await self._channels.incident(channel_id)
        if incident is None:
            raise not_an_incident_channel()
        note = new_note(incident, author=author, text=text, at=at, now=now)
        future: asyncio.Future[Noted] = asyncio.get_running_loop().create_future()
        self._queue.append((note, future))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_queued())
        return await future

    async def idle(self) -> None:
        """Wait until every queued note is written (or has failed)."""
        while self._writing is not None:
            await asyncio.shield(self._writing)

    async def _write_queued(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._write(batch)
        finally:
            self._writing = None
            for _, future in self._queue:  # only left here when this task was cancelled
                future.cancel()
            self._queue.clear()

    async def _write(self, batch: list[tuple[NewNote, asyncio.Future[Noted]]]) -> None:
        try:
            entries = await record_notes(uow=self._storage.uow(), notes=[note for note, _ in batch])
        except Unavailable as error:  # out of reach: nothing was kept, each note hears why
            _fail(batch, error)
            return
        except Exception as error:
            if len(batch) == 1:
                _fail(batch, error)
                return
            # Refused for something in it, most likely one person's note: each note alone,
            # so that the note at fault fails and no one else's does.
            await self._write_each(batch)
            return
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        if self._on_written is not None:
            self._on_written(len(batch))
        for (_, future), entry in zip(batch, entries, strict=True):
            if not future.done():  # else its request stopped waiting; the note is kept all the same
                future.set_result(entry)

    async def _write_each(self, batch: list[tuple[NewNote, asyncio.Future[Noted]]]) -> None:
        for i, item in enumerate(batch):
            try:
                await self._write([item])
            except BaseException:  # stopped midway: those not yet written hear so
                for _, future in batch[i + 1 :]:
                    future.cancel()
                raise


def _fail(batch: list[tuple[NewNote, asyncio.Future[Noted]]], error: Exception) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(_own_copy(error))


def _own_copy(error: Exception) -> Exception:
    """The same error for each waiting request, so their tracebacks don't pile onto one object."""
    twin = copy.copy(error)
    twin.__cause__ = error
    return twin
