"""The incident channel records itself: pins, the shortcut, edits and deletions, responders."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.export import to_json
from bot.services.capture import ts_time
from storage.tables import capture_votes
from tests.support.flows import count_incidents, declare, eventually, reaction, send_event, stored
from tests.support.slack_requests import element_state, view_submission_payload


async def pins(bot, ts: str) -> int:
    """How many people's pins on the message are counted (read straight from the database)."""
    async with bot.runtime.engine.connect() as conn:
        query = (
            select(func.count()).select_from(capture_votes).where(capture_votes.c.message_ts == ts)
        )
        return int((await conn.execute(query)).scalar_one())


def messages(report):
    return [e for e in report.timeline if e.kind == "message"]


async def captured(bot, number: int, count: int = 1):
    return await eventually(lambda: stored(bot, number), lambda r: len(messages(r)) == count)


async def test_a_pin_adds_the_message_at_its_own_time_with_author_text_and_link(bot):
    number, channel = await declare(bot, "Kafka brokers down")
    ts = bot.fake.post_as_user(channel, "U5", "Broker 2 &amp; 3 left the ISR &lt;see graph&gt;")

    await send_event(bot, reaction(channel, ts, "U6"))

    [entry] = messages(await captured(bot, number))
    assert entry.occurred_at == ts_time(ts)
    assert (entry.author, entry.source) == ("U5", "reaction")
    assert entry.text == "Broker 2 & 3 left the ISR <see graph>"
    assert entry.permalink.startswith("https://example.slack.com/archives/")
    assert bot.fake.calls_to("chat.getPermalink")[0].args["message_ts"] == ts


async def test_many_pins_one_entry_and_it_goes_with_the_last_pin(bot):
    number, channel = await declare(bot, "Aurora failover")
    ts = bot.fake.post_as_user(channel, "U5", "Failover done")
    for count, user in enumerate(("U6", "U7", "U8"), start=1):
        await send_event(bot, reaction(channel, ts, user))
        await eventually(lambda: pins(bot, ts), lambda n, count=count: n == count)
    assert len(messages(await stored(bot, number))) == 1

    for left, user in enumerate(("U6", "U7"), start=1):
        await send_event(bot, reaction(channel, ts, user, removed=True))
        await eventually(lambda: pins(bot, ts), lambda n, left=left: n == 3 - left)
        assert len(messages(await stored(bot, number))) == 1  # others still pin it
    await send_event(bot, reaction(channel, ts, "U8", removed=True))

    report = await eventually(lambda: stored(bot, number), lambda r: not messages(r))
    [gone] = to_json(report)["removed_entries"]
    assert gone["text"] == "Failover done"
    assert [h["action"] for h in gone["history"]] == ["delete"]


async def test_a_redelivered_event_never_makes_a_second_entry(bot):
    number, channel = await declare(bot, "Redis down")
    ts = bot.fake.post_as_user(channel, "U5", "Primary unreachable")
    event = reaction(channel, ts, "U6")

    await asyncio.gather(
        send_event(bot, event, event_id="EvSame"),
        send_event(bot, event, event_id="EvSame", retry_num=1),
    )
    await send_event(bot, event, event_id="EvSame", retry_num=2)

    await captured(bot, number)
    await asyncio.sleep(0.3)  # give any duplicate the time to (wrongly) land
    assert len(messages(await stored(bot, number))) == 1


async def test_a_retry_whose_first_delivery_never_arrived_is_processed(bot):
    number, channel = await declare(bot, "Logs lost")
    ts = bot.fake.post_as_user(channel, "U5", "fluent-bit buffer full")
    await send_event(bot, reaction(channel, ts, "U6"), event_id="EvLost", retry_num=1)
    assert len(messages(await captured(bot, number))) == 1


async def test_thread_replies_and_bot_messages_can_be_pinned(bot):
    number, channel = await declare(bot, "Kafka")
    parent = bot.fake.post_as_user(channel, "U5", "Looking into it")
    reply = bot.fake.post_as_user(
        channel, "U6", "Found it: ZooKeeper session expired", thread_ts=parent
    )
    # The bot's own pinned summary is a bot message in the channel.
    bot_ts = next(
        ts for (ch, ts), m in bot.fake.messages.items() if ch == channel and m.get("bot_id")
    )

    await send_event(bot, reaction(channel, reply, "U7"))
    await send_event(bot, reaction(channel, bot_ts, "U7"))

    entries = messages(await captured(bot, number, count=2))
    by_author = {e.author: e for e in entries}
    assert by_author["U6"].text == "Found it: ZooKeeper session expired"
    assert by_author["U6"].occurred_at == ts_time(reply)
    assert set(by_author) == {"U6", "UBOT"}


