"""Effects after commit (issue 10, cases 4, 5 and 6): every Slack effect that follows a committed
change is an outbox row, delivered at once, retried until done, and done exactly once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from aiohttp import web

from bot.domain.policy import Policy
from bot.services import outbox
from tests.support.clock import FakeClock
from tests.support.fake_slack import round_trips
from tests.support.flows import count_incidents, declare, eventually, stored
from tests.support.review import CLOSE, buttons, click, closed_with_draft, dms, review_policy

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)


def fast_policy(**review) -> Policy:
    """Retries in steps of one second (the poll interval is the backoff's step)."""
    return Policy.from_mapping(
        {"reminders": {"business_days": False, "poll_interval": "1s"}, "review": review}
    )


def posts_to(bot, channel: str, fragment: str = "") -> list:
    return [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and fragment in (c.args.get("text") or "")
    ]


def in_slack(bot, channel: str, fragment: str) -> list[dict]:
    """Messages Slack really holds in a channel (not calls: a failed call posts nothing)."""
    return [
        m
        for (ch, _), m in bot.fake.messages.items()
        if ch == channel and fragment in (m.get("text") or "")
    ]


async def effects(bot, *states: str):
    rows = await outbox.listing(
        uow=bot.runtime.deps.storage.uow(),
        states=states or ("pending", "sending", "sent", "failed"),
    )
    return [effect for effect, _ in rows]


# ---- case 4: publication -------------------------------------------------------------------


@pytest.mark.parametrize("policy", [review_policy()])
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_publication_refused_not_in_channel_is_retried_and_published_once(any_db_bot, clock):
    bot = any_db_bot
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    refusing = {"on": True}
    post = bot.fake.handlers["chat.postMessage"]
    bot.fake.handlers["chat.postMessage"] = lambda a: (
        {"ok": False, "error": "not_in_channel"}
        if refusing["on"] and a.get("channel") == "CPUBLIC"
        else post(a)
    )
    await bot.slack.command("postmortem ready", channel_id=channel)
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    await click(bot, request, "review_approve", "U8")

    # A person hears what to do, in the incident channel, with a way to retry.
    notice = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "not_in_channel" in (c.args.get("text") or "")
    )
    assert notice.args["channel"] == channel
    assert "<#CPUBLIC>" in notice.args["text"] and "/invite" in notice.args["text"]
    assert "review_approve" not in buttons(notice) and "outbox_retry" in buttons(notice)
    assert (await stored(bot, number)).postmortem.status == "approved"
    shown = await bot.slack.command("postmortem", channel_id=channel)
    assert re.search(r"publication failed: `not_in_channel`, retrying <!date", shown.json["text"])

    refusing["on"] = False  # someone invited the bot
    clock.advance(hours=2)
    assert await bot.runtime.outbox.tick() == 1
    assert await bot.runtime.outbox.tick() == 0
    report = await stored(bot, number)
    assert report.postmortem.status == "published" and report.postmortem.publish_ts
    assert len(in_slack(bot, "CPUBLIC", "")) == 1  # published exactly once
    assert len(in_slack(bot, channel, "Thank you")) == 1


@pytest.mark.parametrize("policy", [review_policy()])
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_the_retry_button_publishes_a_stuck_postmortem_at_once(bot, clock):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    bot.fake.fail("chat.postMessage", error="not_in_channel", times=None)
    await bot.slack.command("postmortem ready", channel_id=channel)
    bot.fake.rules.clear()
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    bot.fake.fail("chat.postMessage", error="not_in_channel", times=1)
    await click(bot, request, "review_approve", "U8")
    notice = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "not_in_channel" in (c.args.get("text") or "")
    )

    await click(bot, notice, "outbox_retry", "U1")

    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem.status == "published"
    )
    assert report.postmortem.publish_ts
    assert len(in_slack(bot, "CPUBLIC", "")) == 1


@pytest.mark.parametrize("policy", [review_policy()])
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_a_stranger_cannot_press_retry(bot, clock):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    await bot.slack.command("postmortem ready", channel_id=channel)
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    bot.fake.fail("chat.postMessage", error="not_in_channel", times=1)
    await click(bot, request, "review_approve", "U8")
    notice = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "not_in_channel" in (c.args.get("text") or "")
    )

    await click(bot, notice, "outbox_retry", "U99")  # in no channel of the incident

    told = await bot.fake.wait_for(
        "response_url", lambda c: "can ask me to try again" in c.args.get("text", "")
    )
    assert told.args["response_type"] == "ephemeral"
    assert (await stored(bot, number)).postmortem.status == "approved"


