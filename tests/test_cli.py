"""The `furikaeri` command as a user runs it: real processes, real HTTP, real files."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import SIGNING_SECRET
from tests.slack.test_seed_replays import AURORA, replay
from tests.support.slack_requests import SlackClient

FURIKAERI = str(Path(sys.executable).parent / "furikaeri")


async def run(*args: str, env: dict[str, str], timeout: float = 60) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        FURIKAERI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


def base_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "FURIKAERI_"))
    }
    return {**env, **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "mode, missing", [("--http", "SLACK_BOT_TOKEN"), ("--socket", "SLACK_APP_TOKEN")]
)
async def test_missing_tokens_exit_2_naming_the_variable(tmp_path, mode, missing):
    env = base_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    if mode == "--socket":
        env["SLACK_BOT_TOKEN"] = "xoxb-1"
    code, _, err = await run("run", mode, env=env)
    assert code == 2
    assert missing in err and "README" in err


async def test_run_http_serves_signed_commands_and_healthz(tmp_path, fake_slack):
    port = free_port()
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-cli",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    proc = await asyncio.create_subprocess_exec(
        FURIKAERI,
        "run",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            await wait_until_healthy(session, base, proc)
            async with SlackClient(
                session,
                f"{base}/slack/events",
                SIGNING_SECRET,
                response_url=fake_slack.response_url,
                check=fake_slack.check,
            ) as slack:
                reply = await slack.command("start Served by the real process")
        assert reply.status == 200 and "INC-1" in reply.json["text"]
        await fake_slack.wait_for("conversations.create")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "xoxb-cli" not in err.decode() and SIGNING_SECRET not in err.decode()


async def first_readyz(base: str, proc, attempts: int = 300) -> tuple[int, dict]:
    """The first answer of a bot process's GET /readyz (status, body), once it listens."""
    async with aiohttp.ClientSession() as session:
        for _ in range(attempts):
            assert proc.returncode is None, f"the bot exited with {proc.returncode}"
            try:
                async with session.get(f"{base}/readyz") as response:
                    return response.status, await response.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    raise AssertionError("the bot never listened")


async def wait_until_healthy(session: aiohttp.ClientSession, base: str, proc) -> None:
    for _ in range(300):
        if proc.returncode is not None:
            raise AssertionError(f"the bot exited with {proc.returncode}")
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never became healthy")


async def test_db_upgrade_then_export_json_and_md(bot, sqlite_url):
    await replay(bot, AURORA)
    env = base_env(DATABASE_URL=sqlite_url)
    assert (await run("db", "upgrade", env=env))[0] == 0

    code, out, err = await run("export", "INC-1", "--format", "json", env=env)
    assert code == 0, err
    data = json.loads(out)
    assert data["incident"]["id"] == "INC-1"
    assert data["incident"]["started_at"] == "2021-06-01T02:00:00Z"
    assert [t["id"] for t in data["triggers"]] == ["impact", "intervention", "duration"]
    assert data["timeline"] == sorted(data["timeline"], key=lambda e: e["at"])
    assert set(data["timeline"][0]) >= {"at", "recorded_at", "user", "text"}
    assert data["postmortem"]["status"] == "draft"
    assert set(data["postmortem"]["sections"]) >= {"summary", "root_cause", "action_items"}

    code, out, _ = await run("export", "1", "--format", "md", env=env)
    assert code == 0
    assert "\n# INC-1: Aurora failover caused write errors\n" in out
    assert "## Timeline" in out and "Restarted Unicorn" in out
    # People by the names Slack gave (kept in the database): the CLI never asks Slack.
    author = next(line for line in out.splitlines() if line.startswith("author: "))
    assert re.fullmatch(r'author: \{id: "U\w+", name: "[^"]+"\}', author), author


async def test_export_of_an_unknown_incident_exits_1(sqlite_url):
    env = base_env(DATABASE_URL=sqlite_url)
    code, _, err = await run("export", "INC-1", env=env)
    assert code == 1 and "furikaeri db upgrade" in err and "Traceback" not in err
    await run("db", "upgrade", env=env)
    code, out, err = await run("export", "INC-99", env=env)
    assert (code, out) == (1, "")
    assert "INC-99" in err
    code, _, err = await run("export", "banana", env=env)
    assert code == 1 and "INC-7" in err


async def test_reminders_list_shows_what_is_scheduled_for_whom_and_why(bot, sqlite_url):
    from tests.support.review import closed_with_draft

    await closed_with_draft(bot, reviewers="<@U8>")
    env = base_env(DATABASE_URL=sqlite_url)
    code, out, err = await run("reminders", "list", env=env)
    assert code == 0, err
    lines = out.splitlines()
    author = next(line for line in lines if " author " in line)
    assert "U1" in author and "INC-1" in author and "still a draft" in author
    assert any(" retro " in line and "no retrospective" in line for line in lines)


async def test_reminders_list_says_which_postmortem_or_action_item_each_is_about(bot, sqlite_url):
    """Postmortem 1 (INC-1) and action item 1 (INC-2) share an id; each line names its own."""
    from tests.support.flows import declare
    from tests.support.review import closed_with_draft

    await closed_with_draft(bot, reviewers="<@U8>")
    _, other = await declare(bot, "--sev 3 Kafka consumer lag", user="U2")
    added = await bot.slack.command(
        "action add Alert on lag --owner <@U5> --due 5d", channel_id=other, user_id="U2"
    )
    assert added.status == 200
    code, out, err = await run("reminders", "list", env=base_env(DATABASE_URL=sqlite_url))
    assert code == 0, err
    lines = out.splitlines()
    [action] = [line for line in lines if " action " in line]
    assert "INC-2 action #1" in action and "U5" in action and "INC-1" not in action
    [author] = [line for line in lines if " author " in line]
    assert "INC-1 postmortem" in author


async def test_outbox_list_shows_a_stuck_effect_and_all_shows_sent_ones(bot, sqlite_url):
    from tests.support.flows import declare

    _, channel = await declare(bot, "Outbox listing")
    bot.fake.fail("chat.postMessage", error="not_in_channel", times=None)
    await bot.slack.command(
        "close --impact 30m --data-loss no --intervention rollback --detected-by monitoring",
        channel_id=channel,
    )
    await bot.fake.wait_for("chat.postMessage", count=2)
    env = base_env(DATABASE_URL=sqlite_url)
    for _ in range(50):
        code, out, err = await run("outbox", "list", env=env)
        if "not_in_channel" in out:
            break
        await asyncio.sleep(0.1)
    assert code == 0, err
    stuck = next(line for line in out.splitlines() if " close_outcome " in line)
    assert "INC-1" in stuck and "pending" in stuck and "not_in_channel" in stuck
    assert " channel_setup " not in out  # sent: only with --all
    code, out, _ = await run("outbox", "list", "--all", env=env)
    assert any(" channel_setup " in line and " sent " in line for line in out.splitlines())
