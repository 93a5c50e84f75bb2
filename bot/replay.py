"""Refuse a signed request seen before: a captured request can't be played back within the five
minutes its timestamp stays fresh. (Slack signs every delivery, retries included, anew.)"""

from __future__ import annotations

import time
from collections import OrderedDict

FRESH_SECONDS = 5 * 60  # Bolt refuses anything older, so nothing older needs remembering


class ReplayGuard:
    def __init__(self, window: float = FRESH_SECONDS, clock=time.monotonic) -> None:
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
