"""Backup and restore (README, "Backup and restore"): a backup taken while the bot runs, restored
into a fresh database, brings the bot back with every incident, postmortem and pending nudge —
SQLite with `furikaeri db backup`, PostgreSQL with pg_dump / pg_restore."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.app import utcnow
from tests.conftest import _bot, fresh_postgres_database
from tests.support.flows import declare
from tests.test_cli import FURIKAERI, base_env, first_readyz, free_port, run

CLOSE = "close --impact 45m --data-loss no --intervention rollback --detected-by human"


async def _incident_with_a_postmortem(bot) -> None:
    _, channel = await declare(bot, "Checkout errors after the deploy")
    await bot.slack.command("note Rolled back the deploy", channel_id=channel)
    reply = await bot.slack.command(CLOSE, channel_id=channel)
    assert reply.status == 200
    await bot.runtime.deps.background.idle()


async def _comes_back(database_url: str, fake_slack, tmp_path) -> None:
    """A bot started on the restored database is ready, and finds everything."""
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-restored",
        SLACK_SIGNING_SECRET="restored-secret",
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=database_url,
    )
    code, out, err = await run("export", "INC-1", "--format", "json", env=env)
    assert code == 0, err
    exported = json.loads(out)
    assert exported["incident"]["title"] == "Checkout errors after the deploy"
    assert any(e["text"] == "Rolled back the deploy" for e in exported["timeline"])
    assert exported["postmortem"]["status"] == "draft"
    code, out, err = await run("reminders", "list", env=env)
    assert code == 0 and "INC-1 postmortem" in out, out + err
    port = free_port()
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
        assert (await first_readyz(f"http://127.0.0.1:{port}", proc))[0] == 200
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.communicate(), 30)


async def test_a_sqlite_backup_taken_while_the_bot_runs_restores(
    bot, sqlite_url, fake_slack, tmp_path
):
    await _incident_with_a_postmortem(bot)
    copy = tmp_path / "restore" / "furikaeri.db"
    copy.parent.mkdir()
    env = base_env(DATABASE_URL=sqlite_url)
    code, out, err = await run("db", "backup", str(copy), env=env)  # the bot still runs
    assert code == 0 and str(copy) in out, err
    code, _, err = await run("db", "backup", str(copy), env=env)
    assert code == 2 and "already exists" in err  # never over an earlier backup
    await _comes_back(f"sqlite+aiosqlite:///{copy}", fake_slack, tmp_path)


async def test_db_backup_of_postgres_points_at_pg_dump(tmp_path):
    env = base_env(DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    code, _, err = await run("db", "backup", str(tmp_path / "x"), env=env)
    assert code == 2 and "pg_dump" in err


@pytest.mark.postgres
async def test_a_postgres_dump_restored_into_a_fresh_database(
    postgres_url, fake_slack, tmp_path, policy
):
    async for bot in _bot(postgres_url, fake_slack, policy, utcnow):
        await _incident_with_a_postmortem(bot)
        dump = tmp_path / "furikaeri.dump"
        libpq = postgres_url.replace("+asyncpg", "")
        dumped = await asyncio.create_subprocess_exec(
            "pg_dump",
            "--format=custom",
            f"--file={dump}",
            libpq,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await dumped.communicate()
        assert dumped.returncode == 0, err.decode()
    async with fresh_postgres_database() as restored:
        loaded = await asyncio.create_subprocess_exec(
            "pg_restore",
            "--no-owner",
            f"--dbname={restored.replace('+asyncpg', '')}",
            str(dump),
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await loaded.communicate()
        assert loaded.returncode == 0, err.decode()
        await _comes_back(restored, fake_slack, tmp_path)
