"""Slack misbehaving while the bot works: rate limits, server errors, hang-ups, slowness and
refusals on the calls made by start, note, close, role and capture.

Each test checks the same four things: the request is still acknowledged (200), the person is
told privately what happened, nothing already stored is lost, and the bot keeps serving.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aiohttp import web

from bot.export import to_json
from tests.hardening.helpers import declared_channel, ephemeral_told, incident_number
from tests.slack.test_capture import shortcut_payload
from tests.support.clock import FakeClock
from tests.support.fake_slack import FakeSlack
from tests.support.flows import count_incidents, declare, eventually, reaction, send_event, stored
from tests.support.review import closed_with_draft, dms, review_policy
from tests.support.slack_requests import element_state, view_submission_payload

CLOSE = "close --impact 30m --data-loss no --intervention rollback --detected-by monitoring"
# What the person should read for each of Slack's refusals (a fragment of the sentence).
SAID = {
    "channel_not_found": "no longer exists",
    "not_in_channel": "not a member",
    "is_archived": "archived",
    "user_not_found": "not in this workspace",
}


class HangingUpSlack(FakeSlack):
    """The fake Slack, able to hang up on a call without answering (a dropped connection)."""

    def __init__(self) -> None:
        super().__init__()
        self.hang_ups: dict[str, int] = {}

    def hang_up(self, method: str, times: int = 1) -> None:
        self.hang_ups[method] = times

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if self.hang_ups.get(method):
            self.hang_ups[method] -= 1
            await self._record(method, await self._read_args(request), request)
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError  # nothing is ever written back
        return await super()._api(request)


@pytest.fixture
async def fake_slack():
    async with HangingUpSlack() as fake:
        yield fake


def bad_gateway_once(fake: FakeSlack, method: str, content_type: str) -> None:
    """The next call to `method` gets a 502 page, as from a proxy in front of Slack."""
    original = fake.handlers[method]

    def handler(args):
        fake.handlers[method] = original
        raise web.HTTPBadGateway(
            text="<html><body>502 Bad Gateway</body></html>", content_type=content_type
        )

    fake.handlers[method] = handler


async def arrival(fake: FakeSlack, method: str, nth: int) -> float:
    """When the nth call to `method` arrived (the loop's clock)."""
    await fake.wait_for(method, count=nth, timeout=15)
    return asyncio.get_running_loop().time()


async def told(fake: FakeSlack, fragment: str, *, user: str | None = None, timeout: float = 10):
    """Wait until the bot tells someone, privately, something containing `fragment`."""
    return await eventually(
        lambda: _said(fake, user),
        lambda said: any(fragment in text for text in said),
        timeout=timeout,
    )


async def _said(fake: FakeSlack, user: str | None) -> list[str]:
    return ephemeral_told(fake, user)


async def still_serving(bot) -> None:
    """A fresh incident can be declared and noted in: the bot is fine."""
    bot.fake.rules.clear()
    reply = await bot.slack.command("start Still serving afterwards")
    assert reply.status == 200, reply.body
    number = incident_number(reply)
    channel = await declared_channel(bot.fake, number)
    note = await bot.slack.command("note all good", channel_id=channel)
    assert note.json["response_type"] == "in_channel", note.body


def notes(report) -> list[str]:
    return [e.text for e in report.timeline if e.kind == "note"]


# ---- start -----------------------------------------------------------------------------------


async def test_a_rate_limited_start_waits_for_retry_after_then_declares(bot):
    bot.fake.fail_http("conversations.create", status=429, retry_after=2)
    first = asyncio.create_task(arrival(bot.fake, "conversations.create", 1))
    second = asyncio.create_task(arrival(bot.fake, "conversations.create", 2))
    sent = asyncio.get_running_loop().time()

    reply = await bot.slack.command("start Declared under a rate limit")

    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert asyncio.get_running_loop().time() - sent < 1.5  # the wait is not on the ack path
    assert (await second) - (await first) >= 1.95  # Retry-After: 2 was respected
    channel = await declared_channel(bot.fake, incident_number(reply))
    assert (await stored(bot, 1)).incident.channel_id == channel


async def test_a_start_still_rate_limited_is_explained_then_finished_when_slack_allows(bot):
    bot.fake.fail_http("conversations.create", status=429, retry_after=1, times=3)

    reply = await bot.slack.command("start Stubbornly rate limited")

    assert reply.status == 200
    await told(bot.fake, "rate-limiting")
    # Issue 10, case 6: not withdrawn; the outbox finishes the set-up once Slack lets it.
    channel = await declared_channel(bot.fake, incident_number(reply))
    assert len(bot.fake.calls_to("conversations.create")) == 4  # 3 limited, then created
    assert await count_incidents(bot) == 1
    assert (await stored(bot, 1)).incident.channel_id == channel
    await still_serving(bot)


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_on_start_is_explained_and_leaves_no_half_incident(bot, status):
    bot.fake.fail_http("conversations.create", status=status)

    reply = await bot.slack.command("start Slack has a bad day")

    assert reply.status == 200
    await told(bot.fake, "Slack")
    # Retried later by the outbox, which first looks for a channel an earlier try made.
    assert len(bot.fake.calls_to("conversations.create")) == 1
    assert await count_incidents(bot) == 1  # kept, its set-up owed (not half-built, not lost)
    await still_serving(bot)


@pytest.mark.parametrize("content_type", ["text/html", "text/plain"])
async def test_an_error_page_from_slack_is_explained_in_words(bot, content_type):
    bad_gateway_once(bot.fake, "conversations.create", content_type)

    reply = await bot.slack.command("start Behind a broken proxy")

    assert reply.status == 200
    said = await told(bot.fake, "Slack")
    assert not any("unknown" in text for text in said), said
    assert await count_incidents(bot) == 1  # kept; the outbox finishes its set-up
    await still_serving(bot)


async def test_slack_hanging_up_on_start_is_explained_as_slack_trouble(bot):
    bot.fake.hang_up("conversations.create")

    reply = await bot.slack.command("start Connection dropped")

    assert reply.status == 200
    said = await told(bot.fake, "try again")
    # The person should learn that Slack could not be reached, not "something on my side".
    assert any("Slack" in text for text in said), said
    assert await count_incidents(bot) == 1  # kept; the outbox finishes its set-up
    await still_serving(bot)


async def test_a_slow_slack_never_delays_the_acknowledgement(bot):
    bot.fake.delay("conversations.create", 2.0, times=1)
    sent = asyncio.get_running_loop().time()

    reply = await bot.slack.command("start Slow Slack")

    assert reply.status == 200 and "INC-1" in reply.json["text"]
    assert asyncio.get_running_loop().time() - sent < 1.5  # well before the 2 s Slack takes
    channel = await declared_channel(bot.fake, 1)
    assert (await stored(bot, 1)).incident.channel_id == channel


async def test_an_invite_refused_after_the_channel_exists_keeps_the_incident_usable(bot):
    bot.fake.fail("conversations.invite", error="user_not_found")

    reply = await bot.slack.command("start Invite refused")

    assert reply.status == 200
    await told(bot.fake, SAID["user_not_found"])
    report = await stored(bot, 1)
    assert report.incident.channel_id is not None  # the channel is the incident's, even so
    note = await bot.slack.command("note noted anyway", channel_id=report.incident.channel_id)
    assert note.json["response_type"] == "in_channel"
    assert notes(await stored(bot, 1)) == ["noted anyway"]


# ---- note ------------------------------------------------------------------------------------


async def test_a_note_is_stored_and_echoed_while_slack_is_down(bot):
    number, channel = await declare(bot, "Slack itself is down")
    bot.fake.fail_http("*", status=500, times=None)

    reply = await bot.slack.command("note still writing things down", channel_id=channel)

    assert reply.status == 200 and reply.json["response_type"] == "in_channel"
    assert notes(await stored(bot, number)) == ["still writing things down"]
    await still_serving(bot)


async def test_a_timed_note_when_users_info_is_slow_answers_in_time(bot):
    number, channel = await declare(bot, "Slow users.info")
    bot.fake.delay("users.info", 2.5)
    sent = asyncio.get_running_loop().time()

    # U2: someone whose zone the bot hasn't read yet (the declarer's was, at the set-up).
    local = await bot.slack.command(
        "note 10:42 restarted the broker", channel_id=channel, user_id="U2"
    )

    assert asyncio.get_running_loop().time() - sent < 2.5  # within Slack's 3 seconds
    assert local.json["response_type"] == "ephemeral"
    assert "time zone" in local.json["text"] and "offset" in local.json["text"]
    # With an offset no zone is needed: stored even though users.info is still slow.
    at = (datetime.now(UTC) - timedelta(minutes=5)).astimezone(timezone(timedelta(hours=9)))
    offset = await bot.slack.command(
        f"note {at:%Y-%m-%dT%H:%M%z} restarted the broker", channel_id=channel, user_id="U2"
    )
    assert offset.json["response_type"] == "in_channel", offset.body
    assert notes(await stored(bot, number)) == ["restarted the broker"]


async def test_a_timed_note_for_a_user_slack_does_not_know_is_explained(bot):
    number, channel = await declare(bot, "Ghost user")
    bot.fake.strict_users = True  # users.info → user_not_found for anyone unknown

    reply = await bot.slack.command("note 10:42 something", channel_id=channel, user_id="UGHOST")

    assert reply.status == 200 and reply.json["response_type"] == "ephemeral"
    assert "time zone" in reply.json["text"]
    assert notes(await stored(bot, number)) == []


# ---- close -----------------------------------------------------------------------------------


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
async def test_close_when_slack_refuses_the_outcome_post_stays_closed_and_says_why(bot, error):
    number, channel = await declare(bot, "Closing into the void")
    bot.fake.fail("chat.postMessage", error=error)

    reply = await bot.slack.command(CLOSE, channel_id=channel)

    assert reply.status == 200
    await told(bot.fake, SAID[error])
    report = await stored(bot, number)
    assert report.incident.is_closed and report.postmortem is not None
    assert [e.kind for e in report.timeline].count("closed") == 1
    again = await bot.slack.command(CLOSE, channel_id=channel)
    assert "already closed" in again.json["text"]
    await still_serving(bot)


async def test_a_server_error_on_the_outcome_post_does_not_lose_the_draft(bot):
    number, channel = await declare(bot, "Outcome post fails once")
    bot.fake.fail_http("chat.postMessage", status=500)

    reply = await bot.slack.command(CLOSE, channel_id=channel)

    assert reply.status == 200
    # The close is committed with a postmortem owed: its draft must still reach the channel,
    # and the announcement is owed in the outbox until a retry posts it.
    await bot.fake.wait_for("canvases.create", timeout=5)
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem and r.postmortem.doc_id
    )
    assert report.incident.is_closed


