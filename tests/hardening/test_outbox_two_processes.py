"""Two bot processes on one PostgreSQL database deliver the outbox together: each effect once."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import Runtime
from bot.settings import Settings
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.hardening.helpers import bot_on
from tests.support.review import review_policy

INCIDENTS = 8


@pytest.mark.postgres
async def test_two_processes_deliver_each_effect_once(postgres_url, fake_slack):
    policy = review_policy()
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        api_url=fake_slack.base_url,
        database_url=postgres_url,
        policy_path=None,
    )
    other = Runtime(settings, policy)
    await other.start(nudges=False)
    fake_slack.delay("*", 0.05)
    try:
        async with bot_on(postgres_url, fake_slack, policy) as bot:
            stop = asyncio.Event()

            async def compete() -> None:  # the other process polls as fast as it can
                while not stop.is_set():
                    await other.outbox.tick()
                    await asyncio.sleep(0.01)

            rival = asyncio.create_task(compete())
            replies = await asyncio.gather(
                *(bot.slack.command(f"start Contended {i}") for i in range(INCIDENTS))
            )
            assert all(r.status == 200 for r in replies)
            await fake_slack.wait_for("pins.add", count=INCIDENTS, timeout=20)
            await asyncio.sleep(0.5)
            stop.set()
            await rival
    finally:
        await other.aclose()
    creates = [c for c in fake_slack.calls_to("conversations.create")]
    assert len(creates) == INCIDENTS
    assert len(fake_slack.calls_to("pins.add")) == INCIDENTS
    summaries = [m for m in fake_slack.messages.values() if "INC-" in (m.get("text") or "")]
    assert len(summaries) == INCIDENTS
