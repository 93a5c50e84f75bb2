"""Refuse a signed request seen before: a captured request can't be played back within the five
minutes its timestamp stays fresh. (Slack signs every delivery, retries included, anew.)

By default the signatures seen are kept in memory (one process). With REPLAY_GUARD=database on
PostgreSQL, where several replicas serve the same Slack app, they are kept in a table the
replicas share (storage/seen.py), so a replay is refused whichever replica it reaches.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.seen import first_seen, forget_before

log = logging.getLogger(__name__)
FRESH_SECONDS = 5 * 60  # Bolt refuses anything older, so nothing older needs remembering


class ReplayGuard:
    """In this process only."""

    def __init__(
        self, window: float = FRESH_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window = window
        self._clock = clock
        self._seen: OrderedDict[tuple[str, ...], float] = OrderedDict()

    def first_time(self, *key: str) -> bool:
        """Remember `key`; False when it was already seen within the window."""
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) < now - self._window:
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    async def check(self, stamp: str, signature: str) -> bool:
        return self.first_time(stamp, signature)

    async def forget_old(self) -> None:
        """Nothing to do: `first_time` forgets as it goes."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SharedReplayGuard:
    """Across every process using the same PostgreSQL database. Requests arriving together are
    checked together: one statement for all those waiting (as notes are written), so the guard
    costs a round trip per batch, not per request."""

    def __init__(
        self,
        engine: AsyncEngine,
        window: float = FRESH_SECONDS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._engine = engine
        self._window = timedelta(seconds=window)
        self._clock = clock
        self._here = ReplayGuard(window)  # what this process saw, should the database be away
        self._waiting: dict[str, asyncio.Future[bool]] = {}
        self._checking: asyncio.Task[None] | None = None

    async def check(self, stamp: str, signature: str) -> bool:
        # The signature is an HMAC over the timestamp and body: it names the request alone.
        if not self._here.first_time(stamp, signature):
            return False  # seen by this very process (twice in one batch, say): no need to ask
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[signature] = answer
        if self._checking is None:
            self._checking = asyncio.create_task(self._check_waiting())
        return await answer

    async def _check_waiting(self) -> None:
        batch: dict[str, asyncio.Future[bool]] = {}
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                try:
                    fresh = await first_seen(self._engine, list(batch), self._clock(), self._window)
                except Exception as exc:  # the database away: this process's memory guards,
                    # and each request goes on to hear politely that nothing can be saved now
                    log.warning("replay guard: database unreachable (%s)", exc.__class__.__name__)
                    fresh = set(batch)
                for signature, answer in batch.items():
                    if not answer.done():
                        answer.set_result(signature in fresh)
        finally:
            self._checking = None
            for answer in [*batch.values(), *self._waiting.values()]:  # only if cancelled
                if not answer.done():
                    answer.cancel()
            self._waiting.clear()

    async def forget_old(self) -> None:
        """Drop signatures past the window (the scheduler calls this every minute)."""
        try:
            await forget_before(self._engine, self._clock() - self._window)
        except Exception as exc:  # the database away for a moment: next minute
            log.warning(
                "replay guard: could not forget old signatures (%s)", exc.__class__.__name__
            )


def replay_guard(engine: AsyncEngine, shared: bool) -> ReplayGuard | SharedReplayGuard:
    """`shared` (REPLAY_GUARD=database, PostgreSQL only): for several replicas. It costs a
    database round trip per batch of requests (README, "Several replicas")."""
    return SharedReplayGuard(engine) if shared else ReplayGuard()