async def test_a_rate_limited_close_announcement_is_retried_after_retry_after(bot):
    number, channel = await declare(bot, "Limited outcome")
    bot.fake.fail_http("chat.postMessage", status=429, retry_after=1)
    reply = await bot.slack.command(CLOSE, channel_id=channel)

    assert reply.status == 200
    first, second = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "closed" in c.args["text"], count=2
    )
    assert second.at - first.at >= 0.95
    await bot.fake.wait_for("canvases.create")
    outcome = [c for c in bot.fake.calls_to("chat.postMessage") if "closed" in c.args["text"]]
    assert len(outcome) == 2  # the limited one and its retry; posted once in Slack
    assert (await stored(bot, number)).incident.is_closed


# ---- role ------------------------------------------------------------------------------------


async def test_a_role_for_someone_slack_cannot_invite_is_kept_and_explained(bot):
    number, channel = await declare(bot, "Role for a ghost")
    bot.fake.fail("conversations.invite", error="user_not_found")

    reply = await bot.slack.command("role commander <@U9>", channel_id=channel)

    assert reply.status == 200 and reply.json["response_type"] == "in_channel"
    await told(bot.fake, SAID["user_not_found"])
    assert (await stored(bot, number)).roles == {"commander": "U9"}
    await still_serving(bot)


