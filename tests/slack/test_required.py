"""Issue 11, "no empty postmortem published": the policy's `postmortem.required` sections (by
default summary, impact, root cause and action items) are written before a postmortem can go
to review, on every surface that asks for review; once it has left the draft they can't be
emptied; and the blameless check says when there is nothing to check yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain.completeness import HINTS
from bot.domain.policy import Policy
from bot.i18n import translator
from tests.slack.test_writing import open_section, save
from tests.support.clock import FakeClock
from tests.support.flows import eventually, stored
from tests.support.review import click, closed_with_draft, dms, review_policy

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)
EDIT = "`/incident postmortem edit"


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def policy():
    return review_policy(author={"after": "2d", "every": "2d"})


async def empty_draft(bot):
    return await closed_with_draft(bot, reviewers="<@U8>", written=False)


async def write(bot, number: int, channel: str, word: str, text: str, *, key: str) -> None:
    view = await open_section(bot, channel, word, trigger=f"tr.{word}.{len(text)}")
    reply = await save(bot, view, text)
    assert reply.status == 200 and not reply.body, reply.body
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.sections.get(key) == text)


async def ready(bot, channel: str) -> str:
    reply = await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    assert reply.status == 200, reply.body
    return reply.json.get("text", "") if reply.body else ""


def asked(bot) -> list:
    """The review requests sent to the reviewer."""
    return [c for c in dms(bot, "U8") if "review_approve" in json.dumps(c.args.get("blocks"))]


async def test_ready_with_every_section_empty_lists_all_four_and_how_to_write_each(bot):
    number, channel, _ = await empty_draft(bot)
    reply = await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")

    assert reply.json["response_type"] == "ephemeral"
    text = reply.json["text"]
    assert "can't go to review yet" in text
    assert f"*Summary*: write it with {EDIT} summary`" in text
    assert f"*Impact*: write it with {EDIT} impact`" in text
    assert f"*Root cause*: write it with {EDIT} root-cause`" in text
    assert "*Action items*: add one with `/incident action add &lt;text&gt;`" in text
    assert f"say why none is needed with {EDIT} action-items`" in text
    assert text.index("Summary") < text.index("Impact") < text.index("Root cause")
    assert (await stored(bot, number)).postmortem.status == "draft"
    assert not asked(bot)


async def test_after_writing_some_it_lists_the_rest(bot):
    number, channel, _ = await empty_draft(bot)
    await write(bot, number, channel, "summary", "The writer moved.", key="summary")
    await write(bot, number, channel, "impact", "Writes failed for 30 minutes.", key="impact")

    text = await ready(bot, channel)
    assert "*Root cause*" in text and "*Action items*" in text
    assert "*Summary*" not in text and "*Impact*" not in text
    assert (await stored(bot, number)).postmortem.status == "draft"


async def test_whitespace_or_the_drafts_hint_is_not_written(bot):
    number, channel, _ = await empty_draft(bot)
    hint = "What happened, in two or three sentences someone from another team can follow?"
    await write(bot, number, channel, "summary", f"_{hint}_", key="summary")  # copied from it
    await write(bot, number, channel, "impact", "Writes failed.", key="impact")

    text = await ready(bot, channel)
    assert "*Summary*" in text and "*Impact*" not in text


async def test_none_needed_with_a_reason_satisfies_action_items_and_is_shown(bot):
    number, channel, pm = await empty_draft(bot)
    await write(bot, number, channel, "summary", "The writer moved.", key="summary")
    await write(bot, number, channel, "impact", "Writes failed for 30 minutes.", key="impact")
    await write(bot, number, channel, "root-cause", "A cached connection.", key="root_cause")
    bot.fake.clear()
    await write(
        bot,
        number,
        channel,
        "action_items",  # the underscore spelling is read too
        "The pool setting is fixed for good; nothing is left to do.",
        key="no_action_items",
    )
    edit = await bot.fake.wait_for("canvases.edit")
    markdown = edit.args["changes"][0]["document_content"]["markdown"]
    action_items = markdown.split("## Action items")[1].split("## ")[0]
    assert "_None needed:_" in action_items and "nothing is left to do" in action_items

    assert await ready(bot, channel) == ""  # acknowledged; the answer follows in the channel
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")
    await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )


async def test_an_action_item_satisfies_action_items(bot):
    number, channel, _ = await empty_draft(bot)
    await write(bot, number, channel, "summary", "The writer moved.", key="summary")
    await write(bot, number, channel, "impact", "Writes failed for 30 minutes.", key="impact")
    await write(bot, number, channel, "root-cause", "A cached connection.", key="root_cause")
    add = await bot.slack.command(
        "action add Drop pooled connections on failover", channel_id=channel
    )
    assert "#1" in add.json["text"]

    assert await ready(bot, channel) == ""
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")


async def test_the_authors_mark_ready_button_refuses_too(bot, clock):
    number, channel, _ = await empty_draft(bot)
    await bot.slack.command("retro held", channel_id=channel)
    clock.advance(days=2, seconds=1)
    await bot.runtime.nudges.tick()
    [nudge] = dms(bot, "U1")

    await click(bot, nudge, "postmortem_ready", "U1")
    told = await bot.fake.wait_for(
        "response_url", lambda c: "can't go to review yet" in c.args.get("text", "")
    )
    assert told.args["response_type"] == "ephemeral" and "*Root cause*" in told.args["text"]
    assert (await stored(bot, number)).postmortem.status == "draft"
    assert not asked(bot)


@pytest.mark.parametrize(
    "policy",
    [
        Policy.from_mapping(
            {
                "reminders": {"business_days": False, "poll_interval": "1h"},
                "blameless": {"block_ready": True},
            }
        )
    ],
)
async def test_with_a_blocking_blameless_check_it_is_refused_before_the_check(bot):
    number, channel, _ = await empty_draft(bot)
    reply = await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    assert "can't go to review yet" in reply.json["text"]
    assert (await stored(bot, number)).postmortem.status == "draft"


@pytest.mark.parametrize(
    "policy",
    [Policy.from_mapping({"reminders": {"business_days": False}, "postmortem": {"required": []}})],
)
async def test_a_policy_requiring_nothing_lets_an_empty_draft_go_to_review(bot):
    number, channel, _ = await empty_draft(bot)
    assert await ready(bot, channel) == ""
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")
    await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    said = await bot.fake.wait_for(  # the check at ready had nothing to read: the author hears so
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U1")
    )
    assert "Nothing to check yet" in said.args["text"]
    assert "reads blameless" not in said.args["text"]


@pytest.mark.parametrize(
    "policy",
    [
        Policy.from_mapping(
            {"reminders": {"business_days": False}, "postmortem": {"required": ["root-cause"]}}
        )
    ],
)
async def test_a_policy_names_its_own_required_sections(bot):
    number, channel, _ = await empty_draft(bot)
    text = await ready(bot, channel)
    assert "*Root cause*" in text
    assert "*Summary*" not in text and "*Action items*" not in text


async def test_the_check_says_there_is_nothing_to_check_yet(bot):
    number, channel, _ = await empty_draft(bot)
    empty = await bot.slack.command("postmortem check", channel_id=channel)
    assert empty.json["response_type"] == "ephemeral"
    assert "Nothing to check yet" in empty.json["text"]
    assert "reads blameless" not in empty.json["text"]

    await write(bot, number, channel, "lucky", "It was a quiet hour.", key="lucky")
    written = await bot.slack.command("postmortem check", channel_id=channel)
    assert "reads blameless" in written.json["text"]


async def test_a_required_section_cant_be_emptied_in_review_but_can_in_a_draft(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")  # written
    emptied = await open_section(bot, channel, "summary", trigger="tr.draft")
    reply = await save(bot, emptied, "   ")
    assert reply.status == 200 and not reply.body, reply.body  # a draft may be emptied
    await eventually(lambda: stored(bot, number), lambda r: not r.postmortem.sections["summary"])
    await write(bot, number, channel, "summary", "The writer moved.", key="summary")
    assert await ready(bot, channel) == ""
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")

    view = await open_section(bot, channel, "summary", trigger="tr.review")
    refused = await save(bot, view, "")
    assert refused.json["response_action"] == "errors", refused.body
    said = json.dumps(refused.json["errors"], ensure_ascii=False)
    assert "Summary can't be left empty" in said and "in review" in said
    report = await stored(bot, number)
    assert report.postmortem.sections["summary"] == "The writer moved."
    assert report.postmortem.status == "in_review"

    other = await open_section(bot, channel, "lucky", trigger="tr.other")
    assert not (await save(bot, other, "")).body  # a section nobody requires: as before


async def test_a_published_postmortem_keeps_its_required_sections(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    assert await ready(bot, channel) == ""
    request = await eventually(lambda: _now(asked(bot)), bool)
    await click(bot, request[-1], "review_approve", "U8")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "published")

    view = await open_section(bot, channel, "action-items", trigger="tr.amend")
    refused = await save(bot, view, "")
    said = json.dumps(refused.json["errors"])
    assert "Action items can't be left empty" in said and "published" in said
    assert (await stored(bot, number)).postmortem.sections["no_action_items"]


async def _now(value):
    return value


@pytest.mark.parametrize(
    "policy", [Policy.from_mapping({"locale": "ja", "reminders": {"business_days": False}})]
)
async def test_a_japanese_workspace_hears_what_is_missing_in_japanese(bot):
    number, channel, _ = await empty_draft(bot)
    hint = translator("ja").gettext(HINTS["summary"])  # as the Japanese draft shows it
    await write(bot, number, channel, "summary", f"_{hint}_", key="summary")
    text = (await bot.slack.command("postmortem ready", channel_id=channel)).json["text"]
    assert "レビューに出せません" in text
    assert f"*サマリ*：{EDIT} summary` で" in text
    assert f"*根本原因*：{EDIT} root-cause` で" in text
    assert f"{EDIT} action-items`" in text and "アクションアイテム" in text

    check = await bot.slack.command("postmortem check", channel_id=channel)
    assert "まだ確認するものがありません" in check.json["text"]
