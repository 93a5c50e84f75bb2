"""`/incident start` through Slack's front door."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.flows import count_incidents, declare, stored


async def test_start_declares_creates_channel_pins_summary_and_answers(bot):
    reply = await bot.slack.command(
        "start --sev 2 Kafka brokers down", user_id="U7", channel_id="CGEN"
    )

    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert "INC-1" in reply.json["text"]
    created = await bot.fake.wait_for("conversations.create")
    assert created.args["name"] == "inc-1-kafka-brokers-down"
    answer = await bot.fake.wait_for("response_url")
    channel_id = (
        bot.fake.calls_to("conversations.create")[0] and answer.args["text"].split("<#")[1][:-1]
    )
    assert answer.args["text"] == f"Declared *INC-1*: Kafka brokers down → <#{channel_id}>"
    invite = bot.fake.calls_to("conversations.invite")[0]
    assert (invite.args["channel"], invite.args["users"]) == (channel_id, "U7")
    summary = bot.fake.calls_to("chat.postMessage")[0]
    assert summary.args["channel"] == channel_id
    assert summary.args["blocks"][0]["text"]["text"] == "INC-1: Kafka brokers down"
    assert "SEV2" in summary.args["blocks"][1]["text"]["text"]
    pin = bot.fake.calls_to("pins.add")[0]
    assert pin.args == {**pin.args, "channel": channel_id, "timestamp": summary_ts(bot)}

    report = await stored(bot, 1)
    assert (report.incident.channel_id, report.incident.severity) == (channel_id, 2)
    assert report.incident.summary_ts == summary_ts(bot)
    assert report.incident.declared_by == "U7"


def summary_ts(bot) -> str:
    return bot.fake.calls_to("chat.postMessage")[0].args.get("ts") or next(
        ts for (ch, ts) in bot.fake.messages
    )


async def test_numbers_increase_and_never_repeat(bot):
    first, _ = await declare(bot, "One")
    second, _ = await declare(bot, "Two")
    assert (first, second) == (1, 2)


async def test_at_backdates_the_start_in_the_users_time_zone(bot):
    bot.fake.users["U1"] = {"tz": "Asia/Tokyo", "name": "aki"}
    number, _ = await declare(bot, '--at "2021-12-28 10:00" --sev 3 Redis down')
    report = await stored(bot, number)
    assert report.incident.started_at == datetime(2021, 12, 28, 1, 0, tzinfo=UTC)
    assert report.incident.title == "Redis down"


async def test_options_before_or_after_the_title_mean_the_same(bot):
    a, _ = await declare(bot, '--sev 2 --at "2021-12-28 10:00" Redis down')
    b, _ = await declare(bot, 'Redis down --sev 2 --at "2021-12-28 10:00"')
    ra, rb = await stored(bot, a), await stored(bot, b)
    assert (ra.incident.title, ra.incident.severity, ra.incident.started_at) == (
        rb.incident.title,
        rb.incident.severity,
        rb.incident.started_at,
    )


async def test_a_japanese_title_names_the_channel_in_japanese(bot):
    number, _ = await declare(bot, "決済障害")
    created = bot.fake.calls_to("conversations.create")[0]
    assert created.args["name"] == f"inc-{number}-決済障害"
    assert (await stored(bot, number)).incident.title == "決済障害"


async def test_where_slack_refuses_a_japanese_name_the_latin_one_is_used(bot):
    bot.fake.fail("conversations.create", error="invalid_name_specials", times=1)
    number, _ = await declare(bot, "管理画面のRedis障害")
    names = [c.args["name"] for c in bot.fake.calls_to("conversations.create")]
    assert names == [f"inc-{number}-管理画面のredis障害", f"inc-{number}-redis"]
    assert (await stored(bot, number)).incident.channel_name == f"inc-{number}-redis"


async def test_name_taken_gets_a_suffix(bot):
    bot.fake.fail("conversations.create", error="name_taken", times=1)
    number, channel_id = await declare(bot, "Kafka brokers down")
    names = [c.args["name"] for c in bot.fake.calls_to("conversations.create")]
    assert names == ["inc-1-kafka-brokers-down", "inc-1-kafka-brokers-down-2"]
    assert (await stored(bot, number)).incident.channel_name == "inc-1-kafka-brokers-down-2"


async def test_channel_that_cannot_be_created_yet_keeps_the_incident_and_says_what_next(bot):
    """Issue 10, case 6: the incident is kept and its set-up retried (an admin can allow it),
    rather than withdrawn; the declarer learns why, and that declaring again is not needed."""
    bot.fake.fail("conversations.create", error="restricted_action", times=1)
    reply = await bot.slack.command("start Kafka brokers down")
    assert "INC-1" in reply.json["text"]
    told = await bot.fake.wait_for("response_url")
    assert told.args["response_type"] == "ephemeral"
    assert "doesn't allow" in told.args["text"]
    assert "no need to declare it again" in told.args["text"]
    assert await count_incidents(bot) == 1
    again = await bot.slack.command("start Kafka brokers down")
    assert "INC-1" in again.json["text"] and await count_incidents(bot) == 1


async def test_title_is_required(bot):
    reply = await bot.slack.command("start --sev 2")
    assert reply.json["response_type"] == "ephemeral"
    assert "title" in reply.json["text"].lower()
    assert await count_incidents(bot) == 0


async def test_start_in_the_future_is_refused(bot):
    reply = await bot.slack.command("start --at 2999-01-01T00:00Z Time travel")
    assert reply.json["response_type"] == "ephemeral"
    assert "future" in reply.json["text"]
    assert await count_incidents(bot) == 0


async def test_help_and_unknown_subcommands_list_the_commands(bot):
    for text in ("help", "", "frobnicate"):
        reply = await bot.slack.command(text)
        assert reply.json["response_type"] == "ephemeral"
        body = reply.json["text"]
        for usage in ("/incident start", "/incident note", "/incident close"):
            assert usage in body, (text, body)
    assert "frobnicate" in (await bot.slack.command("frobnicate")).json["text"]
    unknown_topic = (await bot.slack.command("help foo")).json["text"]
    assert unknown_topic.startswith("I don't know `foo`.")
    assert "/incident start" in unknown_topic


async def test_shutting_down_lets_the_work_after_the_ack_finish(bot):
    # Slack has its answer at once; setting up the channel goes on after it, and a shutdown
    # meanwhile waits for it rather than leaving an incident without its channel.
    bot.fake.delay("conversations.create", 1.0, times=1)
    reply = await bot.slack.command("start Shutdown mid-way")
    assert "INC-1" in reply.json["text"]
    assert (await stored(bot, 1)).incident.channel_id is None  # still being created

    await bot.runtime.aclose()

    assert bot.fake.calls_to("pins.add")
    assert (await stored(bot, 1)).incident.channel_id is not None
