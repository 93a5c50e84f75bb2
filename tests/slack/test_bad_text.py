"""Bad bytes stop at the door (issue 10, case 7): a NUL or a lone surrogate in anything a person
sends is refused with a message naming it, before anything queues or is written; in what a
channel sends (events, messages read back), where nobody could be answered, it is replaced.
On both databases: PostgreSQL can't store a NUL, and neither database a lone surrogate."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

import pytest

from bot.domain.policy import Policy
from handlers import forms, review_blocks, writing_blocks
from tests.conftest import SIGNING_SECRET
from tests.slack.test_capture import shortcut_payload
from tests.support.flows import count_incidents, declare, eventually, reaction, send_event, stored
from tests.support.slack_requests import (
    FORM,
    block_actions_payload,
    element_state,
    sign,
    view_submission_payload,
)

REPLACEMENT = "\ufffd"


def notes(report):
    return [e for e in report.timeline if e.kind == "note"]


def messages(report):
    return [e for e in report.timeline if e.kind == "message"]


async def interactive_ascii(bot, payload: dict):
    """An interactive payload as Slack encodes it: JSON with \\u escapes, so that a lone
    surrogate travels as `\\ud800` (it has no UTF-8 form of its own)."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return await bot.slack.post_raw(body, {"Content-Type": FORM, **sign(body, SIGNING_SECRET)})


