"""The unit of work: one AsyncSession, one transaction, per use case (the adapter of
`bot.services.ports.UnitOfWork`; its errors are the ports', re-exported here)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.ports import Conflict, Rejected, Unavailable
from storage.outbox_repository import OutboxRepository
from storage.people_repository import PeopleRepository
from storage.reminder_repository import ReminderRepository
from storage.repositories import IncidentRepository, PostmortemRepository
from storage.stats_repository import StatsRepository
from storage.timeline_repository import TimelineRepository
from storage.writing_repository import WritingRepository

__all__ = ["Conflict", "Rejected", "Storage", "Unavailable", "UnitOfWork"]

DATA_EXCEPTION = "22"  # SQLSTATE class "data exception" (PostgreSQL: invalid input, NUL, …)


def _translated(exc: BaseException) -> Exception | None:
    """The unit of work's own error for a database or driver error; None for any other."""
    if isinstance(exc, IntegrityError):
        return Conflict(str(exc.orig))
    if isinstance(exc, DataError) or _sqlstate(exc).startswith(DATA_EXCEPTION):
        return Rejected(_first_line(getattr(exc, "orig", None) or exc))
    if isinstance(exc, UnicodeError):  # SQLite's driver, refusing text it can't encode
        return Rejected(_first_line(exc))
    if isinstance(exc, DBAPIError | OSError | PoolTimeout):
        return Unavailable(exc.__class__.__name__)
    return None


def _first_line(exc: BaseException) -> str:
    return (str(exc) or exc.__class__.__name__).splitlines()[0]


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


class UnitOfWork:
    """`async with uow:` opens a session; only `commit()` makes changes last."""

    incidents: IncidentRepository
    timeline: TimelineRepository
    postmortems: PostmortemRepository
    people: PeopleRepository
    reminders: ReminderRepository
    writing: WritingRepository
    outbox: OutboxRepository
    stats: StatsRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        on_effects: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._on_effects = on_effects
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self.incidents = IncidentRepository(self._session)
        self.timeline = TimelineRepository(self._session)
        self.postmortems = PostmortemRepository(self._session)
        self.people = PeopleRepository(self._session)
        self.reminders = ReminderRepository(self._session)
        self.writing = WritingRepository(self._session)
        self.outbox = OutboxRepository(self._session)
        self.stats = StatsRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()  # a no-op after commit; undoes anything uncommitted
            await self._session.close()
        except (DBAPIError, OSError):
            if exc is None:  # the work was done; only letting go of a broken connection failed
                raise
        finally:
            self._session = None
        translated = None if exc is None else _translated(exc)
        if translated is not None:
            raise translated from exc

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside `async with uow`"
        try:
            await self._session.commit()
        except (DBAPIError, PoolTimeout, UnicodeError) as exc:
            translated = _translated(exc)
            if translated is None:
                raise
            raise translated from exc
        if self.outbox.added and self._on_effects is not None:
            self.outbox.added = False
            self._on_effects()  # effects owed by what was just committed go out at once


class Storage:
    """Hands out a fresh unit of work per use case.

    `on_effects` (set by the composition root) is called after a commit that wrote outbox rows:
    the dispatcher then delivers them at once instead of at its next poll.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self.on_effects: Callable[[], None] | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self.on_effects)
