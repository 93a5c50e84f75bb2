"""Who may do what: closing, approving, changing the timeline, and acting from elsewhere.

Rules (issue 5): only the commander or the declarer closes; only the named reviewers approve;
only an entry's author or the commander changes it; a command outside an incident channel acts
on no incident. A rule that anyone can sidestep by first giving themselves the role is no rule,
so the self-promotions that would defeat these are tested too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.hardening.helpers import counts
from tests.support.flows import declare, eventually, stored
from tests.support.review import CLOSE, buttons, click, closed_with_draft, review_policy
from tests.support.slack_requests import (
    block_actions_payload,
    element_state,
    view_submission_payload,
)


@pytest.fixture
def policy():
    return review_policy()


def refused(reply, phrase: str = "Only") -> bool:
    return (
        reply.status == 200
        and reply.json is not None
        and reply.json.get("response_type") == "ephemeral"
        and phrase in reply.json.get("text", "")
    )


def close_submission(channel: str, user: str) -> dict:
    now = int(datetime.now(UTC).timestamp()) + 2  # whole seconds: not before the start
    return view_submission_payload(
        "close_incident",
        {
            "closed_at": {"closed_at": element_state("datetimepicker", now)},
            "impact": {"impact": element_state("plain_text_input", "30m")},
            "data_loss": {"data_loss": element_state("radio_buttons", "no")},
            "intervention": {"intervention": element_state("static_select", "rollback")},
            "detected_by": {"detected_by": element_state("static_select", "monitoring")},
            "reviewers": {"reviewers": element_state("multi_users_select", [])},
        },
        private_metadata=json.dumps({"incident_id": 1, "channel_id": channel}),
        user_id=user,
    )


# ---- closing ---------------------------------------------------------------------------------


async def test_only_the_declarer_or_the_commander_may_close(bot):
    number, channel = await declare(bot, "Who may close", user="U1")

    by_command = await bot.slack.command(CLOSE, channel_id=channel, user_id="U2")
    by_modal = await bot.slack.command("close", channel_id=channel, user_id="U2")
    submitted = await bot.slack.interactive(close_submission(channel, "U2"))

    assert refused(by_command, "commander"), by_command.body
    assert refused(by_modal, "commander"), by_modal.body
    assert bot.fake.calls_to("views.open") == []  # no form offered to someone who can't use it
    assert submitted.json["response_action"] == "errors", submitted.body
    assert "commander" in json.dumps(submitted.json["errors"])
    assert not (await stored(bot, number)).incident.is_closed

    await bot.slack.command("role commander <@U3>", channel_id=channel, user_id="U1")
    closed = await bot.slack.command(CLOSE, channel_id=channel, user_id="U3")
    assert closed.status == 200 and not closed.body  # a bare ack: closed
    assert (await stored(bot, number)).incident.closed_by == "U3"


async def test_the_declarer_may_still_close_after_handing_over_command(bot):
    number, channel = await declare(bot, "Handed over", user="U1")
    await bot.slack.command("role commander <@U3>", channel_id=channel, user_id="U1")
    submitted = await bot.slack.interactive(close_submission(channel, "U1"))
    assert submitted.status == 200 and not submitted.body, submitted.body
    assert (await stored(bot, number)).incident.closed_by == "U1"


async def test_a_bystander_cannot_make_themselves_commander_and_then_close(bot):
    number, channel = await declare(bot, "Self-promotion", user="U1")

    takeover = await bot.slack.command("role commander <@U9>", channel_id=channel, user_id="U9")
    close = await bot.slack.command(CLOSE, channel_id=channel, user_id="U9")

    assert refused(takeover), takeover.body
    assert refused(close, "commander"), close.body
    report = await stored(bot, number)
    assert "commander" not in report.roles and not report.incident.is_closed


# ---- reviewing -------------------------------------------------------------------------------


async def test_only_named_reviewers_approve_or_request_changes(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", user="U1")
    await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )

    for intruder in ("U9", "U1"):  # a bystander, and the author approving their own
        await bot.slack.interactive(
            block_actions_payload(
                "review_approve",
                buttons(request)["review_approve"],
                user_id=intruder,
                channel_id=request.args["channel"],
                response_url=bot.fake.response_url(f"approve-{intruder}"),
            )
        )
        told = await bot.fake.wait_for(
            "response_url", lambda c, who=intruder: c.args["_path"] == f"approve-{who}"
        )
        assert "Only the named reviewers" in told.args["text"]
    changes = await bot.slack.interactive(
        view_submission_payload(
            "review_changes_modal",
            {"comment": {"comment": element_state("plain_text_input", "I say no")}},
            private_metadata=str(request.args["blocks"][1]["elements"][0]["value"]),
            user_id="U9",
        )
    )
    assert changes.json["response_action"] == "errors" and "Only the named reviewers" in (
        json.dumps(changes.json["errors"])
    )
    report = await stored(bot, number)
    assert report.postmortem.status == "in_review"
    assert not [c for c in bot.fake.calls_to("chat.postMessage") if "I say no" in c.args["text"]]

    await click(bot, request, "review_approve", "U8")
    await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.status in ("approved", "published")
    )


async def test_a_bystander_cannot_name_themselves_reviewer_and_approve(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", user="U1")

    named = await bot.slack.command("postmortem reviewers <@U9>", channel_id=channel, user_id="U9")

    assert refused(named), named.body
    assert (await stored(bot, number)).postmortem.reviewers == ("U8",)


async def test_the_author_cannot_become_the_reviewer_of_their_own_postmortem(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", user="U1")

    named = await bot.slack.command("postmortem reviewers <@U1>", channel_id=channel, user_id="U1")

    assert named.json["response_type"] == "ephemeral", named.body
    assert (await stored(bot, number)).postmortem.reviewers == ("U8",)


async def test_a_bystander_cannot_waive_the_postmortem(bot):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", user="U1")

    waived = await bot.slack.command(
        "postmortem waive not needed", channel_id=channel, user_id="U9"
    )

    assert refused(waived), waived.body
    assert (await stored(bot, number)).postmortem.status == "draft"


# ---- the timeline ----------------------------------------------------------------------------


async def test_only_the_author_or_the_commander_changes_an_entry(bot):
    number, channel = await declare(bot, '--at "2021-12-28T10:00Z" Who edits', user="U1")
    await bot.slack.command("note by U2", channel_id=channel, user_id="U2")
    seq = next(e.seq for e in (await stored(bot, number)).timeline if e.text == "by U2")

    for text in (
        f"note edit {seq} hijacked",
        f"note move {seq} 2021-12-28T10:05Z",
        f"note delete {seq}",
    ):
        reply = await bot.slack.command(text, channel_id=channel, user_id="U3")
        assert refused(reply, f"Only the author of #{seq}"), (text, reply.body)
    [entry] = [e for e in (await stored(bot, number)).timeline if e.seq == seq]
    assert (entry.text, entry.deleted_at) == ("by U2", None)

    own = await bot.slack.command(
        f"note edit {seq} by U2, corrected", channel_id=channel, user_id="U2"
    )
    assert own.json["response_type"] == "in_channel", own.body
    await bot.slack.command("role commander <@U4>", channel_id=channel, user_id="U1")
    commander = await bot.slack.command(f"note delete {seq}", channel_id=channel, user_id="U4")
    assert commander.json["response_type"] == "in_channel", commander.body
    report = await stored(bot, number)
    assert seq not in [e.seq for e in report.timeline]
    assert [e.text for e in report.removed] == ["by U2, corrected"]


# ---- from another channel --------------------------------------------------------------------

ELSEWHERE = [
    "note from elsewhere",
    "note 10:42 from elsewhere",
    "status resolved",
    "sev 1",
    "mark mitigated done",
    "role commander <@U9>",
    "role",
    "timeline",
    "note edit 1 rewritten",
    "note move 1 10:00",
    "note delete 1",
    "close",
    CLOSE,
    "postmortem",
    "postmortem ready",
    "postmortem author <@U9>",
    "postmortem reviewers <@U9>",
    "postmortem waive not needed",
    "retro held",
    "action add Something",
    "action",
]


@pytest.mark.parametrize("text", ELSEWHERE)
async def test_commands_outside_an_incident_channel_act_on_no_incident(bot, text):
    number, channel = await declare(bot, "Over there", user="U1")
    before, report = await counts(bot), await stored(bot, number)
    bot.fake.clear()

    reply = await bot.slack.command(text, channel_id="CRANDOM", user_id="U1")

    assert refused(reply, "isn't an incident channel"), reply.body
    assert await counts(bot) == before
    after = await stored(bot, number)
    assert (after.incident, after.roles, after.timeline) == (
        report.incident,
        report.roles,
        report.timeline,
    )
    # Nothing was posted, updated, opened or invited anywhere (a profile lookup is harmless).
    assert [c.method for c in bot.fake.calls if c.method not in ("users.info", "auth.test")] == []