async def test_other_channels_and_other_emoji_cost_nothing(bot):
    number, channel = await declare(bot, "Kafka")
    before = len(bot.fake.calls)
    ts = bot.fake.post_as_user("CRANDOM", "U5", "lunch?")
    await send_event(bot, reaction("CRANDOM", ts, "U6"))
    await send_event(bot, reaction(channel, ts, "U6", emoji="eyes"))
    await send_event(
        bot, {"type": "message", "channel": channel, "user": "U5", "text": "hi", "ts": ts}
    )
    await asyncio.sleep(0.2)
    assert len(bot.fake.calls) == before  # no history, permalink or any other Slack call
    assert messages(await stored(bot, number)) == []
    assert await count_incidents(bot) == 1


async def test_edits_follow_and_are_kept_deletions_follow(bot):
    number, channel = await declare(bot, "Aurora failover")
    ts = bot.fake.post_as_user(channel, "U5", "Restarted unicorn on web-1")
    await send_event(bot, reaction(channel, ts, "U6"))
    await captured(bot, number)

    edited = {
        "type": "message",
        "user": "U5",
        "text": "Restarted unicorn on web-1..web-4",
        "ts": ts,
    }
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel,
        "hidden": True,
        "message": edited,
        "previous_message": {
            "type": "message",
            "user": "U5",
            "ts": ts,
            "text": "Restarted unicorn on web-1",
        },
    }
    await send_event(bot, changed)
    await send_event(bot, changed, retry_num=1)  # a redelivered edit adds no second revision

    report = await eventually(
        lambda: stored(bot, number), lambda r: messages(r)[0].text.endswith("web-4")
    )
    [entry] = [e for e in to_json(report)["timeline"] if e["kind"] == "message"]
    assert [(h["action"], h["before"]["text"], h["after"]["text"]) for h in entry["history"]] == [
        ("edit", "Restarted unicorn on web-1", "Restarted unicorn on web-1..web-4")
    ]

    await send_event(
        bot,
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": channel,
            "hidden": True,
            "deleted_ts": ts,
            "previous_message": edited,
        },
    )
    report = await eventually(lambda: stored(bot, number), lambda r: not messages(r))
    assert [h["action"] for h in to_json(report)["removed_entries"][0]["history"]] == [
        "edit",
        "delete",
    ]


async def test_members_who_join_are_responders_not_timeline_noise(bot):
    number, channel = await declare(bot, "Kafka")
    before = len((await stored(bot, number)).timeline)
    for user in ("U5", "U6", "U5"):
        await send_event(
            bot,
            {
                "type": "member_joined_channel",
                "user": user,
                "channel": channel,
                "channel_type": "C",
                "team": "T1",
            },
        )
    report = await eventually(lambda: stored(bot, number), lambda r: len(r.responders) == 2)
    assert report.responders == ["U5", "U6"]
    assert len(report.timeline) == before


def shortcut_payload(channel: str, ts: str, text: str, *, user: str, response_url: str) -> dict:
    return {
        "type": "message_action",
        "callback_id": "add_to_timeline",
        "trigger_id": "tr.sc",
        "action_ts": "1.2",
        "token": "t",
        "api_app_id": "A1",
        "team": {"id": "T1", "domain": "example"},
        "user": {"id": user, "name": user.lower(), "team_id": "T1"},
        "channel": {"id": channel, "name": "inc"},
        "is_enterprise_install": False,
        "message": {"type": "message", "user": "U5", "ts": ts, "text": text},
        "message_ts": ts,
        "response_url": response_url,
    }


