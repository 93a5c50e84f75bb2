"""Issue 10, case 3: the capture form never rewrites anyone's words. Only people in the incident
channel capture; a captured entry changes only by its author or the commander (the rule of
`note edit`); and edited words at a first capture are the capturer's own note, linking the
message — never put in the mouth of the message's author."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.slack.test_capture import shortcut_payload
from tests.support.flows import declare, eventually, reaction, send_event, stored
from tests.support.slack_requests import element_state, view_submission_payload

START = '--at "2021-12-28T10:00Z"'
LATER = int(datetime(2021, 12, 28, 10, 30, tzinfo=UTC).timestamp())


async def open_form(bot, channel: str, ts: str, text: str, user: str):
    bot.fake.clear()
    reply = await bot.slack.interactive(
        shortcut_payload(channel, ts, text, user=user, response_url=bot.fake.response_url("sc"))
    )
    assert reply.status == 200
    return reply


async def submit(bot, channel: str, ts: str, user: str, text: str, at: int):
    meta = json.dumps({"channel": channel, "ts": ts})  # forms carry this; anyone can forge it
    return await bot.slack.interactive(
        view_submission_payload(
            "add_to_timeline_modal",
            {
                "text": {"text": element_state("plain_text_input", text)},
                "at": {"at": element_state("datetimepicker", at)},
            },
            private_metadata=meta,
            user_id=user,
        )
    )


async def pinned(bot, number: int, channel: str, ts: str):
    await send_event(bot, reaction(channel, ts, "U5"))
    report = await eventually(
        lambda: stored(bot, number), lambda r: any(e.message_ts == ts for e in r.timeline)
    )
    return next(e for e in report.timeline if e.message_ts == ts)


def refused(reply, phrase: str) -> bool:
    body = json.dumps(reply.json or {})
    return reply.status == 200 and "errors" in body and phrase in body


@pytest.fixture
async def incident(any_db_bot):
    number, channel = await declare(any_db_bot, f"{START} Capture rights", user="U1")
    any_db_bot.fake.join(channel, "U5", "U6")  # U5 and U6 are in the channel; U9 is not
    ts = any_db_bot.fake.post_as_user(channel, "U5", "failover forced")
    return any_db_bot, number, channel, ts


async def test_someone_outside_the_channel_gets_no_form_and_cannot_submit_one(incident):
    bot, number, channel, ts = incident
    entry = await pinned(bot, number, channel, ts)
    await open_form(bot, channel, ts, "failover forced", "U9")
    assert bot.fake.calls_to("views.open") == []
    reply = await submit(bot, channel, ts, "U9", "it was U5's fault", LATER)
    assert refused(reply, "in the incident channel"), reply.body
    [after] = [e for e in (await stored(bot, number)).timeline if e.message_ts == ts]
    assert (after.text, after.occurred_at) == (entry.text, entry.occurred_at)


async def test_a_member_cannot_rewrite_someone_elses_captured_entry(incident):
    bot, number, channel, ts = incident
    entry = await pinned(bot, number, channel, ts)
    reply = await submit(bot, channel, ts, "U6", "it was U5's fault", LATER)
    assert reply.status == 200  # the form closes; the refusal comes once the message is read
    told = await bot.fake.wait_for("chat.postEphemeral", lambda c: c.args["user"] == "U6")
    assert "Only the author" in told.args["text"]
    [after] = [e for e in (await stored(bot, number)).timeline if e.message_ts == ts]
    assert (after.text, after.occurred_at, after.author) == (entry.text, entry.occurred_at, "U5")


@pytest.mark.parametrize("who", ["U5", "U1"])  # the message's author, the commander
async def test_its_author_or_the_commander_may_adjust_a_captured_entry(incident, who):
    bot, number, channel, ts = incident
    await pinned(bot, number, channel, ts)
    reply = await submit(bot, channel, ts, who, "Forced replica failover (AZ-a)", LATER)
    assert reply.status == 200 and not reply.body, reply.body
    report = await eventually(
        lambda: stored(bot, number),
        lambda r: any(e.text == "Forced replica failover (AZ-a)" for e in r.timeline),
    )
    [after] = [e for e in report.timeline if e.message_ts == ts]
    assert after.author == "U5"
    assert [c.changed_by for c in report.history[after.id] if c.action == "edit"] == [who]


async def test_edited_words_at_a_first_capture_are_the_capturers_note(incident):
    bot, number, channel, ts = incident
    reply = await submit(bot, channel, ts, "U6", "U5 forced the failover", LATER)
    assert reply.status == 200 and not reply.body, reply.body
    report = await eventually(
        lambda: stored(bot, number),
        lambda r: any(e.text == "U5 forced the failover" for e in r.timeline),
    )
    [note] = [e for e in report.timeline if e.text == "U5 forced the failover"]
    assert (note.author, note.kind, note.message_ts) == ("U6", "note", None)
    assert note.permalink and ts.replace(".", "") in note.permalink
    assert not [e for e in report.timeline if e.author == "U5"]  # nothing under U5's name


async def test_an_unchanged_first_capture_is_the_message_under_its_author(incident):
    bot, number, channel, ts = incident
    reply = await submit(bot, channel, ts, "U6", "failover forced", int(float(ts)))
    assert reply.status == 200 and not reply.body, reply.body
    report = await eventually(
        lambda: stored(bot, number), lambda r: any(e.message_ts == ts for e in r.timeline)
    )
    [entry] = [e for e in report.timeline if e.message_ts == ts]
    assert (entry.author, entry.text, entry.kind) == ("U5", "failover forced", "message")
