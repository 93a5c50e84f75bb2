"""Refuse a signed request seen before: a captured request can't be played back within the five
minutes its timestamp stays fresh. (Slack signs every delivery, retries included, anew.)

On SQLite (one process) the signatures seen are kept in memory; on PostgreSQL, where several
replicas may serve the same Slack app, in a table they share (storage/seen.py), so a replay is
refused whichever replica it reaches.
"""

from __future__ import annotations

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
    """Across every process using the same PostgreSQL database."""

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

    async def check(self, stamp: str, signature: str) -> bool:
        # The signature is an HMAC over the timestamp and body: it names the request alone.
        fresh_here = self._here.first_time(stamp, signature)
        try:
            return await first_seen(self._engine, signature, self._clock(), self._window)
        except Exception as exc:  # the database away: this process's memory still guards it,
            # and the request goes on to be told politely that nothing can be saved just now
            log.warning("replay guard: database unreachable (%s)", exc.__class__.__name__)
            return fresh_here

    async def forget_old(self) -> None:
        """Drop signatures past the window (the scheduler calls this every minute)."""
        try:
            await forget_before(self._engine, self._clock() - self._window)
        except Exception as exc:  # the database away for a moment: next minute
            log.warning(
                "replay guard: could not forget old signatures (%s)", exc.__class__.__name__
            )


def replay_guard(engine: AsyncEngine) -> ReplayGuard | SharedReplayGuard:
    return SharedReplayGuard(engine) if engine.dialect.name == "postgresql" else ReplayGuard()