async def test_the_shortcut_opens_a_form_and_adds_the_adjusted_message(bot):
    number, channel = await declare(bot, '--at "2021-12-28T10:00Z" Redis down')
    bot.fake.join(channel, "U6")  # only people in the channel capture (issue 10)
    ts = bot.fake.post_as_user(channel, "U5", "failover forced")
    reply = await bot.slack.interactive(
        shortcut_payload(
            channel, ts, "failover forced", user="U6", response_url=bot.fake.response_url("sc")
        )
    )
    assert reply.status == 200

    opened = await bot.fake.wait_for("views.open")
    view = opened.args["view"]
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert fields["text"]["initial_value"] == "failover forced"
    assert fields["at"]["initial_date_time"] == int(float(ts))

    at = int(datetime(2021, 12, 28, 10, 30, tzinfo=UTC).timestamp())
    submitted = await bot.slack.interactive(
        view_submission_payload(
            view["callback_id"],
            {
                "text": {
                    "text": element_state("plain_text_input", "Forced replica failover (AZ-a)")
                },
                "at": {"at": element_state("datetimepicker", at)},
            },
            private_metadata=view["private_metadata"],
            user_id="U6",
        )
    )
    assert submitted.status == 200 and not submitted.body

    # U6's words about U5's message are U6's note, linking it (never put under U5's name).
    report = await eventually(
        lambda: stored(bot, number), lambda r: any(e.source == "shortcut" for e in r.timeline)
    )
    [entry] = [e for e in report.timeline if e.source == "shortcut"]
    assert (entry.text, entry.kind, entry.author) == (
        "Forced replica failover (AZ-a)",
        "note",
        "U6",
    )
    assert entry.permalink and messages(report) == []
    assert entry.occurred_at == datetime(2021, 12, 28, 10, 30, tzinfo=UTC)
    told = await bot.fake.wait_for("chat.postEphemeral")
    assert told.args["user"] == "U6" and f"#{entry.seq}" in told.args["text"]


async def test_the_shortcut_form_refuses_a_time_in_the_future(bot):
    number, channel = await declare(bot, "Redis down")
    ts = bot.fake.post_as_user(channel, "U5", "x")
    meta = json.dumps({"channel": channel, "ts": ts})
    reply = await bot.slack.interactive(
        view_submission_payload(
            "add_to_timeline_modal",
            {
                "text": {"text": element_state("plain_text_input", "x")},
                "at": {"at": element_state("datetimepicker", 4102444800)},
            },
            private_metadata=meta,
        )
    )
    assert reply.json["response_action"] == "errors" and "future" in reply.json["errors"]["at"]
    assert messages(await stored(bot, number)) == []


async def test_the_shortcut_outside_an_incident_channel_says_so(bot):
    ts = bot.fake.post_as_user("CRANDOM", "U5", "x")
    reply = await bot.slack.interactive(
        shortcut_payload("CRANDOM", ts, "x", user="U6", response_url=bot.fake.response_url("sc"))
    )
    assert reply.status == 200
    told = await bot.fake.wait_for("response_url")
    assert "isn't an incident channel" in told.args["text"]
    assert bot.fake.calls_to("views.open") == []


async def test_events_are_acknowledged_before_slow_slack_calls_finish(bot):
    number, channel = await declare(bot, "Kafka")
    ts = bot.fake.post_as_user(channel, "U5", "slow one")
    bot.fake.delay("chat.getPermalink", 3.0)

    reply = await send_event(bot, reaction(channel, ts, "U6"))

    assert reply.status == 200
    # Acknowledged while chat.getPermalink is still answering: nothing could be stored yet.
    assert messages(await stored(bot, number)) == []
    [entry] = messages(await captured(bot, number))  # the slow part finishes after the ack
    assert entry.permalink


async def test_a_message_pinned_again_comes_back_as_it_reads_now(bot):
    number, channel = await declare(bot, "Kafka")
    ts = bot.fake.post_as_user(channel, "U5", "first words")
    await send_event(bot, reaction(channel, ts, "U6"))
    await captured(bot, number)  # in the timeline (a pin taken back sooner leaves no history)
    await send_event(bot, reaction(channel, ts, "U6", removed=True))
    await eventually(lambda: stored(bot, number), lambda r: not messages(r))

    bot.fake.messages[(channel, ts)]["text"] = "edited while unpinned"
    await send_event(bot, reaction(channel, ts, "U7"))

    report = await eventually(lambda: stored(bot, number), lambda r: len(messages(r)) == 1)
    assert messages(report)[0].text == "edited while unpinned"
    [entry] = [e for e in to_json(report)["timeline"] if e["kind"] == "message"]
    assert [(h["action"], h["before"]["text"], h["after"]["text"]) for h in entry["history"]] == [
        ("delete", "first words", None),
        ("restore", "first words", "edited while unpinned"),
    ]
