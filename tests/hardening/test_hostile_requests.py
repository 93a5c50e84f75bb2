"""Requests that did not come from Slack, or came wrong: forged, stale, from the future,
replayed, oversized, malformed. Each is refused, nothing is stored and Slack is never called."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import SIGNING_SECRET
from tests.hardening.helpers import counts
from tests.support.flows import declare, stored
from tests.support.slack_requests import (
    FORM,
    event_body,
    interactive_body,
    sign,
    slash_command_body,
)

JSON = "application/json"


async def post(bot, body: bytes, headers: dict[str, str], content_type: str = FORM):
    return await bot.slack.post_raw(body, {"Content-Type": content_type, **headers})


def start_body(bot, title: str = "Hostile incident", **kw) -> bytes:
    return slash_command_body(f"start {title}", response_url=bot.fake.response_url(), **kw)


async def assert_untouched(bot, before=(0, 0, 0), *, signed: bool = False) -> None:
    """Nothing stored, and not one call to Slack but the bot's own `auth.test` at start (which
    workspace it is installed in). A correctly signed request may let Bolt look up who the bot
    is (`auth.test`, once per process, read-only); nothing else."""
    assert await counts(bot) == before
    methods = [c.method for c in bot.fake.calls]
    assert methods[:1] == ["auth.test"]  # at start, before any request
    ignored = {"auth.test"} if signed else set()
    assert [m for m in methods[1:] if m not in ignored] == []


# ---- signatures and timestamps ---------------------------------------------------------------


async def test_a_forged_signature_is_refused(bot):
    body = start_body(bot)
    reply = await post(bot, body, sign(body, "not-the-secret"))
    assert reply.status == 401
    await assert_untouched(bot)


async def test_a_malformed_signature_header_is_refused(bot):
    body = start_body(bot)
    headers = sign(body, SIGNING_SECRET)
    for signature in ("", "v0=", "v1=" + headers["X-Slack-Signature"][3:], "v0=zz", "garbage"):
        reply = await post(bot, body, {**headers, "X-Slack-Signature": signature})
        assert reply.status == 401, signature
    await assert_untouched(bot)


@pytest.mark.parametrize("stamp", ["", "yesterday", "1e9", "-1", "99999999999999999999"])
async def test_a_nonsense_timestamp_is_refused(bot, stamp):
    body = start_body(bot)
    headers = sign(body, SIGNING_SECRET)
    reply = await post(bot, body, {**headers, "X-Slack-Request-Timestamp": stamp})
    assert 400 <= reply.status < 500, (reply.status, reply.body)
    await assert_untouched(bot)


@pytest.mark.parametrize("skew_minutes", [-6, -60 * 24, 6, 60 * 24])
async def test_stale_and_future_timestamps_are_refused_even_when_signed(bot, skew_minutes):
    body = start_body(bot)
    stamp = int(time.time()) + skew_minutes * 60
    reply = await post(bot, body, sign(body, SIGNING_SECRET, timestamp=stamp))
    assert reply.status == 401
    await assert_untouched(bot)


async def test_an_event_with_a_forged_signature_is_refused(bot):
    body = event_body({"type": "member_joined_channel", "user": "U5", "channel": "C1"})
    reply = await post(bot, body, sign(body, "not-the-secret"), JSON)
    assert reply.status == 401
    await assert_untouched(bot)


# ---- replays ---------------------------------------------------------------------------------


async def test_a_replayed_command_is_refused_and_acts_once(bot):
    body = start_body(bot, "Replayed start")
    headers = sign(body, SIGNING_SECRET)

    first = await post(bot, body, headers)
    again = await post(bot, body, headers)

    assert first.status == 200 and "INC-1" in first.json["text"]
    assert 400 <= again.status < 500, (again.status, again.body)
    await bot.fake.wait_for("response_url", lambda c: "<#" in c.args.get("text", ""))
    assert len(bot.fake.calls_to("conversations.create")) == 1
    assert (await counts(bot))[0] == 1


async def test_a_replayed_note_is_stored_once(bot):
    number, channel = await declare(bot, "Replayed note")
    body = slash_command_body("note only once", channel_id=channel)
    headers = sign(body, SIGNING_SECRET)

    first = await post(bot, body, headers)
    again = await post(bot, body, headers)

    assert first.json["response_type"] == "in_channel"
    assert 400 <= again.status < 500, (again.status, again.body)
    assert [e.text for e in (await stored(bot, number)).timeline if e.kind == "note"] == [
        "only once"
    ]


async def test_a_tampered_copy_does_not_spoil_the_genuine_request(bot):
    """Someone replays a signature with a body of their own first: it is refused, and the
    genuine request carrying that signature is still served."""
    body = start_body(bot, "Genuine incident")
    headers = sign(body, SIGNING_SECRET)
    tampered = await post(bot, start_body(bot, "Tampered incident"), headers)
    genuine = await post(bot, body, headers)

    assert tampered.status == 401
    assert genuine.status == 200, (genuine.status, genuine.body)
    assert "INC-1" in genuine.json["text"]


# ---- size and shape --------------------------------------------------------------------------


async def test_an_oversized_body_is_refused_even_when_signed(bot):
    body = start_body(bot, "x" * (300 * 1024))
    reply = await post(bot, body, sign(body, SIGNING_SECRET))
    assert reply.status == 413, (reply.status, reply.body[:200])
    await assert_untouched(bot)


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{not json", JSON),
        (b'{"type": "event_callback", "event": ', JSON),
        (b"[1, 2, 3]", JSON),
        (b'"just a string"', JSON),
        (b"null", JSON),
        (b'{"type": "event_callback", "event": "not an object"}', JSON),
        (b"payload=%7Bnot+json", FORM),
        (b"payload=%5B1%2C2%5D", FORM),
        (b"payload=null", FORM),
        (b"\xff\xfe\x00\x01binary", FORM),
        (b"%%%&&&===", FORM),
        (b"command=%2Fincident&text=start+No+user", FORM),
        (b"", FORM),
    ],
    ids=[
        "json-truncated",
        "json-cut-mid-object",
        "json-array",
        "json-string",
        "json-null",
        "json-event-not-object",
        "form-payload-not-json",
        "form-payload-array",
        "form-payload-null",
        "form-not-utf8",
        "form-garbage",
        "form-command-without-user",
        "empty",
    ],
)
async def test_malformed_but_signed_bodies_are_refused_with_4xx(bot, body, content_type):
    reply = await post(bot, body, sign(body, SIGNING_SECRET), content_type)
    assert 400 <= reply.status < 500, (reply.status, reply.body[:300])
    await assert_untouched(bot, signed=True)


async def test_a_payload_of_an_unknown_type_changes_nothing(bot):
    body = interactive_body({"type": "something_new", "user": {"id": "U1"}, "team": {"id": "T1"}})
    reply = await post(bot, body, sign(body, SIGNING_SECRET))
    assert reply.status < 500, (reply.status, reply.body)
    await assert_untouched(bot, signed=True)


async def test_after_hostile_requests_the_bot_still_serves(bot):
    junk = b"{not json"
    await post(bot, junk, sign(junk, SIGNING_SECRET), JSON)
    big = start_body(bot, "y" * (300 * 1024))
    await post(bot, big, sign(big, SIGNING_SECRET))
    number, channel = await declare(bot, "Served after the junk")
    reply = await bot.slack.command("note fine", channel_id=channel)
    assert reply.json["response_type"] == "in_channel"
    assert (await stored(bot, number)).incident.title == "Served after the junk"


def test_the_hostile_bodies_are_what_they_claim():
    """Guard the fixtures above: the JSON cases really are unparseable or of the wrong shape."""
    for raw in (b"{not json", b'{"type": "event_callback", "event": '):
        with pytest.raises(ValueError):
            json.loads(raw)
