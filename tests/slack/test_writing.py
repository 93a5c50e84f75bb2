"""Writing the postmortem in Slack: sections, conflicts, the blameless check, action items,
publication and feedback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain.policy import Policy
from bot.export import to_json
from handlers import writing_blocks as wb
from tests.support.clock import FakeClock
from tests.support.flows import eventually, stored
from tests.support.review import buttons, click, closed_with_draft, dms
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
    return Policy.from_mapping(
        {
            "reminders": {"business_days": False, "poll_interval": "1h"},
            "review": {"publish_channel": "CPUBLIC"},
        }
    )


async def open_section(
    bot, channel: str, section: str, *, user: str = "U1", trigger: str = "tr.edit"
):
    reply = await bot.slack.command(
        f"postmortem edit {section}", channel_id=channel, user_id=user, trigger_id=trigger
    )
    assert reply.status == 200, reply.body
    return (await bot.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == trigger)).args[
        "view"
    ]


async def save(bot, view: dict, text: str | list[str], *, user: str = "U1"):
    boxes = [text] if isinstance(text, str) else text
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    values = {
        block: {block: element_state("plain_text_input", boxes[i] if i < len(boxes) else None)}
        for i, block in enumerate(inputs)
    }
    return await bot.slack.interactive(
        view_submission_payload(
            view["callback_id"], values, private_metadata=view["private_metadata"], user_id=user
        )
    )


async def test_a_section_is_written_in_a_modal_rerendered_and_kept_as_a_revision(bot):
    number, channel, pm = await closed_with_draft(bot, written=False)
    view = await open_section(bot, channel, "root-cause")
    assert view["title"]["text"].startswith("INC-1")

    reply = await save(bot, view, "Connection pools kept a cached connection to the old writer.")
    assert reply.status == 200 and not reply.body

    edit = await bot.fake.wait_for("canvases.edit")
    assert edit.args["canvas_id"] == pm.doc_id
    markdown = edit.args["changes"][0]["document_content"]["markdown"]
    assert "Connection pools kept a cached connection to the old writer." in markdown
    report = await stored(bot, number)
    assert report.postmortem.sections["root_cause"].startswith("Connection pools")
    [revision] = to_json(report)["postmortem"]["revisions"]
    assert (revision["section"], revision["by"], revision["before"]) == ("root_cause", "U1", "")


async def test_two_people_saving_the_same_section_lose_nothing(bot):
    number, channel, _ = await closed_with_draft(bot)
    bot.fake.join(channel, "U2", "U3")  # people in the channel edit its postmortem (issue 10)
    mine = await open_section(bot, channel, "summary", user="U1", trigger="tr.a")
    theirs = await open_section(bot, channel, "summary", user="U2", trigger="tr.b")
    other = await open_section(bot, channel, "lucky", user="U3", trigger="tr.c")

    assert (await save(bot, theirs, "Their summary.", user="U2")).status == 200
    assert (
        await save(bot, other, "It was the admin panel, not the game.", user="U3")
    ).status == 200
    clash = await save(bot, mine, "My summary.", user="U1")

    assert clash.json["response_action"] == "update"  # the modal stays open, showing both
    shown = json.dumps(clash.json["view"], ensure_ascii=False)
    assert "Their summary." in shown and "<@U2>" in shown
    my_box = next(b for b in clash.json["view"]["blocks"] if b["type"] == "input")
    assert my_box["element"]["initial_value"] == "My summary."
    report = await stored(bot, number)
    assert report.postmortem.sections["summary"] == "Their summary."  # nothing overwritten silently
    assert report.postmortem.sections["lucky"] == "It was the admin panel, not the game."

    merged = await save(bot, clash.json["view"], "Their summary. My summary.", user="U1")
    assert merged.status == 200 and not merged.body
    report = await eventually(
        lambda: stored(bot, number), lambda r: "My summary" in r.postmortem.sections["summary"]
    )
    assert [r["by"] for r in to_json(report)["postmortem"]["revisions"]] == ["U2", "U3", "U1"]


async def test_long_sections_span_boxes_and_come_back_exactly(bot):
    number, channel, _ = await closed_with_draft(bot)
    long = "\n".join(f"Line {i}: " + "x" * 90 for i in range(70))  # ~7,000 characters
    view = await open_section(bot, channel, "response")
    first = await save(bot, view, [long[:2990], long[2990:5980], long[5980:]])
    assert first.status == 200
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.sections.get("response")
    )
    stored_text = report.postmortem.sections["response"]
    assert len(stored_text) > 3000
    again = await open_section(bot, channel, "response", trigger="tr.again")
    boxes = [b["element"].get("initial_value", "") for b in again["blocks"] if b["type"] == "input"]
    assert all(len(b) <= 3000 for b in boxes) and len(boxes) >= 3
    await save(bot, again, boxes)
    assert (await stored(bot, number)).postmortem.sections["response"] == stored_text  # unchanged
    assert len(to_json(await stored(bot, number))["postmortem"]["revisions"]) == 1


async def test_the_blameless_check_flags_privately_and_the_fix_clears_it(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    view = await open_section(bot, channel, "root-cause")
    await save(
        bot,
        view,
        "Root cause: the on-call engineer should have noticed the alert. 担当者の確認不足。",
    )
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.sections.get("root_cause"))

    check = await bot.slack.command("postmortem check", channel_id=channel)
    assert check.json["response_type"] == "ephemeral"
    assert "should have" in check.json["text"] and "確認不足" in check.json["text"]

    await bot.slack.command("postmortem ready", channel_id=channel)
    advice = await bot.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.args["channel"] == bot.fake.dms.get("U1") and "Blameless check" in c.args["text"]
        ),
    )
    assert "should have" in advice.args["text"]

    fixed = await open_section(bot, channel, "root-cause", trigger="tr.fix")
    await save(
        bot, fixed, "The alert fired, but its route paged a retired rotation, so nobody saw it."
    )
    await eventually(
        lambda: stored(bot, number),
        lambda r: "retired rotation" in r.postmortem.sections["root_cause"],
    )
    clean = await bot.slack.command("postmortem check", channel_id=channel)
    assert "reads blameless" in clean.json["text"]


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
async def test_the_policy_can_make_the_check_block_ready(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    view = await open_section(bot, channel, "trigger")
    await save(bot, view, "Human error during the deploy.")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.sections.get("trigger"))
    await bot.slack.command("postmortem ready", channel_id=channel)
    refused = await bot.fake.wait_for(
        "response_url", lambda c: "blameless check found" in c.args.get("text", "")
    )
    assert refused.args["response_type"] == "ephemeral"
    assert (await stored(bot, number)).postmortem.status == "draft"


async def test_action_items_with_owners_slos_flags_and_nudges(bot, clock):
    number, channel, _ = await closed_with_draft(bot)
    add = await bot.slack.command(
        "action add Alert on replica lag --owner <@U5> --due 3d --priority high", channel_id=channel
    )
    assert "#1" in add.json["text"] and "<@U5>" in add.json["text"]
    await bot.slack.command(
        "action add Write the failover runbook --priority low", channel_id=channel
    )
    await bot.slack.command("action add Patch ActiveRecord", channel_id=channel)
    listing = (await bot.slack.command("action list", channel_id=channel)).json["text"]
    assert "no owner" in listing and "(SLO)" in listing
    assert "2022-02-18 (SLO)" in listing  # low: 60 days after close (2021-12-20)

    await bot.slack.command("action drop 3 Fixed upstream in Rails 7", channel_id=channel)
    await bot.slack.command("action owner 2 <@U6>", channel_id=channel)

    clock.advance(days=2, seconds=1)  # a day before #1 is due, its owner hears
    assert await bot.runtime.nudges.tick() >= 1
    [nudge] = dms(bot, "U5")
    assert "action #1" in nudge.args["text"] and set(buttons(nudge)) == {
        "action_done",
        "nudge_snooze",
    }
    await click(bot, nudge, "action_done", "U5")
    await eventually(
        lambda: bot.slack.command("action list", channel_id=channel),
        lambda r: "✅ done" in r.json["text"],
    )

    report = await stored(bot, number)
    exported = to_json(report)
    assert [(a["n"], a["state"]) for a in exported["action_items"]] == [
        (1, "done"),
        (2, "open"),
        (3, "dropped"),
    ]


async def test_a_seed_incident_goes_from_draft_to_published_entirely_in_slack(bot, clock):
    """Aurora failover: written, a blame phrase flagged and fixed, action items owned and dated,
    approved, shared company-wide with thanks, and a reader's feedback delivered to the author."""
    number, channel, _ = await closed_with_draft(
        bot, reviewers="<@U8>", title="Aurora failover caused write errors", written=False
    )
    for section, text in (
        (
            "summary",
            "An Aurora failover promoted the replica.\nSome Unicorn processes kept writing to the old writer.\nWrites failed on part of the fleet for 4 hours.",
        ),
        ("impact", "Write APIs failed on part of the fleet for 4 hours."),
        ("root-cause", "Unicorn should have reconnected, a careless default."),
        ("detection", "A Sentry alert on write errors."),
    ):
        view = await open_section(bot, channel, section, trigger=f"tr.{section}")
        await save(bot, view, text)
    await eventually(lambda: stored(bot, number), lambda r: len(r.postmortem.sections) == 4)
    flagged = (await bot.slack.command("postmortem check", channel_id=channel)).json["text"]
    assert "should have" in flagged and "careless" in flagged
    view = await open_section(bot, channel, "root-cause", trigger="tr.fix")
    await save(
        bot,
        view,
        "ActiveRecord pools cached connections across the failover; nothing re-resolved the writer.",
    )
    await eventually(
        lambda: stored(bot, number), lambda r: "re-resolved" in r.postmortem.sections["root_cause"]
    )
    assert (
        "reads blameless"
        in (await bot.slack.command("postmortem check", channel_id=channel)).json["text"]
    )

    await bot.slack.command(
        "action add Patch ActiveRecord to re-resolve on failover --owner <@U5> --due 2w --priority high",
        channel_id=channel,
    )
    await bot.slack.command("retro held", channel_id=channel)
    await bot.slack.command("postmortem ready", channel_id=channel)
    request = await bot.fake.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == bot.fake.dms.get("U8") and "review_approve" in buttons(c),
    )
    await click(bot, request, "review_approve", "U8")

    published = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "CPUBLIC"
    )
    text = published.args["text"]
    assert "Aurora failover caused write errors" in text and "*Action items:* 1" in text
    assert "Some Unicorn processes kept writing" in text and "user impact 30 min" in text
    thanks = json.dumps(published.args["blocks"])
    assert "Thank you <@U1> for writing it" in thanks and "<@U8>" in thanks
    assert {"feedback_helpful", "feedback_comment"} <= set(buttons(published))

    await click(bot, published, "feedback_helpful", "U9")
    await click(bot, published, "feedback_comment", "U9", trigger_id="tr.feedback")
    modal = (
        await bot.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == "tr.feedback")
    ).args["view"]
    await bot.slack.interactive(
        view_submission_payload(
            modal["callback_id"],
            {
                "text": {
                    "text": element_state(
                        "plain_text_input", "We have the same pool setup in billing — thanks!"
                    )
                },
            },
            private_metadata=modal["private_metadata"],
            user_id="U9",
        )
    )
    delivered = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "left feedback" in c.args["text"]
    )
    assert (
        delivered.args["channel"] == bot.fake.dms["U1"]
        and "same pool setup" in delivered.args["text"]
    )

    exported = to_json(
        await eventually(lambda: stored(bot, number), lambda r: len(r.feedback) == 2)
    )
    assert exported["postmortem"]["status"] == "published"
    assert [f["kind"] for f in exported["postmortem"]["feedback"]] == ["helpful", "comment"]
    edit = await bot.fake.wait_for(
        "canvases.edit", lambda c: "Patch ActiveRecord" in json.dumps(c.args)
    )
    canvas = edit.args["changes"][0]["document_content"]["markdown"]
    row = "| 1 | Patch ActiveRecord to re-resolve on failover | u5 | 2022-01-03 | high | open |"
    assert row in canvas


async def test_feedback_buttons_forged_for_a_draft_are_refused(bot):
    _, channel, pm = await closed_with_draft(bot)
    reply = await bot.slack.interactive(
        block_actions_payload(
            wb.HELPFUL,
            str(pm.id),  # a draft: only a published postmortem is read company-wide
            user_id="U9",
            channel_id="CPUBLIC",
            response_url=bot.fake.response_url("forged-helpful"),
        )
    )

    assert reply.status == 200
    told = await bot.fake.wait_for("response_url", lambda c: "published" in c.args.get("text", ""))
    assert "Feedback opens once the postmortem is published" in told.args["text"]
    async with bot.runtime.deps.storage.uow() as uow:
        assert await uow.writing.feedback(pm.id) == []
