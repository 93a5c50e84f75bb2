"""Waiting for a bot in this process to have finished what it was asked, instead of sleeping.

A test that checks something did NOT happen (a refused action, a second publication) used to
sleep a while and look. `quiet` waits exactly as long as the bot has work under way — listener
work after the ack, notes being written, people being kept, a nudge tick, outbox deliveries —
then returns: nothing that was set off can still land afterwards. It is as long as needed and
no longer, however loaded the machine is.

It reads the runtime's task sets directly; if one of them is renamed this fails loudly
(AttributeError) rather than returning early.
"""

from __future__ import annotations

import asyncio

from bot.app import Runtime

ROUNDS = 1000  # work that keeps setting off more work for this long is a bug in itself


def under_way(runtime: Runtime) -> set[asyncio.Future]:
    """The bot's tasks still running (scheduled retries, which wait on a timer, are not)."""
    deps = runtime.deps
    found: set[asyncio.Future] = set()
    found |= deps.background._tasks  # listener work after the ack
    found |= runtime.outbox._tasks  # deliveries (a kick after each commit that owed effects)
    found |= deps.people._keeping  # what Slack said of someone, being stored
    for task in (deps.notes._writing, runtime.nudges._ticking):
        if task is not None:
            found.add(task)
    return {t for t in found if not t.done() and t is not asyncio.current_task()}


async def quiet(runtime: Runtime, timeout: float = 10.0) -> None:
    """Until nothing is under way: each finished piece of work may have set off more (a commit
    kicks the outbox), so this looks again until one look finds nothing, after letting every
    callback already scheduled run."""
    async with asyncio.timeout(timeout):
        for _ in range(ROUNDS):
            for _ in range(3):  # done-callbacks and call_soon work of what just finished
                await asyncio.sleep(0)
            running = under_way(runtime)
            if not running:
                return
            await asyncio.wait(running)
    raise AssertionError(f"the bot kept setting off work for {ROUNDS} rounds")
