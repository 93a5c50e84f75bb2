"""Two bot processes on one PostgreSQL, hit at once with `start`, `note` and `close` of the same
incident: one number per incident, every acknowledged note stored once, one close, one
postmortem."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from bot.domain.policy import Policy
from storage.tables import postmortems
from tests.hardening.helpers import bot_on, count, incident_number
from tests.support.flows import declare, stored

pytestmark = pytest.mark.postgres

CLOSE = "close --impact 30m --data-loss no --intervention rollback --detected-by monitoring"
NOTES = 80
STARTS = 12


@pytest.fixture
async def twins(postgres_url, fake_slack):
    """Two bots (own engine, pool, scheduler and HTTP server each): one database, one Slack."""
    async with (
        bot_on(postgres_url, fake_slack, Policy.default()) as first,
        bot_on(postgres_url, fake_slack, Policy.default()) as second,
    ):
        yield first, second


async def test_concurrent_start_note_and_close_on_two_processes(twins, fake_slack):
    first, second = twins
    number, channel = await declare(first, "Shared by both processes", user="U1")

    async def send(bot, text: str, **kw):
        return text, await bot.slack.command(text, **kw)

    work = [
        send(
            twins[i % 2],
            f"note concurrent note {i:03d}",
            channel_id=channel,
            user_id=f"U{i % 7 + 2}",
        )
        for i in range(NOTES)
    ]
    work += [
        send(twins[i % 2], f"start Concurrent start {i:02d}", user_id="U20") for i in range(STARTS)
    ]
    closes = [send(bot, CLOSE, channel_id=channel, user_id="U1") for bot in twins]
    random.Random(7).shuffle(work)
    work[NOTES // 2 : NOTES // 2] = closes  # the closes land in the middle of the notes

    results = await asyncio.gather(*work)

    assert all(reply.status == 200 for _, reply in results), [
        (text, reply.status, reply.body) for text, reply in results if reply.status != 200
    ]
    # Starts: a distinct number each, none reusing the shared incident's.
    numbers = [incident_number(r) for text, r in results if text.startswith("start")]
    assert len(set(numbers)) == STARTS and number not in numbers, numbers
    await fake_slack.wait_for(
        "response_url", lambda c: "<#" in c.args.get("text", ""), count=STARTS + 1, timeout=20
    )

    # Closes: one succeeds (a bare acknowledgement), the other is told it is closed.
    close_replies = [r for text, r in results if text == CLOSE]
    won = [r for r in close_replies if not r.body]
    lost = [r for r in close_replies if r.body]
    assert len(won) == 1 and len(lost) == 1, [r.body for r in close_replies]
    assert lost[0].json["response_type"] == "ephemeral" and "closed" in lost[0].json["text"]

    # The winner's announcement runs to its end (the retro invitation is its last step).
    await fake_slack.wait_for(
        "files.completeUploadExternal",
        lambda c: "retro" in c.args.get("initial_comment", ""),
        timeout=20,
    )
    report = await stored(first, number)
    assert report.incident.is_closed
    assert [e.kind for e in report.timeline].count("closed") == 1
    assert report.postmortem is not None and await count(first, postmortems) == 1
    assert len(fake_slack.calls_to("canvases.create")) == 1
    assert (
        len([c for c in fake_slack.calls_to("chat.postMessage") if "closed" in c.args["text"]]) == 1
    )

    # Notes: every acknowledged one stored exactly once, numbered without gaps or repeats.
    acked = [
        text.removeprefix("note ")
        for text, r in results
        if text.startswith("note") and r.json and r.json.get("response_type") == "in_channel"
    ]
    stored_texts = Counter(e.text for e in report.timeline if e.kind == "note")
    assert [t for t in acked if stored_texts[t] != 1] == []
    assert all(n == 1 for n in stored_texts.values())
    assert acked, "no note was acknowledged at all"
    seqs = [e.seq for e in report.timeline]
    assert len(seqs) == len(set(seqs))


async def test_the_same_note_sent_to_both_processes_at_once_is_two_notes_each_stored_once(
    twins, fake_slack
):
    """Two people typing the same words is two notes; neither process drops or merges one."""
    first, second = twins
    number, channel = await declare(first, "Same words twice")

    replies = await asyncio.gather(
        first.slack.command("note failover started", channel_id=channel, user_id="U2"),
        second.slack.command("note failover started", channel_id=channel, user_id="U3"),
    )

    assert [r.json["response_type"] for r in replies] == ["in_channel", "in_channel"]
    report = await stored(first, number)
    notes = [(e.author, e.text) for e in report.timeline if e.kind == "note"]
    assert sorted(notes) == [("U2", "failover started"), ("U3", "failover started")]


async def test_a_request_replayed_to_the_other_replica_is_refused(twins, fake_slack):
    """Replicas share the signatures they have seen: a captured request played back to the
    other one — even at the same moment as the original — acts once."""
    from tests.conftest import SIGNING_SECRET
    from tests.support.slack_requests import sign, slash_command_body

    first, second = twins
    number, channel = await declare(first, "Replayed across replicas")
    body = slash_command_body("note only once, whichever replica", channel_id=channel)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, SIGNING_SECRET)}
    replies = await asyncio.gather(
        first.slack.post_raw(body, headers), second.slack.post_raw(body, headers)
    )
    assert sorted(reply.status for reply in replies) == [200, 401]
    notes = [e.text for e in (await stored(first, number)).timeline if e.kind == "note"]
    assert notes == ["only once, whichever replica"]