async def test_a_role_for_someone_users_info_does_not_know_is_still_given(bot):
    number, channel = await declare(bot, "Unknown profile")
    bot.fake.strict_users = True

    reply = await bot.slack.command("role scribe <@U9>", channel_id=channel)

    assert reply.status == 200 and reply.json["response_type"] == "in_channel"
    report = await stored(bot, number)
    assert report.roles == {"scribe": "U9"}
    assert "Scribe: U9" in [e["text"] for e in to_json(report)["timeline"]]


async def test_a_role_briefing_dm_that_slack_rate_limits_arrives_after_retry_after(bot):
    number, channel = await declare(bot, "Limited DM")
    bot.fake.fail_http("conversations.open", status=429, retry_after=1)

    reply = await bot.slack.command("role commander <@U9>", channel_id=channel)

    assert reply.status == 200
    dm = await bot.fake.wait_for(
        "chat.postMessage", lambda c: "You are the *commander*" in c.args["text"]
    )
    assert dm.args["channel"] == bot.fake.dms["U9"]
    assert len(bot.fake.calls_to("conversations.open")) == 2


# ---- capture ---------------------------------------------------------------------------------


def captured_messages(report):
    return [e for e in report.timeline if e.kind == "message"]


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel"])
async def test_a_pin_slack_will_not_let_me_read_is_explained_to_the_pinner(bot, error):
    number, channel = await declare(bot, "Unreadable channel")
    ts = bot.fake.post_as_user(channel, "U5", "the broker is back")
    bot.fake.fail("conversations.history", error=error)

    await send_event(bot, reaction(channel, ts, "U6"))

    await told(bot.fake, SAID[error], user="U6")
    assert captured_messages(await stored(bot, number)) == []
    # The next pin (Slack is fine again) is captured.
    later = bot.fake.post_as_user(channel, "U5", "and it stays up")
    await send_event(bot, reaction(channel, later, "U7"))
    report = await eventually(lambda: stored(bot, number), lambda r: captured_messages(r))
    assert [e.text for e in captured_messages(report)] == ["and it stays up"]


