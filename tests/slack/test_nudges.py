"""Nudges arrive once, on time, in working hours: the scheduler, restarts, two processes,
time zones, Slack failures and the weekly digest."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.policy import Policy
from bot.services.reminders import listing
from tests.conftest import SIGNING_SECRET, start_bot
from tests.support.clock import FakeClock
from tests.support.flows import eventually, stored
from tests.support.review import click, closed_with_draft, dms, review_policy
from tests.support.slack_requests import SlackClient

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)  # a Monday


async def planned(runtime, states=("pending", "sent", "failed", "cancelled")):
    return [r for r, _ in await listing(uow=runtime.deps.storage.uow(), states=states)]


class Twin:
    """A bot process built by hand (for restarts and two processes)."""

    def __init__(self, runtime, runner, base, fake):
        self.runtime, self.runner, self.fake = runtime, runner, fake
        self.slack = SlackClient(
            None,
            f"{base}/slack/events",
            SIGNING_SECRET,
            response_url=fake.response_url,
            check=fake.check,
        )

    @classmethod
    async def start(cls, url, fake, policy, clock):
        return cls(*await start_bot(url, fake, policy, clock), fake)

    async def stop(self):
        await self.slack.close()
        await self.runner.cleanup()
        await self.runtime.aclose()


@pytest.mark.parametrize(
    "policy", [review_policy(author={"after": "1s", "every": "1h"}, poll_interval="1s")]
)
async def test_the_scheduler_sends_due_nudges_by_itself(bot):
    await closed_with_draft(bot)
    nudge = await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U1"), timeout=10
    )
    assert "still a draft" in nudge.args["text"]
    assert bot.fake.calls_to("conversations.open")[0].args["users"] == "U1"


async def test_a_nudge_due_while_the_bot_was_down_is_sent_once_at_start(sqlite_url, fake_slack):
    clock = FakeClock(START)
    policy = review_policy(author={"after": "2d", "every": "2d"})
    first = await Twin.start(sqlite_url, fake_slack, policy, clock)
    await closed_with_draft(first)
    await first.stop()

    clock.advance(days=7)  # three periods missed while down
    second = await Twin.start(sqlite_url, fake_slack, policy, clock)
    try:
        await fake_slack.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == fake_slack.dms.get("U1")
        )
        assert await second.runtime.nudges.tick() == 0
        assert len(dms(second, "U1")) == 1
        [next_one] = [r for r in await planned(second.runtime, ("pending",)) if r.kind == "author"]
        assert next_one.due_at == clock.now + timedelta(days=2)  # planned from now, not from then
    finally:
        await second.stop()


@pytest.mark.postgres
async def test_two_processes_send_every_nudge_and_digest_once(postgres_url, fake_slack):
    clock = FakeClock(START)
    policy = Policy.from_mapping(
        {
            "reminders": {
                "business_days": False,
                "poll_interval": "1h",
                "author": {"after": "2d", "every": "2d"},
                "digest": {"channel": "CDIGEST", "every": "7d"},
            }
        }
    )
    a = await Twin.start(postgres_url, fake_slack, policy, clock)
    b = await Twin.start(postgres_url, fake_slack, policy, clock)
    try:
        for title in ("One", "Two", "Three"):
            await closed_with_draft(a, title=title)
        clock.advance(days=2, seconds=1)
        counts = await asyncio.gather(*(p.runtime.nudges.tick() for p in (a, b, a, b)))
        assert sum(counts) == 3
        assert len(dms(a, "U1")) == 3
        digests = [
            c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "CDIGEST"
        ]
        assert len(digests) == 1
    finally:
        await a.stop()
        await b.stop()


class TestWorkingHours:
    @pytest.fixture
    def clock(self):
        return FakeClock(datetime(2021, 12, 23, 8, 30, tzinfo=UTC))  # Thu 17:30 in Tokyo

    @pytest.fixture
    def policy(self):
        return Policy.from_mapping(
            {
                "display_timezone": "Asia/Tokyo",
                "reminders": {
                    "business_days": True,
                    "poll_interval": "1h",
                    "author": {"after": "1d", "every": "2d"},
                },
            }
        )

    async def test_a_nudge_waits_for_the_recipients_working_hours(self, bot, clock):
        bot.fake.users["U1"] = {"tz": "America/Los_Angeles", "name": "sam"}
        await closed_with_draft(bot)
        [author] = [r for r in await planned(bot.runtime, ("pending",)) if r.kind == "author"]
        assert author.due_at == datetime(2021, 12, 24, 8, 30, tzinfo=UTC)  # Fri 17:30 in Tokyo

        clock.now = datetime(2021, 12, 24, 8, 31, tzinfo=UTC)  # Fri 00:31 in Los Angeles
        assert await bot.runtime.nudges.tick() == 0
        [author] = [r for r in await planned(bot.runtime, ("pending",)) if r.kind == "author"]
        assert author.due_at == datetime(2021, 12, 24, 18, 0, tzinfo=UTC)  # Fri 10:00 in LA

        clock.now = datetime(2021, 12, 24, 18, 0, 30, tzinfo=UTC)
        assert await bot.runtime.nudges.tick() == 1
        assert len(dms(bot, "U1")) == 1


class TestSlackFailures:
    @pytest.fixture
    def clock(self):
        return FakeClock(START)

    @pytest.fixture
    def policy(self):
        return review_policy(author={"after": "1d", "every": "7d"})

    async def test_rate_limits_are_waited_out_and_a_departed_user_is_recorded(self, bot, clock):
        await closed_with_draft(bot, user="U1", title="One")
        await closed_with_draft(bot, user="U2", title="Two")
        default_open = bot.fake.handlers["conversations.open"]
        bot.fake.handlers["conversations.open"] = lambda a: (
            {"ok": False, "error": "user_not_found"} if a["users"] == "U2" else default_open(a)
        )
        bot.fake.fail_http("chat.postMessage", status=429, retry_after=120, times=1)

        clock.advance(days=1, seconds=1)
        assert await bot.runtime.nudges.tick() == 2  # both claimed; neither crashes the tick
        states = {
            r.recipient: (r.state, r.last_error)
            for r in await planned(bot.runtime)
            if r.kind == "author" and r.seq == 1
        }
        assert states == {"U1": ("pending", "ratelimited"), "U2": ("failed", "user_not_found")}
        [retry] = [
            r
            for r in await planned(bot.runtime, ("pending",))
            if r.recipient == "U1" and r.seq == 1
        ]
        assert retry.due_at == clock.now + timedelta(seconds=120)  # Slack's Retry-After

        clock.advance(seconds=60)
        assert await bot.runtime.nudges.tick() == 0  # not before Retry-After
        clock.advance(seconds=61)
        assert await bot.runtime.nudges.tick() == 1
        assert len(dms(bot, "U1")) == 2  # the one Slack refused with 429, then the one it took
        [first] = [r for r in await planned(bot.runtime) if r.recipient == "U1" and r.seq == 1]
        assert (first.state, first.attempts) == ("sent", 2)


class TestDigest:
    @pytest.fixture
    def clock(self):
        return FakeClock(START)

    @pytest.fixture
    def policy(self):
        return Policy.from_mapping(
            {
                "reminders": {
                    "business_days": False,
                    "poll_interval": "1h",
                    "digest": {"channel": "CDIGEST", "every": "7d"},
                }
            }
        )

    async def test_an_approved_postmortem_whose_publication_failed_is_in_the_digest(
        self, bot, clock
    ):
        number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>")
        post = bot.fake.handlers["chat.postMessage"]
        bot.fake.handlers["chat.postMessage"] = lambda a: (
            {"ok": False, "error": "not_in_channel"} if a.get("channel") == channel else post(a)
        )  # the publication (in the incident channel, as no publish_channel is set) fails
        await bot.slack.command("postmortem ready", channel_id=channel)
        request = await bot.fake.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
        )
        await click(bot, request, "review_approve", "U8")
        await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "approved")
        clock.advance(days=7, seconds=1)

        await bot.runtime.nudges.tick()

        digests = [
            c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "CDIGEST"
        ]
        assert "INC-1* Aurora failover — approved since" in digests[-1].args["text"]
        assert "not published yet" in digests[-1].args["text"]

    async def test_the_weekly_digest_lists_what_waits_oldest_first_with_who(self, bot, clock):
        await bot.runtime.nudges.tick()  # the first digest, at start: nothing waits
        first = await bot.fake.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == "CDIGEST"
        )
        assert "nothing is waiting" in first.args["text"]

        await closed_with_draft(bot, user="U1", title="Older")
        clock.advance(days=1)
        _, channel, _ = await closed_with_draft(bot, user="U2", title="Newer")
        await bot.slack.command("postmortem ready", channel_id=channel, user_id="U2")
        await eventually(lambda: stored(bot, 2), lambda r: r.postmortem.status == "in_review")
        clock.advance(days=6, seconds=1)
        assert await bot.runtime.nudges.tick() >= 1
        digests = [
            c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "CDIGEST"
        ]
        assert len(digests) == 2
        text = digests[-1].args["text"]
        assert text.index("INC-1") < text.index("INC-2")
        assert "INC-1* Older — draft" in text and "waiting on <@U1>" in text
        assert "INC-2* Newer — in review" in text and "waiting on <@U8>" in text