@pytest.mark.parametrize("policy", [review_policy()])
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_publishing_twice_is_a_no_op(bot, clock):
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
    await bot.slack.command("postmortem ready", channel_id=channel)
    request = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    await click(bot, request, "review_approve", "U8")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "published")
    [publication] = [e for e in await effects(bot) if e.kind == "publication"]

    # Asked again (a retry, a second process): nothing more happens.
    await outbox.retry_now(
        uow=bot.runtime.deps.storage.uow(),
        incident_id=publication.subject_id,
        kind="publication",
        now=clock(),
    )
    assert await bot.runtime.outbox.tick() == 0  # a sent effect is not retried
    assert len(in_slack(bot, "CPUBLIC", "")) == 1


# ---- retries --------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [fast_policy()])
async def test_server_errors_on_the_outcome_post_are_retried_with_backoff(bot):
    number, channel = await declare(bot, "Flaky Slack")
    refuse_posts(bot, "closed", times=2, status=500)

    await bot.slack.command(CLOSE, channel_id=channel)

    await eventually(lambda: _async(in_slack(bot, channel, "closed")), bool, timeout=10)
    tries = [c.at for c in bot.fake.calls_to("chat.postMessage") if "closed" in c.args["text"]]
    assert len(tries) == 3
    assert tries[1] - tries[0] >= 0.95 and tries[2] - tries[1] >= 1.95  # 1 s, then 2 s
    assert len(in_slack(bot, channel, "closed")) == 1


@pytest.mark.parametrize("policy", [fast_policy()])
async def test_a_retry_that_cannot_read_the_channel_back_posts_all_the_same(bot):
    """A DM without im:history, a publish channel reached only by chat:write.public: the
    retry can't look for its earlier try, so it posts (and says so in the log), not fails."""
    number, channel = await declare(bot, "Unreadable history")
    refuse_posts(bot, "closed", times=1, status=500)
    bot.fake.fail("conversations.history", error="missing_scope", times=None)

    await bot.slack.command(CLOSE, channel_id=channel)

    await eventually(lambda: _async(in_slack(bot, channel, "closed")), bool, timeout=10)
    assert bot.fake.calls_to("conversations.history")  # it did try to look first
    assert len(in_slack(bot, channel, "closed")) == 1


@pytest.mark.parametrize("policy", [fast_policy()])
async def test_a_rate_limited_post_waits_for_retry_after(bot):
    number, channel = await declare(bot, "Rate limited close")
    refuse_posts(bot, "closed", times=1, status=429, retry_after=3)

    await bot.slack.command(CLOSE, channel_id=channel)

    await eventually(lambda: _async(in_slack(bot, channel, "closed")), bool, timeout=10)
    tries = [c.at for c in bot.fake.calls_to("chat.postMessage") if "closed" in c.args["text"]]
    assert len(tries) == 2 and tries[1] - tries[0] >= 2.95  # Retry-After, not the 1 s backoff


async def _async(value):
    return value


def refuse_posts(bot, fragment: str, times: int, status: int, retry_after: int | None = None):
    """The next `times` posts whose text holds `fragment` get HTTP `status` (and Slack does not
    post them); other posts go through."""
    original, left = bot.fake.handlers["chat.postMessage"], [times]
    error = web.HTTPTooManyRequests if status == 429 else web.HTTPInternalServerError
    body = '{"ok": false, "error": "%s"}' % ("ratelimited" if status == 429 else "internal_error")

    def handler(args):
        if left[0] and fragment in (args.get("text") or ""):
            left[0] -= 1
            headers = {"Retry-After": str(retry_after)} if retry_after else None
            raise error(headers=headers, text=body, content_type="application/json")
        return original(args)

    bot.fake.handlers["chat.postMessage"] = handler