async def test_a_burst_with_one_nul_note_stores_the_others_and_names_the_problem(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Burst with a bad note")
    texts = [f"update {i}" for i in range(40)]
    texts[17] = "update 17 \x00 from a paste"

    replies = await asyncio.gather(
        *(bot.slack.command(f"note {text}", channel_id=channel) for text in texts)
    )

    kinds = [r.json["response_type"] for r in replies]
    assert kinds == ["in_channel"] * 17 + ["ephemeral"] + ["in_channel"] * 22
    refused = replies[17].json["text"]
    assert "NUL" in refused and "control character" in refused, refused
    assert "busy" not in refused
    stored_texts = sorted(e.text for e in notes(await stored(bot, number)))
    assert stored_texts == sorted(t for i, t in enumerate(texts) if i != 17)


async def test_a_title_with_nul_is_refused_before_any_incident_exists(any_db_bot):
    bot = any_db_bot
    reply = await bot.slack.command("start Kafka\x00 brokers down")

    assert reply.json["response_type"] == "ephemeral"
    assert "NUL" in reply.json["text"], reply.json["text"]
    assert await count_incidents(bot) == 0
    assert bot.fake.calls_to("conversations.create") == []


@pytest.mark.parametrize(
    "command",
    [
        "note edit 1 fixed\x00 words",
        "mark mitigated rolled back\x00",
        "action add Add an alert\x00 @owner",
        "postmortem waive duplicate\x00 of INC-1",
        "retro held notes\x00",
        "close --impact 10m\x00",
        "status resolved\x00",
    ],
)
async def test_every_command_refuses_a_nul_before_doing_anything(bot, command):
    reply = await bot.slack.command(command, channel_id="C1")
    assert reply.json["response_type"] == "ephemeral"
    assert "NUL" in reply.json["text"], reply.json["text"]
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []


async def open_capture_form(bot, channel: str, ts: str) -> dict:
    reply = await bot.slack.interactive(
        shortcut_payload(channel, ts, "failover", user="U1", response_url=bot.fake.response_url())
    )
    assert reply.status == 200
    return (await bot.fake.wait_for("views.open")).args["view"]


@pytest.mark.parametrize(
    ("bad", "named"), [("\ud800", "surrogate"), ("\udfff", "surrogate"), ("\x00", "NUL")]
)
async def test_the_capture_form_refuses_bad_characters_beside_the_field(any_db_bot, bad, named):
    bot = any_db_bot
    number, channel = await declare(bot, "Redis down")
    ts = bot.fake.post_as_user(channel, "U5", "failover")
    view = await open_capture_form(bot, channel, ts)

    reply = await interactive_ascii(
        bot,
        view_submission_payload(
            view["callback_id"],
            {
                "text": {"text": element_state("plain_text_input", f"fail{bad}over forced")},
                "at": {"at": element_state("datetimepicker", int(float(ts)))},
            },
            private_metadata=view["private_metadata"],
        ),
    )

    assert reply.json["response_action"] == "errors", reply.body
    assert named in reply.json["errors"]["text"]
    assert "busy" not in reply.json["errors"]["text"]
    await asyncio.sleep(0.1)
    assert messages(await stored(bot, number)) == []


@pytest.mark.parametrize(
    "callback_id",
    [
        forms.CLOSE_MODAL,
        review_blocks.CHANGES_MODAL,
        writing_blocks.SECTION_MODAL,
        writing_blocks.FEEDBACK_MODAL,
    ],
)
async def test_every_modal_refuses_a_nul_beside_its_field(bot, callback_id):
    reply = await bot.slack.interactive(
        view_submission_payload(
            callback_id,
            {"comment": {"comment": element_state("plain_text_input", "looks\x00 good")}},
            private_metadata=json.dumps({"channel": "C1"}),
        )
    )
    assert reply.json["response_action"] == "errors", reply.body
    assert "NUL" in reply.json["errors"]["comment"]
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []


async def test_a_button_carrying_a_nul_is_refused_ephemerally(bot):
    reply = await bot.slack.interactive(
        block_actions_payload(
            review_blocks.APPROVE, "1\x00", response_url=bot.fake.response_url("click")
        )
    )
    assert reply.status == 200
    told = await bot.fake.wait_for("response_url")
    assert "NUL" in told.args["text"] and told.args["response_type"] == "ephemeral"
    assert [c.method for c in bot.fake.calls if c.method not in ("auth.test", "response_url")] == []


JA = Policy.from_mapping({"locale": "ja"})


@pytest.mark.parametrize("policy", [JA])
async def test_the_refusal_is_in_the_workspaces_language(bot):
    reply = await bot.slack.command("start Kafka\x00")
    assert "NUL" in reply.json["text"] and "制御文字" in reply.json["text"], reply.json["text"]


async def test_a_captured_message_with_bad_characters_is_kept_with_them_replaced(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Pasted logs")
    ts = bot.fake.post_as_user(channel, "U5", "log line\x00 with a \ud800 in it")

    await send_event(bot, reaction(channel, ts, "U6"))

    [entry] = messages(
        await eventually(lambda: stored(bot, number), lambda r: len(messages(r)) == 1)
    )
    assert entry.text == f"log line{REPLACEMENT} with a {REPLACEMENT} in it"


async def test_an_edit_event_with_a_nul_is_followed_with_it_replaced(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Edited logs")
    ts = bot.fake.post_as_user(channel, "U5", "clean words")
    await send_event(bot, reaction(channel, ts, "U6"))
    await eventually(lambda: stored(bot, number), lambda r: len(messages(r)) == 1)

    edited = {"type": "message", "user": "U5", "text": "dirty\x00 words", "ts": ts}
    await send_event(
        bot,
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "hidden": True,
            "message": edited,
            "previous_message": {"type": "message", "user": "U5", "ts": ts, "text": "clean"},
            "event_ts": "1.1",
            "ts": "1.1",
        },
    )

    report = await eventually(
        lambda: stored(bot, number), lambda r: messages(r)[0].text != "clean words"
    )
    assert messages(report)[0].text == f"dirty{REPLACEMENT} words"


async def test_data_the_database_refuses_is_never_called_busy(any_db_bot):
    bot = any_db_bot
    if not bot.runtime.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite doesn't enforce a column's length")
    number, channel = await declare(bot, "Odd user id")
    # Past the door: a user id longer than any Slack makes, which PostgreSQL refuses to store.
    reply = await bot.slack.command("note fine words", channel_id=channel, user_id="U" + "X" * 40)

    assert reply.json["response_type"] == "ephemeral"
    assert "refused" in reply.json["text"] and "busy" not in reply.json["text"], reply.json
    assert notes(await stored(bot, number)) == []


async def test_the_shortcut_on_a_message_with_a_nul_opens_the_form_with_it_replaced(bot):
    _, channel = await declare(bot, "Pasted logs")
    ts = bot.fake.post_as_user(channel, "U5", "log\x00line")
    await bot.slack.interactive(
        shortcut_payload(
            channel, ts, "log\x00line", user="U1", response_url=bot.fake.response_url()
        )
    )
    view = (await bot.fake.wait_for("views.open")).args["view"]
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert fields["text"]["initial_value"] == f"log{REPLACEMENT}line"
