"""Private incidents (issue 11) through the front door: `/incident start --private` makes a
private channel, and nothing about the incident is said outside it — no channel post at the
start, nothing in the digest or an escalation channel, its postmortem published only where the
policy allows — while people outside its channel can't act on it from anywhere."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from bot.domain.policy import Policy
from bot.export import to_json
from tests.support.clock import FakeClock
from tests.support.flows import count_incidents, declare, eventually, stored
from tests.support.review import CLOSE, buttons, click, dms, write_required
from tests.support.slack_requests import (
    block_actions_payload,
    element_state,
    view_submission_payload,
)

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)  # a Monday
SECRET = "Leaked deploy keys"


def policy_with(review: dict | None = None, **reminders) -> Policy:
    """Plain calendar days, retries in steps of a second, and the given review section."""
    rules = {"business_days": False, "poll_interval": "1s", **reminders}
    return Policy.from_mapping({"reminders": rules, "review": review or {}})


def anywhere(bot, fragment: str) -> list:
    """Every message the bot posted (or updated) that mentions `fragment`, wherever it went."""
    return [
        c
        for c in bot.fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral", "chat.update")
        and fragment in json.dumps(c.args, ensure_ascii=False)
    ]


def channels_of(calls) -> set[str]:
    return {c.args["channel"] for c in calls}


def posted_in(bot, channel: str, fragment: str = "") -> list:
    return [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.args["channel"] == channel and fragment in (c.args.get("text") or "")
    ]


async def private_with_draft(bot, *, reviewers: str = "<@U8>", user: str = "U1"):
    """A private incident declared by `user` in #general and closed with a draft."""
    number, channel = await declare(bot, f"--private --sev 2 {SECRET}", user=user)
    reply = await bot.slack.command(
        f"{CLOSE} --reviewers {reviewers}", channel_id=channel, user_id=user
    )
    assert reply.status == 200, reply.body
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem and r.postmortem.doc_id)
    written = await write_required(bot.runtime.deps.storage, number)  # ready for review
    return number, channel, written


async def approved(bot, number: int, channel: str) -> None:
    """The author asks for review, U8 approves: the publication follows."""
    await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    await click(bot, request, "review_approve", "U8")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "published")


# ---- the start ----------------------------------------------------------------------------


async def test_start_private_creates_a_private_channel_and_invites_the_declarer(bot):
    reply = await bot.slack.command(f"start --private {SECRET}", user_id="U7", channel_id="CGEN")

    assert reply.json["response_type"] == "ephemeral" and "INC-1" in reply.json["text"]
    created = await bot.fake.wait_for("conversations.create")
    assert created.args["is_private"] in (True, "true", "1")
    assert created.args["name"] == "inc-1-leaked-deploy-keys"
    told = await bot.fake.wait_for("response_url", lambda c: "<#C" in c.args.get("text", ""))
    channel = re.search(r"<#(C\w+)>", told.args["text"]).group(1)
    assert told.args["response_type"] == "ephemeral"  # only the declarer hears it
    assert "private" in told.args["text"]
    assert bot.fake.channels[channel]["is_private"] is True
    invite = bot.fake.calls_to("conversations.invite")[0]
    assert (invite.args["channel"], invite.args["users"]) == (channel, "U7")
    await bot.fake.wait_for("pins.add")

    report = await stored(bot, 1)
    assert report.incident.private is True and report.incident.channel_id == channel
    assert to_json(report)["incident"]["private"] is True  # the export says so too
    summary = posted_in(bot, channel)[0]
    assert "Private" in json.dumps(summary.args["blocks"])  # the channel says what it is
    # Nothing was said in the channel it was declared in, nor anywhere but its own channel.
    assert channels_of(anywhere(bot, "INC-1")) == {channel}
    assert channels_of(anywhere(bot, SECRET)) == {channel}


async def test_a_public_start_still_makes_a_public_channel(bot):
    _, channel = await declare(bot, "Kafka brokers down")
    assert bot.fake.calls_to("conversations.create")[0].args["is_private"] in (False, "false", "0")
    assert bot.fake.channels[channel]["is_private"] is False
    assert (await stored(bot, 1)).incident.private is False


