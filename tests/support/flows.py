"""Small steps that many front-door tests take: declare an incident, read what was stored."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.services.reports import IncidentReport, incident_report
from tests.conftest import Bot

T = TypeVar("T")


async def declare(
    bot: Bot, text: str, *, user: str = "U1", channel: str = "CGENERAL"
) -> tuple[int, str]:
    """`/incident start …` and wait for the channel; returns (number, channel id)."""
    reply = await bot.slack.command(f"start {text}", user_id=user, channel_id=channel)
    assert reply.status == 200, reply.body
    number = int(re.search(r"INC-(\d+)", reply.json["text"]).group(1))
    done = await bot.fake.wait_for(
        "response_url",
        lambda c: f"INC-{number}*" in c.args.get("text", "") and "<#" in c.args["text"],
    )
    channel_id = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    return number, channel_id


async def stored(bot: Bot, number: int) -> IncidentReport:
    """What the database holds for INC-number (read through the real storage)."""
    return await incident_report(uow=bot.runtime.deps.storage.uow(), number=number)


async def count_incidents(bot: Bot) -> int:
    from sqlalchemy import func, select

    from storage.tables import incidents

    async with bot.runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(incidents))).scalar_one())


async def eventually(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], timeout: float = 5.0
) -> T:
    """Probe until `check` holds: for work the bot does after acknowledging."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if check(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not as expected after {timeout}s: {value!r}")
        await asyncio.sleep(0.02)


_event_ids = iter(range(1, 1_000_000))


def reaction(
    channel: str, ts: str, user: str, *, emoji: str = "pushpin", removed: bool = False
) -> dict:
    """A reaction_added / reaction_removed event as Slack sends it."""
    return {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": "U1",
        "event_ts": f"{ts}1",
    }


async def send_event(
    bot: Bot, event: dict, *, event_id: str | None = None, retry_num: int | None = None
):
    reply = await bot.slack.event(
        event, retry_num=retry_num, event_id=event_id or f"Ev{next(_event_ids)}"
    )
    assert reply.status == 200, reply.body
    return reply
