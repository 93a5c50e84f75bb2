"""Running it in production: quiet logs (text or JSON, one line per request with its surface,
incident, outcome and ack latency, no secrets) and Prometheus metrics at GET /metrics."""

from __future__ import annotations

import asyncio
import json
import re
import signal

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SIGNING_SECRET
from tests.support.flows import declare
from tests.support.slack_requests import SlackClient
from tests.test_cli import FURIKAERI, base_env, free_port, run, wait_until_healthy

NOISE = ("apscheduler", "alembic.runtime.plugins", "token` will be unused", "Running job")


async def _run_bot(tmp_path, fake_slack, **env_extra: str):
    port = free_port()
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-secret-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        **env_extra,
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
    return proc, f"http://127.0.0.1:{port}"


async def _stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    return err.decode()


async def test_json_logs_are_quiet_and_say_each_request_once(tmp_path, fake_slack) -> None:
    proc, base = await _run_bot(tmp_path, fake_slack, LOG_FORMAT="json")
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_healthy(session, base, proc)
            async with SlackClient(
                session,
                f"{base}/slack/events",
                SIGNING_SECRET,
                response_url=fake_slack.response_url,
            ) as slack:
                reply = await slack.command("start Checkout errors", channel_id="CGENERAL")
                assert reply.status == 200
                done = await fake_slack.wait_for(
                    "response_url", lambda c: "<#" in c.args.get("text", "")
                )
                channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
                await slack.command("note Rolled back", channel_id=channel)
                await slack.command("close --at tomorrow", channel_id=channel)
    finally:
        err = await _stop(proc)
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line is JSON
    assert not [line for line in lines if any(n in json.dumps(line) for n in NOISE)]
    assert "xoxb-secret-token" not in err and SIGNING_SECRET not in err
    requests = [line for line in lines if line["logger"] == "furikaeri.requests"]
    by_name = {line["request"]: line for line in requests}
    assert by_name["/incident start"]["outcome"] == "ok"
    assert by_name["/incident start"]["surface"] == "command"
    assert isinstance(by_name["/incident start"]["ack_ms"], float)
    assert by_name["/incident note"]["ref"] == "INC-1"
    assert by_name["/incident close"]["outcome"] == "refused"  # "tomorrow" is not a time
    assert len(requests) == 3


async def test_text_logs_at_start_say_only_what_matters(tmp_path, fake_slack) -> None:
    proc, base = await _run_bot(tmp_path, fake_slack)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_until_healthy(session, base, proc)
    finally:
        err = await _stop(proc)
    assert not [line for line in err.splitlines() if any(n in line for n in NOISE)]
    assert "database schema upgraded from nothing to" in err


async def test_a_wrong_log_setting_is_named(tmp_path) -> None:
    env = base_env(LOG_FORMAT="xml", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    code, _, err = await run("reminders", "list", env=env)
    assert code == 2 and "LOG_FORMAT" in err


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def _metrics(bot) -> dict:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return _samples(await response.text())


async def test_metrics_count_requests_slack_calls_and_read_the_database(bot) -> None:
    before = await _metrics(bot)
    _, channel = await declare(bot, "Checkout errors")
    await bot.slack.command("note Rolled back", channel_id=channel)
    await bot.slack.command("close --at tomorrow", channel_id=channel)
    await bot.runtime.deps.background.idle()  # each request is counted when its work ends
    after = await _metrics(bot)

    def grew(metric: str, **labels: str) -> float:
        key = (metric, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert (
        grew("furikaeri_requests_total", surface="command", name="/incident start", outcome="ok")
        == 1
    )
    assert (
        grew("furikaeri_requests_total", surface="command", name="/incident note", outcome="ok")
        == 1
    )
    assert (
        grew(
            "furikaeri_requests_total", surface="command", name="/incident close", outcome="refused"
        )
        == 1
    )
    assert grew("furikaeri_ack_seconds_count", surface="command") == 3
    assert grew("furikaeri_notes_acknowledged_total") == 1
    assert grew("furikaeri_note_batch_size_count") == 1
    assert grew("furikaeri_slack_api_calls_total", method="conversations.create", error="ok") == 1
    assert after[("furikaeri_open_incidents", ())] == 1
    assert after[("furikaeri_outbox_effects", (("kind", "channel_setup"), ("state", "sent")))] == 1
    assert ("furikaeri_lag_seconds", (("queue", "outbox"),)) in after
