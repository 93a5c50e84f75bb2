"""`/incident timeline check` through the front door: it says what looks wrong, changes nothing."""

from __future__ import annotations

from tests.support.flows import declare, stored


async def test_check_names_out_of_order_moments_and_changes_nothing(bot):
    bot.fake.users["U1"] = {"tz": "Asia/Tokyo", "name": "aki"}
    number, channel = await declare(bot, '--at "2026-11-20 10:00" 決済障害')
    for text in (
        "mark mitigated 2026-11-20 09:30 切り戻し",  # 30 min before the start
        "status resolved 2026-11-20 10:40",
        "mark detected 2026-11-20 10:50 Sentry",  # after the resolution
    ):
        reply = await bot.slack.command(text, channel_id=channel)
        assert reply.status == 200
    before = await stored(bot, number)

    reply = await bot.slack.command("timeline check", channel_id=channel)

    text = reply.json["text"]
    assert reply.json["response_type"] == "ephemeral"
    assert "3 things to look at" in text  # and mitigated before detected
    assert "Mitigation (<!date^" in text and "is before the incident started" in text
    assert "Resolution (<!date^" in text and "comes before Detection" in text
    after = await stored(bot, number)
    assert [(e.kind, e.occurred_at) for e in after.timeline] == [
        (e.kind, e.occurred_at) for e in before.timeline
    ]


async def test_a_tidy_timeline_passes(bot):
    number, channel = await declare(bot, "Redis down")
    await bot.slack.command("mark detected Alert fired", channel_id=channel)

    reply = await bot.slack.command("timeline check", channel_id=channel)

    assert "in order and nothing is missing" in reply.json["text"]


async def test_a_long_timeline_is_paged_within_slacks_limit(bot):
    number, channel = await declare(bot, "Long night")
    long_text = "x" * 2_000  # each line is cut for the listing; the export keeps it whole
    for i in range(99):
        await bot.slack.command(f"note {i} {long_text}", channel_id=channel)

    newest = (await bot.slack.command("timeline", channel_id=channel)).json["text"]
    first = (await bot.slack.command("timeline 1", channel_id=channel)).json["text"]
    beyond = (await bot.slack.command("timeline 9", channel_id=channel)).json["text"]

    assert "(100 entries)" in newest and "Page 3 of 3" in newest
    assert newest.count("\n`#") == 20 and "`#100`" in newest
    assert "Page 1 of 3" in first and first.count("\n`#") == 40 and "`#1` " in first
    assert max(len(newest), len(first)) < 20_000  # Slack shows up to 40,000 characters
    assert "only 3 pages" in beyond


async def test_the_close_outcome_says_what_in_the_timeline_looks_wrong(bot):
    number, channel = await declare(bot, '--at "2021-12-28 10:00" Checkout errors')
    await bot.slack.command("mark mitigated 2021-12-28 09:30 Rolled back", channel_id=channel)
    await bot.slack.command("status resolved 2021-12-28 11:01", channel_id=channel)

    await bot.slack.command(
        "close --impact 90m --data-loss no --intervention rollback --detected-by monitoring",
        channel_id=channel,
    )

    outcome = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == channel and "closed" in c.args["text"]
    )
    said = "\n".join(b["text"]["text"] for b in outcome.args["blocks"] if b.get("text"))
    assert "*Timeline check*: 4 things to look at" in said
    assert "Mitigation (<!date^" in said  # before the start, in each reader's zone
    assert "The impact (90 min) is longer than the incident (61 min" in said
    assert "Nobody marked when it was detected" in said
    assert "Nothing was recorded from" in said  # nothing between the start and the end
    assert (await stored(bot, number)).incident.facts.impact.total_seconds() == 90 * 60