@pytest.mark.parametrize("policy", [policy_with()])
async def test_a_set_up_retried_after_a_slack_failure_still_makes_it_private(bot):
    bot.fake.fail_http("conversations.create", status=500, times=2)

    await bot.slack.command(f"start --private {SECRET}", user_id="U7")

    done = await bot.fake.wait_for(
        "response_url", lambda c: "<#C" in c.args.get("text", ""), timeout=15
    )
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    creates = bot.fake.calls_to("conversations.create")
    assert len(creates) == 3
    assert all(c.args["is_private"] in (True, "true", "1") for c in creates)
    assert bot.fake.channels[channel]["is_private"] is True
    assert "U7" in bot.fake.channels[channel]["members"]


@pytest.mark.parametrize("policy", [policy_with()])
async def test_a_private_create_whose_answer_was_lost_adopts_that_private_channel(bot):
    """The create reached Slack but its answer was lost: the retry finds the channel among the
    private ones (a search of public channels never would) instead of making a second one."""
    original = bot.fake.handlers["conversations.create"]

    def lost_answer(args):
        bot.fake.handlers["conversations.create"] = original
        original(args)
        return {"ok": False, "error": "internal_error"}

    bot.fake.handlers["conversations.create"] = lost_answer
    await bot.slack.command(f"start --private {SECRET}")

    done = await bot.fake.wait_for(
        "response_url", lambda c: "<#C" in c.args.get("text", ""), timeout=10
    )
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    assert [c["name"] for c in bot.fake.channels.values()] == ["inc-1-leaked-deploy-keys"]
    assert bot.fake.channels[channel]["is_private"] is True
    listed = bot.fake.calls_to("conversations.list")
    assert listed and all("private_channel" in c.args["types"] for c in listed)


@pytest.mark.parametrize("policy", [policy_with()])
async def test_declaring_a_held_up_private_start_again_resumes_it_still_private(bot):
    bot.fake.fail_http("conversations.create", status=429, retry_after=1, times=3)
    await bot.slack.command(f"start --private {SECRET}")
    await bot.fake.wait_for("response_url", lambda c: "rate-limiting" in c.args.get("text", ""))

    again = await bot.slack.command(f"start --private {SECRET}")

    assert "INC-1" in again.json["text"] and await count_incidents(bot) == 1
    done = await bot.fake.wait_for(
        "response_url", lambda c: "<#C" in c.args.get("text", ""), timeout=15
    )
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    assert bot.fake.channels[channel]["is_private"] is True


# ---- what is said outside its channel -------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        policy_with(
            {"publish_channel": "CPUBLIC"},
            digest={"channel": "CDIGEST", "every": "7d"},
            poll_interval="1h",
        )
    ],
)
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_the_digest_never_names_a_private_incident(bot, clock):
    await bot.runtime.nudges.tick()  # the first digest, at start
    public, public_channel = await declare(bot, "--sev 2 Kafka brokers down", user="U2")
    await bot.slack.command(f"{CLOSE} --reviewers <@U8>", channel_id=public_channel, user_id="U2")
    number, channel, _ = await private_with_draft(bot)
    added = await bot.slack.command(
        "action add Rotate every key --owner <@U5> --due 1d", channel_id=channel
    )
    assert "#1" in added.json["text"]
    await eventually(lambda: stored(bot, public), lambda r: r.postmortem is not None)
    clock.advance(days=7, seconds=1)

    await bot.runtime.nudges.tick()

    digest = posted_in(bot, "CDIGEST")[-1].args["text"]
    assert f"INC-{public}* Kafka brokers down" in digest  # the digest still works…
    assert f"INC-{number}" not in digest and SECRET not in digest  # …without the private one
    assert "Rotate every key" not in digest and "Overdue" not in digest
    assert channels_of(anywhere(bot, SECRET)) <= {channel, *bot.fake.dms.values()}