# ---- case 6: start --------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [fast_policy()])
async def test_a_rate_limited_start_is_resumed_not_declared_twice(bot):
    bot.fake.fail_http("conversations.create", status=429, retry_after=1, times=3)

    reply = await bot.slack.command("start Stubbornly rate limited")
    assert "INC-1" in reply.json["text"]
    told = await bot.fake.wait_for(
        "response_url", lambda c: "rate-limiting" in c.args.get("text", "")
    )
    assert "no need to declare it again" in told.args["text"]
    # The person declares again anyway: the same incident, resumed.
    again = await bot.slack.command("start Stubbornly rate limited")
    assert "INC-1" in again.json["text"]

    done = await bot.fake.wait_for(
        "response_url", lambda c: "<#C" in c.args.get("text", ""), timeout=15
    )
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    assert await count_incidents(bot) == 1
    ours = [c for c in bot.fake.channels.values() if c["name"].startswith("inc-1-")]
    assert [c["id"] for c in ours] == [channel]  # one channel
    report = await stored(bot, 1)
    assert report.incident.channel_id == channel and report.incident.summary_ts
    assert (channel, report.incident.summary_ts) in bot.fake.pins
    assert "U1" in bot.fake.channels[channel]["members"]


@pytest.mark.parametrize("policy", [fast_policy()])
async def test_a_start_whose_create_reached_slack_adopts_that_channel(bot):
    """The create's answer was lost (a 502 after Slack made it): the retry finds the channel by
    its name instead of making inc-1-…-2."""
    original = bot.fake.handlers["conversations.create"]

    def lost_answer(args):
        bot.fake.handlers["conversations.create"] = original
        original(args)
        return {"ok": False, "error": "internal_error"}

    bot.fake.handlers["conversations.create"] = lost_answer
    await bot.slack.command("start Answer lost")

    done = await bot.fake.wait_for(
        "response_url", lambda c: "<#C" in c.args.get("text", ""), timeout=10
    )
    channel = re.search(r"<#(C\w+)>", done.args["text"]).group(1)
    assert [c["name"] for c in bot.fake.channels.values()] == ["inc-1-answer-lost"]
    assert bot.fake.channels[channel]["name"] == "inc-1-answer-lost"
    assert len(in_slack(bot, channel, "INC-1")) == 1  # one summary


# ---- round trips (Slack answering every call after a delay) ---------------------------------
# The chains are read from the fake's timestamps among the calls on the flow's own path (other
# effects run beside it; on a busy machine their calls would make the chain look longer).

DELAY = 0.15


async def test_start_needs_at_most_three_sequential_round_trips(bot):
    await bot.slack.command("help")  # Bolt asks auth.test once, at the first request
    bot.fake.delay("*", DELAY)
    bot.fake.clear()
    await bot.slack.command("start Counting round trips")
    told = await bot.fake.wait_for("response_url", lambda c: "<#C" in c.args.get("text", ""))
    pin = await bot.fake.wait_for("pins.add")
    assert max(round_trips(bot.fake.calls, told), round_trips(bot.fake.calls, pin)) <= 3


async def test_close_shares_the_draft_within_four_round_trips(bot):
    number, channel = await declare(bot, "Counting close")
    bot.fake.delay("*", 2 * DELAY)  # a margin for a busy machine: the chain is read by time
    bot.fake.clear()
    await bot.slack.command(CLOSE, channel_id=channel)
    draft = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "postmortem draft" in (c.args.get("text") or "")
    )
    retro = ("files.getUploadURLExternal", "upload", "files.completeUploadExternal")
    path = [c for c in bot.fake.calls if c.method not in retro]  # the .ics goes its own way
    assert round_trips(path, draft) <= 4


@pytest.mark.parametrize("policy", [review_policy()])
@pytest.mark.parametrize("clock", [FakeClock(START)])
async def test_ready_asks_every_reviewer_within_two_round_trips(bot, clock):
    reviewers = ("U5", "U6", "U7", "U8")
    _, channel, _ = await closed_with_draft(bot, reviewers=" ".join(f"<@{r}>" for r in reviewers))
    bot.fake.delay("*", DELAY)
    bot.fake.clear()
    await bot.slack.command("postmortem ready", channel_id=channel)
    await eventually(
        lambda: _async([c for r in reviewers for c in dms(bot, r)]), lambda a: len(a) == 4
    )
    asks = [c for r in reviewers for c in dms(bot, r)]
    path = [
        c
        for c in bot.fake.calls
        if (c.method == "conversations.open" and c.args.get("users") in reviewers) or c in asks
    ]
    assert max(round_trips(path, c) for c in asks) <= 2
