"""What the hardening tests share: the bot as a real process, Slack-bound text, table counts."""

from __future__ import annotations

import asyncio
import re
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from sqlalchemy import func, select

from storage.tables import incidents, postmortems, timeline_entries
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, Bot, migrated, one_renderer
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_requests import Reply, SlackClient
from tests.test_cli import FURIKAERI, base_env, free_port, wait_until_healthy

# Web API methods (and the response URL) whose text Slack renders as mrkdwn to people.
MESSAGE_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
        "response_url",
        "files.completeUploadExternal",
        "views.open",
        "views.push",
        "views.update",
    }
)


def bot_env(fake: FakeSlack, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of `furikaeri run --http` against the fake Slack."""
    return base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        DATABASE_URL=database_url,
        **extra,
    )


class BotProcess:
    """`furikaeri run --http` as a child process, with a signed client pointed at it."""

    def __init__(self, env: dict[str, str], session: aiohttp.ClientSession, fake: FakeSlack):
        self.env, self.session, self.fake = env, session, fake
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None
        self.slack = SlackClient(
            session,
            f"{self.base}/slack/events",
            SIGNING_SECRET,
            response_url=fake.response_url,
            check=fake.check,
        )

    async def start(self) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            FURIKAERI,
            "run",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        await wait_until_healthy(self.session, self.base, self.proc)
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> str:
        """SIGTERM (unless it is gone already); returns what it wrote on stderr."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.proc.communicate(), 30)
        return err.decode(errors="replace")


@asynccontextmanager
async def bot_process(
    env: dict[str, str], session: aiohttp.ClientSession, fake: FakeSlack
) -> AsyncIterator[BotProcess]:
    process = await BotProcess(env, session, fake).start()
    try:
        yield process
    finally:
        if process.proc is not None and process.proc.returncode is None:
            await process.stop()


async def declared_channel(fake: FakeSlack, number: int, timeout: float = 10.0) -> str:
    """The channel of INC-number, once the bot says it is declared."""
    done = await fake.wait_for(
        "response_url",
        lambda c: f"INC-{number}*" in c.args.get("text", "") and "<#" in c.args["text"],
        timeout=timeout,
    )
    return re.search(r"<#(C\w+)>", done.args["text"]).group(1)


def incident_number(reply: Reply) -> int:
    return int(re.search(r"INC-(\d+)", reply.json["text"]).group(1))


async def count(bot: Bot, table) -> int:
    async with bot.runtime.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def counts(bot: Bot) -> tuple[int, int, int]:
    """(incidents, timeline entries, postmortems) as stored."""
    return (
        await count(bot, incidents),
        await count(bot, timeline_entries),
        await count(bot, postmortems),
    )


def ephemeral_told(fake: FakeSlack, user: str | None = None) -> list[str]:
    """Everything the bot told someone privately after acknowledging: response-URL replies and
    ephemeral messages."""
    said = [
        c.args.get("text", "")
        for c in fake.calls_to("response_url")
        if c.args.get("response_type") == "ephemeral"
    ]
    said += [
        c.args.get("text", "")
        for c in fake.calls_to("chat.postEphemeral")
        if user is None or c.args.get("user") == user
    ]
    return said


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """The text Slack parses for mentions and links inside blocks, attachments or views: every
    `mrkdwn` text object and every bare `text` string. plain_text objects (headers, labels,
    options) and input values are shown as typed by Slack and are skipped."""
    if isinstance(value, list | tuple):
        for item in value:
            yield from mrkdwn_texts(item)
    elif isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key in ("initial_value", "placeholder", "value", "private_metadata"):
                continue
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from mrkdwn_texts(item)


def call_texts(call: Call) -> Iterator[str]:
    """The rendered text of one recorded call to Slack."""
    if call.method not in MESSAGE_METHODS:
        return
    for key in ("text", "initial_comment"):
        if isinstance(call.args.get(key), str):
            yield call.args[key]
    for key in ("blocks", "attachments", "view"):
        if key in call.args:
            yield from mrkdwn_texts(call.args[key])


def reply_texts(reply: Reply) -> Iterator[str]:
    """The rendered text of the bot's HTTP answer (an acknowledgement with a message)."""
    if reply.json:
        if isinstance(reply.json.get("text"), str):
            yield reply.json["text"]
        yield from mrkdwn_texts(reply.json.get("blocks") or [])
        yield from strings(reply.json.get("errors") or {})


@asynccontextmanager
async def bot_on(
    database_url: str, fake: FakeSlack, policy, clock=None, *, nudges: bool = False
) -> AsyncIterator[Bot]:
    """The real bot in this process on `database_url`, like the `bot` fixture.

    Without the nudge scheduler unless asked: its first tick runs the moment the bot starts,
    `Runtime.aclose` returns while that tick may still run on the disposed engine, and a loop
    closed then can hang for good (reported). Quick tests would stop a bot exactly then.
    Tests that need nudges call `bot.runtime.nudges.tick()` themselves.
    """
    from bot.app import Runtime, utcnow
    from bot.server import bound_port, serve
    from bot.settings import Settings

    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        api_url=fake.base_url,
        database_url=database_url,
        policy_path=None,
        # Processes on one PostgreSQL stand for replicas: they share the requests seen.
        shared_replay_guard=database_url.startswith("postgresql"),
    )
    runtime = Runtime(settings, policy, clock=clock or utcnow)
    one_renderer(runtime)
    await migrated(database_url)
    await runtime.start(nudges=nudges)
    runner = await serve(runtime, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{bound_port(runner)}"
    client = SlackClient(
        None,
        f"{base}/slack/events",
        SIGNING_SECRET,
        response_url=fake.response_url,
        check=fake.check,
    )
    try:
        yield Bot(runtime=runtime, slack=client, fake=fake, url=base)
    finally:
        await client.close()
        await runner.cleanup()
        await runtime.aclose()


async def healthz(bot: Bot) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        return response.status