@pytest.mark.parametrize(
    "policy",
    [
        Policy.from_mapping(
            {
                "reminders": {
                    "business_days": False,
                    "poll_interval": "1h",
                    "reviewer": {"after": "1d", "every": "1d"},
                },
                "review": {"publish_channel": "CPUBLIC", "escalation_channel": "CESCAL"},
            }
        )
    ],
)
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_a_private_incidents_escalation_goes_to_its_commander_not_the_channel(bot, clock):
    number, channel, _ = await private_with_draft(bot)  # its commander: U1, who declared it
    await bot.slack.command("retro held", channel_id=channel)
    await bot.slack.command("postmortem ready", channel_id=channel)
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")
    for _ in range(6):  # three reminders go unanswered; the fourth escalates
        clock.advance(days=1, seconds=1)
        await bot.runtime.nudges.tick()

    [escalation] = [c for c in dms(bot, "U1") if "waiting on" in c.args["text"]]
    assert "<@U8>" in escalation.args["text"]
    assert posted_in(bot, "CESCAL") == []


@pytest.mark.parametrize("policy", [policy_with({"publish_channel": "CPUBLIC"}, poll_interval="1h")])
async def test_a_private_postmortem_is_published_in_its_own_channel_only_by_default(bot):
    number, channel, _ = await private_with_draft(bot)

    await approved(bot, number, channel)

    published = await bot.fake.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == channel and "feedback_helpful" in buttons(c),
    )
    assert (await stored(bot, number)).postmortem.publish_ts
    assert posted_in(bot, "CPUBLIC") == []  # the company-wide share is skipped…
    why = await bot.fake.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == bot.fake.dms.get("U1") and "private" in c.args["text"],
    )
    assert "review.private_publish_channel" in why.args["text"]  # …and its author hears why
    assert channels_of(anywhere(bot, SECRET)) <= {channel, *bot.fake.dms.values()}
    assert SECRET in json.dumps(published.args["blocks"])


@pytest.mark.parametrize(
    "policy",
    [
        policy_with(
            {"publish_channel": "CPUBLIC", "private_publish_channel": "CSECRETPM"},
            poll_interval="1h",
        )
    ],
)
async def test_a_private_postmortem_goes_to_the_policys_private_publish_channel(bot):
    number, channel, _ = await private_with_draft(bot)

    await approved(bot, number, channel)

    published = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "CSECRETPM"
    )
    assert SECRET in json.dumps(published.args["blocks"])
    assert posted_in(bot, "CPUBLIC") == []
    thanks = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == channel and "Thank you" in c.args["text"]
    )
    assert "<#CSECRETPM>" in thanks.args["text"]
    assert not [c for c in dms(bot, "U1") if "private_publish_channel" in c.args["text"]]


# ---- who may act on it, from anywhere --------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        policy_with(
            {"publish_channel": "CPUBLIC", "private_publish_channel": "CSECRETPM"},
            poll_interval="1h",
        )
    ],
)
async def test_outside_its_channels_nobody_reads_or_answers_a_private_postmortem(bot):
    number, channel, pm = await private_with_draft(bot)
    await approved(bot, number, channel)
    published = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "CSECRETPM"
    )
    bot.fake.join("CSECRETPM", "U6")  # a reader of the private publish channel
    bot.fake.clear()

    # A stranger (in neither channel) presses its buttons from #general: refused.
    for action in ("feedback_helpful", "feedback_comment"):
        await bot.slack.interactive(
            block_actions_payload(
                action,
                str(pm.id),
                user_id="U9",
                channel_id="CGENERAL",
                response_url=bot.fake.response_url(f"stranger-{action}"),
                trigger_id=f"tr.{action}",
            )
        )
        told = await bot.fake.wait_for(
            "response_url", lambda c, a=action: c.args["_path"] == f"stranger-{a}"
        )
        assert "private" in told.args["text"], told.args
        assert SECRET not in told.args["text"]
    assert bot.fake.calls_to("views.open") == []  # no feedback form, with its title, opened
    await bot.slack.interactive(
        view_submission_payload(
            "feedback_modal",
            {"text": {"text": element_state("plain_text_input", "a forged form")}},
            private_metadata=str(pm.id),
            user_id="U9",
        )
    )
    # A reader of the channel it was published in, and a member of its own, may.
    await click(bot, published, "feedback_helpful", "U6")
    await click(bot, published, "feedback_comment", "U1", trigger_id="tr.member")
    await bot.fake.wait_for("views.open", lambda c: c.args["trigger_id"] == "tr.member")
    report = await eventually(lambda: stored(bot, number), lambda r: r.feedback)
    assert [(f.user_id, f.kind) for f in report.feedback] == [("U6", "helpful")]
    assert not [c for c in dms(bot, "U1") if "a forged form" in (c.args.get("text") or "")]


