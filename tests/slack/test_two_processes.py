"""Two bot processes on one PostgreSQL: every event and command has one effect."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.domain.policy import Policy
from tests.conftest import SIGNING_SECRET, start_bot
from tests.support.flows import eventually, reaction, stored
from tests.support.slack_requests import SlackClient

pytestmark = pytest.mark.postgres


@pytest.fixture
async def twins(postgres_url, fake_slack):
    """Two bots (own engine, pool and HTTP server each) sharing one database and one Slack."""
    started = [await start_bot(postgres_url, fake_slack, Policy.default()) for _ in range(2)]
    clients = [
        SlackClient(
            None,
            f"{base}/slack/events",
            SIGNING_SECRET,
            response_url=fake_slack.response_url,
            check=fake_slack.check,
        )
        for _, _, base in started
    ]
    yield [(runtime, client) for (runtime, _, _), client in zip(started, clients, strict=True)]
    for (runtime, runner, _), client in zip(started, clients, strict=True):
        await client.close()
        await runner.cleanup()
        await runtime.aclose()


class View:
    """Just enough of the `Bot` fixture for the flow helpers."""

    def __init__(self, runtime, fake):
        self.runtime, self.fake = runtime, fake


async def test_concurrent_starts_get_distinct_numbers(twins, fake_slack):
    replies = await asyncio.gather(
        *(client.command(f"start Incident {i}") for i in range(6) for _, client in twins)
    )
    numbers = sorted(int(re.search(r"INC-(\d+)", r.json["text"]).group(1)) for r in replies)
    assert numbers == list(range(1, 13))
    await fake_slack.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""), count=12)


async def test_the_same_event_at_both_processes_makes_one_entry(twins, fake_slack):
    (first_rt, first), (_, second) = twins
    reply = await first.command("start Kafka brokers down")
    assert reply.status == 200
    done = await fake_slack.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    ts = fake_slack.post_as_user(channel, "U5", "Broker 2 left the cluster")
    event = reaction(channel, ts, "U6")

    replies = await asyncio.gather(
        first.event(event, event_id="EvTwin"),
        second.event(event, event_id="EvTwin", retry_num=1),
        second.event(event, event_id="EvTwin", retry_num=2),
    )
    assert [r.status for r in replies] == [200, 200, 200]

    view = View(first_rt, fake_slack)
    report = await eventually(
        lambda: stored(view, 1), lambda r: any(e.kind == "message" for e in r.timeline)
    )
    await asyncio.sleep(0.5)  # let the other deliveries finish, then count
    report = await stored(view, 1)
    assert [e.text for e in report.timeline if e.kind == "message"] == ["Broker 2 left the cluster"]


async def test_concurrent_closes_close_once_with_one_postmortem(twins, fake_slack):
    (first_rt, first), (_, second) = twins
    await first.command("start Redis down")
    done = await fake_slack.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    close = "close --impact 30m --data-loss no --intervention failover --detected-by human"

    replies = await asyncio.gather(
        first.command(close, channel_id=channel, user_id="U1"),
        second.command(close, channel_id=channel, user_id="U1"),
    )

    refusals = [r for r in replies if r.json and "closed" in r.json.get("text", "")]
    assert len(refusals) == 1
    await fake_slack.wait_for("canvases.create")
    await asyncio.sleep(0.3)
    assert len(fake_slack.calls_to("canvases.create")) == 1
    report = await stored(View(first_rt, fake_slack), 1)
    assert report.incident.is_closed and report.postmortem is not None