async def test_a_rate_limited_permalink_is_retried_and_the_pin_captured(bot):
    number, channel = await declare(bot, "Limited permalink")
    ts = bot.fake.post_as_user(channel, "U5", "failover done")
    bot.fake.fail_http("chat.getPermalink", status=429, retry_after=1)

    await send_event(bot, reaction(channel, ts, "U6"))

    report = await eventually(
        lambda: stored(bot, number), lambda r: captured_messages(r), timeout=10
    )
    [entry] = captured_messages(report)
    assert entry.text == "failover done" and entry.permalink


async def test_a_shortcut_capture_on_an_archived_channel_is_explained(bot):
    number, channel = await declare(bot, '--at "2021-12-28T10:00Z" Archived meanwhile')
    bot.fake.join(channel, "U6")
    ts = bot.fake.post_as_user(channel, "U5", "rolled back")
    await bot.slack.interactive(
        shortcut_payload(channel, ts, "rolled back", user="U6", response_url="http://127.0.0.1:9/")
    )
    view = (await bot.fake.wait_for("views.open")).args["view"]
    bot.fake.fail("conversations.history", error="is_archived")

    submitted = await bot.slack.interactive(
        view_submission_payload(
            view["callback_id"],
            {
                "text": {"text": element_state("plain_text_input", "rolled back")},
                "at": {"at": element_state("datetimepicker", int(float(ts)))},
            },
            private_metadata=view["private_metadata"],
            user_id="U6",
        )
    )

    assert submitted.status == 200
    await told(bot.fake, SAID["is_archived"], user="U6")
    assert captured_messages(await stored(bot, number)) == []
    await still_serving(bot)


# ---- nudges ----------------------------------------------------------------------------------

NUDGE_START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("policy", [review_policy(author={"after": "2d", "every": "2d"})])
@pytest.mark.parametrize("clock", [FakeClock(NUDGE_START)])
@pytest.mark.parametrize("content_type", ["text/html", "text/plain"])
async def test_a_nudge_that_meets_an_error_page_is_sent_later(bot, clock, content_type):
    await closed_with_draft(bot, reviewers="<@U8>")
    bad_gateway_once(bot.fake, "conversations.open", content_type)

    clock.advance(days=2, seconds=1)
    await bot.runtime.nudges.tick()  # meets the 502
    assert dms(bot, "U1") == []
    clock.advance(hours=3)  # past any backoff
    await bot.runtime.nudges.tick()

    [nudge] = dms(bot, "U1")
    assert "still a draft" in nudge.args["text"]