async def test_a_stranger_cant_mark_a_private_incidents_action_item_done(bot):
    number, channel = await declare(bot, f"--private {SECRET}", user="U1")
    await bot.slack.command("action add Rotate every key --owner <@U5>", channel_id=channel)
    bot.fake.join(channel, "U5")  # the owner is one of its people

    async def mark_done(user: str):
        await bot.slack.interactive(
            block_actions_payload(
                "action_done",
                f"{channel}:1",
                user_id=user,
                channel_id="CGENERAL",
                response_url=bot.fake.response_url(f"done-{user}"),
            )
        )
        return await bot.fake.wait_for(
            "response_url", lambda c: c.args["_path"] == f"done-{user}"
        )

    refused = await mark_done("U9")  # a forged button, from a channel of its own
    assert "Only people in the incident channel" in refused.args["text"]
    assert (await stored(bot, number)).actions[0].state == "open"
    done = await mark_done("U5")
    assert "Marked done" in done.args["text"]
    assert (await stored(bot, number)).actions[0].state == "done"


async def test_a_stranger_cant_edit_a_private_postmortem_from_another_channel(bot):
    number, channel, pm = await private_with_draft(bot)
    meta = {"pm": pm.id, "section": "summary", "version": 0, "joiners": []}
    await bot.slack.interactive(
        block_actions_payload(
            "postmortem_edit", str(pm.id), user_id="U9", channel_id="CGENERAL",
            response_url=bot.fake.response_url("edit"),
        )
    )
    await bot.slack.interactive(
        view_submission_payload(
            "postmortem_edit_section",
            {"text_0": {"text_0": element_state("plain_text_input", "Overwritten")}},
            private_metadata=json.dumps(meta),
            user_id="U9",
        )
    )
    told = await bot.fake.wait_for("response_url", lambda c: c.args["_path"] == "edit")
    assert "Only people in the incident channel" in told.args["text"]
    assert bot.fake.calls_to("views.open") == []
    after = (await stored(bot, number)).postmortem.sections
    assert after.get("summary") == pm.sections.get("summary") != "Overwritten"


# ---- in Japanese, and in the help -------------------------------------------------------------


@pytest.mark.parametrize("policy", [Policy.from_mapping({"locale": "ja"})])
async def test_start_private_in_a_japanese_workspace(bot):
    reply = await bot.slack.command("start --private 認証情報の漏えい", user_id="U7")
    assert reply.json["text"] == "*INC-1* を宣言しています… チャンネルを準備中です。"
    told = await bot.fake.wait_for("response_url", lambda c: "<#C" in c.args.get("text", ""))
    assert re.fullmatch(
        r"\*INC-1\* を非公開で宣言しました: 認証情報の漏えい → <#C\w+>（.+）", told.args["text"]
    )
    created = bot.fake.calls_to("conversations.create")[0]
    assert created.args["is_private"] in (True, "true", "1")
    assert created.args["name"] == "inc-1-認証情報の漏えい"
    help_text = (await bot.slack.command("help start")).json["text"]
    assert "--private" in help_text and "非公開" in help_text


async def test_the_help_lists_the_private_flag(bot):
    body = (await bot.slack.command("help")).json["text"]
    assert "/incident start --private <title>" in body
    assert "private" in (await bot.slack.command("help start")).json["text"]
