"""`/incident note` through Slack's front door."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.flows import declare, stored


def notes(report):
    return [e for e in report.timeline if e.kind == "note"]


async def test_note_is_stored_exactly_and_echoed_in_channel(bot):
    number, channel = await declare(bot, "Aurora failover")
    text = 'ロールバック完了 :tada: *bold* _it_ `code` > quote "quoted" a < b & c'
    # Slack escapes &, < and > in command text (should_escape); the note keeps what was typed.
    wire = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    before = datetime.now(UTC)

    reply = await bot.slack.command(f"note {wire}", user_id="U2", channel_id=channel)

    assert reply.status == 200
    assert reply.json["response_type"] == "in_channel"
    [entry] = notes(await stored(bot, number))
    assert entry.text == text
    assert entry.author == "U2"
    assert before - timedelta(seconds=1) <= entry.occurred_at <= datetime.now(UTC)
    assert entry.recorded_at == entry.occurred_at
    assert "a &lt; b &amp; c" in reply.json["text"]
    assert "<@U2>" in reply.json["text"]
    assert bot.fake.calls_to("chat.postMessage")[1:] == []  # the echo costs no extra API call


async def test_note_cannot_ping_or_forge_links(bot):
    number, channel = await declare(bot, "Redis down")
    # As Slack sends them: @channel, @here, a mention, a channel, a link — and a typed "&".
    hostile = "<!channel> <!here> <@U999> <#C123|general> <https://evil.example|docs> &amp;"
    reply = await bot.slack.command(f"note {hostile}", channel_id=channel)

    echoed = reply.json["text"]
    for raw in ("<!channel>", "<!here>", "<@U999>", "<#C123", "<https://evil"):
        assert raw not in echoed
    assert "&lt;!channel&gt;" in echoed and "&lt;https://evil.example|docs&gt;" in echoed
    [entry] = notes(await stored(bot, number))
    assert entry.text == hostile.replace("&amp;", "&")


async def test_note_times_in_the_users_zone_and_iso(bot):
    bot.fake.users["U1"] = {"tz": "America/Los_Angeles", "name": "sam"}
    number, channel = await declare(bot, '--at "2021-12-27 09:00" Kafka brokers down')
    for text in ("note 2021-12-28 09:37 Restarted broker 2", "note 2017-01-31T23:27Z too early"):
        await bot.slack.command(text, channel_id=channel)
    await bot.slack.command("note 2021-12-28T09:40+09:00 Rebalance seen", channel_id=channel)

    entries = notes(await stored(bot, number))
    assert [(e.occurred_at, e.text) for e in entries] == [
        (datetime(2021, 12, 28, 0, 40, tzinfo=UTC), "Rebalance seen"),
        (datetime(2021, 12, 28, 17, 37, tzinfo=UTC), "Restarted broker 2"),
    ]


async def test_hh_mm_is_today_in_the_users_zone(bot):
    bot.fake.users["U1"] = {"tz": "Asia/Tokyo", "name": "aki"}
    number, channel = await declare(bot, '--at "2021-12-27 09:00" Admin Redis down')
    now_tokyo = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    earlier = (now_tokyo - timedelta(minutes=5)).replace(second=0, microsecond=0)
    if earlier.date() != now_tokyo.date():  # just after midnight: "today" would be in the future
        earlier = now_tokyo.replace(hour=0, minute=0, second=0, microsecond=0)

    await bot.slack.command(f"note {earlier:%H:%M} Forced replica failover", channel_id=channel)

    [entry] = notes(await stored(bot, number))
    assert entry.occurred_at == earlier.astimezone(UTC)
    assert entry.text == "Forced replica failover"


async def test_future_and_far_past_times_are_refused_and_nothing_is_stored(bot):
    number, channel = await declare(bot, '--at "2021-12-28 10:00" Logs lost')
    for text, phrase in (
        ("note 2999-01-01T00:00Z from the future", "future"),
        ("note 2021-12-26T09:00Z long before", "day"),
        ("note 25:99 nonsense time", "10:42"),
    ):
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.json["response_type"] == "ephemeral", text
        assert phrase in reply.json["text"], reply.json["text"]
    assert notes(await stored(bot, number)) == []


async def test_note_outside_an_incident_channel_is_refused(bot):
    reply = await bot.slack.command("note something", channel_id="CRANDOM")
    assert reply.json["response_type"] == "ephemeral"
    assert "isn't an incident channel" in reply.json["text"]


async def test_empty_note_asks_for_text(bot):
    _, channel = await declare(bot, "Kafka")
    reply = await bot.slack.command("note 10:42", channel_id=channel)
    assert reply.json["response_type"] == "ephemeral"
    assert "What happened" in reply.json["text"]


async def test_a_note_mentioning_payload_is_recorded(bot):
    # Bolt's own body parser takes any form body containing "payload" for an interactive payload.
    number, channel = await declare(bot, "Queue")
    reply = await bot.slack.command("note payload=big JSON payload rejected", channel_id=channel)

    assert reply.json["response_type"] == "in_channel"
    [entry] = notes(await stored(bot, number))
    assert entry.text == "payload=big JSON payload rejected"


async def test_a_burst_of_notes_is_all_acknowledged_stored_and_numbered_once(bot):
    number, channel = await declare(bot, "Burst")
    texts = [f"update {i}" for i in range(40)]

    replies = await asyncio.gather(
        *(bot.slack.command(f"note {text}", channel_id=channel) for text in texts)
    )

    assert [r.json["response_type"] for r in replies] == ["in_channel"] * 40
    assert [r.json["text"].rsplit(": ", 1)[1] for r in replies] == texts
    entries = notes(await stored(bot, number))
    assert sorted(e.text for e in entries) == sorted(texts)
    seqs = sorted(e.seq for e in entries)
    assert seqs == list(range(seqs[0], seqs[0] + 40))


async def test_a_note_after_close_is_kept_and_says_where_it_will_show(bot):
    number, channel = await declare(bot, "Redis down")
    before = await bot.slack.command("note still watching", channel_id=channel)
    await bot.slack.command(
        "close --impact none --data-loss no --intervention none --detected-by monitoring",
        channel_id=channel,
    )

    after = await bot.slack.command("note one more thing we saw", channel_id=channel)

    assert "closed" not in before.json["text"]
    assert after.json["response_type"] == "in_channel"
    assert "This incident is closed: the note is kept in its timeline" in after.json["text"]
    assert [e.text for e in notes(await stored(bot, number))][-1] == "one more thing we saw"
