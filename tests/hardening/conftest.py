"""The hardening suite's `bot`: the real bot over HTTP, as in tests/conftest.py, but with the
nudge scheduler off (see `tests.hardening.helpers.bot_on` for why)."""

from __future__ import annotations

import pytest_asyncio

from tests.hardening.helpers import bot_on


@pytest_asyncio.fixture
async def bot(sqlite_url, fake_slack, policy, clock):
    async with bot_on(sqlite_url, fake_slack, policy, clock) as b:
        yield b


@pytest_asyncio.fixture
async def any_db_bot(database_url, fake_slack, policy, clock):
    async with bot_on(database_url, fake_slack, policy, clock) as b:
        yield b
