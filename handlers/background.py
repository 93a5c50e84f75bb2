"""Listener work that goes on after Slack has its answer.

Bolt answers Slack once the listener returns (`process_before_response`); `reported` returns
as soon as the listener has called `ack()` and leaves the rest of its work here. This is what
Bolt's default mode does too, except that Bolt notices an `ack()` by polling every 10 ms, which
adds up to 10 ms to every acknowledgement and holds the event loop under a burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Background:
    """Tasks still running after their request was answered; kept until they finish."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)  # a task nobody references may be garbage-collected mid-way
        task.add_done_callback(self._tasks.discard)
        return task

    async def idle(self) -> None:
        """Until the work under way has finished (at shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))
