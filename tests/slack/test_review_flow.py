"""Issue "review and retro workflow", done when: a draft left alone is carried, by nudges alone,
through review to publication, every message sent exactly once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.policy import Policy
from bot.export import to_json
from tests.support.clock import FakeClock
from tests.support.flows import declare, eventually, stored
from tests.support.review import buttons, click, closed_with_draft, dms, review_policy
from tests.support.slack_requests import (
    block_actions_payload,
    element_state,
    view_submission_payload,
)

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def policy():
    return review_policy(
        author={"after": "2d", "every": "2d"}, reviewer={"after": "1d", "every": "1d"}
    )


async def tick(bot) -> int:
    return await bot.runtime.nudges.tick()


async def test_a_draft_left_alone_is_nudged_through_review_to_publication(bot, clock):
    number, channel, pm = await closed_with_draft(bot, reviewers="<@U8>")
    await bot.slack.command("retro held went well", channel_id=channel)

    assert await tick(bot) == 0  # nothing is due yet
    clock.advance(days=2, seconds=1)
    assert await tick(bot) == 1
    assert await tick(bot) == 0  # sent once, however often the scheduler looks
    [nudge] = dms(bot, "U1")
    assert set(buttons(nudge)) == {"postmortem_ready", "nudge_snooze"}
    assert "still a draft" in nudge.args["text"]

    await click(bot, nudge, "postmortem_ready", "U1")
    await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    [request] = dms(bot, "U8")
    assert set(buttons(request)) == {"review_approve", "review_request_changes"}

    await click(bot, request, "review_request_changes", "U8", trigger_id="tr.changes")
    modal = (
        await bot.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == "tr.changes")
    ).args["view"]
    submitted = await bot.slack.interactive(
        view_submission_payload(
            modal["callback_id"],
            {
                "comment": {
                    "comment": element_state(
                        "plain_text_input",
                        "Root cause names a person <!channel>; say which check was missing.",
                    )
                },
            },
            private_metadata=modal["private_metadata"],
            user_id="U8",
        )
    )
    assert submitted.status == 200
    feedback = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "asked for changes" in c.args["text"]
    )
    assert feedback.args["channel"] == bot.fake.dms["U1"]
    assert "&lt;!channel&gt;" in feedback.args["text"] and "<!channel>" not in feedback.args["text"]
    assert (await stored(bot, number)).postmortem.status == "draft"

    clock.advance(days=2, seconds=1)
    assert await tick(bot) == 1  # the author is nudged again: a new series
    again = dms(bot, "U1")[-1]
    await click(bot, again, "postmortem_ready", "U1")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")

    clock.advance(days=1, seconds=1)
    assert await tick(bot) == 1  # the reviewer hasn't acted: nudged
    reviewer_nudge = dms(bot, "U8")[-1]
    assert "waiting for your review" in reviewer_nudge.args["text"]
    await click(bot, reviewer_nudge, "review_approve", "U8")

    published = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "CPUBLIC"
    )
    body = json.dumps(published.args["blocks"])
    assert "Postmortem published: INC-1" in body and "<@U1>" in body and "<@U8>" in body
    assert "user impact 30 min" in body
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.status == "published"
    )
    [public_ts] = [ts for (ch, ts) in bot.fake.messages if ch == "CPUBLIC"]
    assert report.postmortem.publish_ts == public_ts
    assert to_json(report)["postmortem"]["status"] == "published"

    clock.advance(days=30)
    assert await tick(bot) == 0  # every reason is gone: nothing more is sent
    assert (
        len([c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "CPUBLIC"])
        == 1
    )


async def test_only_named_reviewers_approve_and_steps_out_of_order_are_refused(bot, clock):
    number, channel, pm = await closed_with_draft(bot, reviewers="<@U8>")
    early = await bot.slack.command("postmortem ready", channel_id=channel, user_id="U5")
    assert "Only the postmortem's author" in early.json["text"]
    await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )

    stranger = await bot.slack.interactive(
        block_actions_payload(
            "review_approve",
            buttons(request)["review_approve"],
            user_id="U9",
            channel_id=request.args["channel"],
            response_url=bot.fake.response_url("stranger"),
        )
    )
    assert stranger.status == 200
    told = await bot.fake.wait_for("response_url", lambda c: c.args["_path"] == "stranger")
    assert "Only the named reviewers" in told.args["text"]
    again = await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    assert "Only a draft can be sent for review" in again.json["text"]
    assert (await stored(bot, number)).postmortem.status == "in_review"


async def test_postmortem_command_shows_state_people_dates_and_what_blocks(bot, clock):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    await bot.slack.command("postmortem author <@U3>", channel_id=channel)
    await bot.slack.command("postmortem reviewers <@U8> <@U9>", channel_id=channel)
    shown = await bot.slack.command("postmortem", channel_id=channel)
    text = shown.json["text"]
    assert shown.json["response_type"] == "ephemeral"
    assert "INC-1 postmortem* — draft" in text
    assert "*Author:* <@U3>" in text and "<@U8>, <@U9>" in text and "*Approvals needed:* 2" in text
    assert "*Waiting on:* <@U3>" in text and "*Retro:* due by" in text
    assert "next author reminder to <@U3>" in text and "<@U1>" not in text.split("*Waiting on:*")[1]


async def test_waiving_needs_a_reason_records_who_and_stops_the_nudges(bot, clock):
    number, channel, _ = await closed_with_draft(bot)
    empty = await bot.slack.command("postmortem waive", channel_id=channel)
    assert "reason" in empty.json["text"]
    reply = await bot.slack.command(
        "postmortem waive Duplicate of INC-6 <!here>", channel_id=channel, user_id="U1"
    )
    assert "Waived by* <@U1>: Duplicate of INC-6 &lt;!here&gt;" in reply.json["text"]
    report = await stored(bot, number)
    assert (report.postmortem.status, report.postmortem.waived_by) == ("waived", "U1")
    clock.advance(days=10)
    assert await tick(bot) == 0
    assert dms(bot, "U1") == []


async def test_the_retro_is_invited_with_an_ics_and_reminded_unless_held(bot, clock):
    number, channel, pm = await closed_with_draft(bot, reviewers="<@U8>")
    upload = await bot.fake.wait_for(
        "files.completeUploadExternal", lambda c: "retro" in c.args.get("initial_comment", "")
    )
    ics = bot.fake.uploads[upload.args["files"][0]["id"]].decode()
    assert ics.startswith("BEGIN:VCALENDAR") and "SUMMARY:Retro: INC-1 Aurora failover" in ics
    assert "<@U1>" in upload.args["initial_comment"]

    clock.advance(days=4, seconds=1)  # retro within 5 days; reminded one day before
    await tick(bot)
    reminder = await bot.fake.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == channel and "retrospective is due" in c.args["text"],
    )
    assert "/incident retro held" in reminder.args["text"]
    held = await bot.slack.command("retro held 感謝 — blameless and useful", channel_id=channel)
    assert held.json["response_type"] == "in_channel"
    report = await stored(bot, number)
    assert report.postmortem.retro_notes == "感謝 — blameless and useful"


async def test_the_retro_invites_everyone_who_wrote_in_the_timeline(bot, clock):
    number, channel = await declare(bot, "--sev 2 Aurora failover", user="U1")
    await bot.slack.command("note Failed over by hand", channel_id=channel, user_id="U6")
    await bot.slack.command(
        "close --impact 30m --data-loss no --intervention failover --detected-by monitoring",
        channel_id=channel,
        user_id="U1",
    )
    upload = await bot.fake.wait_for(
        "files.completeUploadExternal", lambda c: "retro" in c.args.get("initial_comment", "")
    )
    assert "<@U6>" in upload.args["initial_comment"]  # noted, held no role, never joined


async def test_a_held_retro_is_not_reminded(bot, clock):
    _, channel, _ = await closed_with_draft(bot)
    await bot.slack.command("retro held", channel_id=channel)
    clock.advance(days=6)
    await tick(bot)
    assert not [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if "retrospective is due" in c.args.get("text", "")
    ]


async def test_snooze_puts_the_next_reminder_off_by_a_day(bot, clock):
    number, channel, _ = await closed_with_draft(bot)
    await bot.slack.command("retro held", channel_id=channel)
    clock.advance(days=2, seconds=1)
    await tick(bot)
    [nudge] = dms(bot, "U1")
    await click(bot, nudge, "nudge_snooze", "U1")
    told = await bot.fake.wait_for(
        "response_url", lambda c: c.args["_path"] == "click-nudge_snooze"
    )
    assert "Snoozed" in told.args["text"]
    clock.advance(days=2, seconds=1)  # the next one was due 2 days on; snoozed, it is 3
    assert await tick(bot) == 0
    clock.advance(days=1)
    assert await tick(bot) == 1


async def test_escalation_after_unanswered_nudges_tells_the_commander(bot, clock):
    number, channel, _ = await closed_with_draft(
        bot, user="U1", before_close=("role commander <@U9>",)
    )
    await bot.slack.command("retro held", channel_id=channel)
    for _ in range(4):  # nudges 1-3 go unanswered; when the 4th is due, the commander hears
        clock.advance(days=2, seconds=1)
        await tick(bot)
    await tick(bot)
    assert len(dms(bot, "U1")) == 4
    escalation = [c for c in dms(bot, "U9") if "waiting on" in c.args["text"]]
    assert len(escalation) == 1 and "<@U1>" in escalation[0].args["text"]


@pytest.mark.parametrize(
    "policy",
    [
        Policy.from_mapping(
            {
                "display_timezone": "Asia/Tokyo",
                "reminders": {"poll_interval": "1h", "author": {"after": "2d", "every": "2d"}},
            }
        )
    ],
)
@pytest.mark.parametrize("clock", [FakeClock(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))])
async def test_the_status_shows_a_reminder_when_it_will_really_be_sent(bot, clock):
    # Closed Monday 11:00 in Tokyo; the author's nudge falls due two business days later,
    # Wednesday 11:00 JST — Tuesday 18:00 for an author in Los Angeles, after their day ends.
    bot.fake.users["U1"] = {"tz": "America/Los_Angeles", "name": "sam"}
    _, channel, _ = await closed_with_draft(bot)

    text = (await bot.slack.command("postmortem", channel_id=channel)).json["text"]

    line = next(x for x in text.splitlines() if "next author reminder" in x)
    sent = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("America/Los_Angeles"))  # their morning
    assert f"<!date^{int(sent.timestamp())}^" in line
