"""One workspace (issue 10, case 11): a signed request naming another team or enterprise than
the one the bot is installed in is refused before anything is read or written. The installed
team comes from `auth.test` at start (asked again at the next request when that failed), or
from SLACK_TEAM_ID."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.app import Runtime
from bot.domain.policy import Policy
from bot.server import bound_port, serve
from handlers import review_blocks
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, Bot
from tests.support.flows import count_incidents, declare, eventually, reaction, send_event, stored
from tests.support.slack_requests import (
    FORM,
    SlackClient,
    block_actions_payload,
    element_state,
    sign,
    slash_command_body,
    view_submission_payload,
)


def messages(report):
    return [e for e in report.timeline if e.kind == "message"]


def calls_since(bot, before: int) -> list[str]:
    """What the bot asked Slack since, leaving out who-am-I (`auth.test`, which Bolt asks once
    per process at the first request, read-only)."""
    return [c.method for c in bot.fake.calls[before:] if c.method != "auth.test"]


@asynccontextmanager
async def bot_with(url: str, fake, **settings: object) -> AsyncIterator[Bot]:
    """The real bot over HTTP, with some settings changed."""
    from bot.settings import Settings

    base = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        api_url=fake.base_url,
        database_url=url,
        policy_path=None,
    )
    runtime = Runtime(replace(base, **settings), Policy.default())
    await runtime.start(nudges=False)
    runner = await serve(runtime, "127.0.0.1", 0)
    base_url = f"http://127.0.0.1:{bound_port(runner)}"
    client = SlackClient(
        None,
        f"{base_url}/slack/events",
        SIGNING_SECRET,
        response_url=fake.response_url,
        check=fake.check,
    )
    try:
        yield Bot(runtime=runtime, slack=client, fake=fake, url=base_url)
    finally:
        await client.close()
        await runner.cleanup()
        await runtime.aclose()


async def test_the_installed_team_is_read_from_auth_test_at_start(bot):
    assert bot.fake.calls_to("auth.test")  # asked before the first request arrived


async def test_a_command_from_another_team_is_refused_politely_and_does_nothing(any_db_bot):
    bot = any_db_bot
    before = len(bot.fake.calls)
    reply = await bot.slack.command("start Foreign incident", team_id="T2")

    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert "workspace" in reply.json["text"], reply.json["text"]
    assert await count_incidents(bot) == 0
    assert calls_since(bot, before) == []


async def test_the_installed_team_is_served(any_db_bot):
    number, _ = await declare(any_db_bot, "Home incident")
    assert number == 1


async def test_a_button_from_another_team_changes_nothing(bot):
    number, channel = await declare(bot, "Kafka")
    before = len(bot.fake.calls)
    reply = await bot.slack.interactive(
        block_actions_payload(
            review_blocks.APPROVE,
            "1",
            team_id="T2",
            channel_id=channel,
            response_url=bot.fake.response_url("click"),
        )
    )
    assert reply.status == 200
    await asyncio.sleep(0.1)
    assert calls_since(bot, before) == []


async def test_a_user_of_another_team_in_a_home_payload_is_refused(bot):
    payload = block_actions_payload(
        review_blocks.APPROVE, "1", response_url=bot.fake.response_url()
    )
    payload["user"]["team_id"] = "T2"
    before = len(bot.fake.calls)
    reply = await bot.slack.interactive(payload)
    assert reply.status == 200
    await asyncio.sleep(0.1)
    assert calls_since(bot, before) == []


async def test_a_view_submission_from_another_team_is_refused_and_stores_nothing(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Redis down")
    ts = bot.fake.post_as_user(channel, "U5", "failover forced")
    before = len(bot.fake.calls)

    reply = await bot.slack.interactive(
        view_submission_payload(
            "add_to_timeline_modal",
            {
                "text": {"text": element_state("plain_text_input", "invented words")},
                "at": {"at": element_state("datetimepicker", int(float(ts)))},
            },
            private_metadata=json.dumps({"channel": channel, "ts": ts}),
            team_id="T2",
        )
    )

    assert reply.json["response_action"] == "errors"
    assert "workspace" in next(iter(reply.json["errors"].values()))
    await asyncio.sleep(0.2)
    assert messages(await stored(bot, number)) == []
    assert calls_since(bot, before) == []


async def test_an_event_from_another_team_is_dropped(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Pins")
    ts = bot.fake.post_as_user(channel, "U5", "the cause")
    before = len(bot.fake.calls)

    reply = await bot.slack.event(reaction(channel, ts, "U6"), event_id="EvForeign", team_id="T2")

    assert reply.status == 200
    await asyncio.sleep(0.2)
    assert messages(await stored(bot, number)) == []
    assert calls_since(bot, before) == []
    # The same pin from the home team is captured.
    await send_event(bot, reaction(channel, ts, "U6"))
    await eventually(lambda: stored(bot, number), lambda r: len(messages(r)) == 1)


async def test_slack_team_id_overrides_auth_test(sqlite_url, fake_slack):
    async with bot_with(sqlite_url, fake_slack, team_id="T9") as bot:
        refused = await bot.slack.command("start Home by auth.test only")  # team T1
        assert "workspace" in refused.json["text"]
        assert await count_incidents(bot) == 0
        reply = await bot.slack.command("start Home by setting", team_id="T9")
        assert "INC-1" in reply.json["text"], reply.json["text"]
        assert await count_incidents(bot) == 1


async def test_when_auth_test_fails_at_start_it_is_asked_again_at_the_next_request(
    sqlite_url, fake_slack
):
    fake_slack.fail("auth.test", "fatal_error", times=1)
    async with bot_with(sqlite_url, fake_slack) as bot:
        assert len(fake_slack.calls_to("auth.test")) == 1  # failed; the bot started anyway
        refused = await bot.slack.command("start Foreign", team_id="T2")
        assert "workspace" in refused.json["text"]
        await declare(bot, "Home")
        assert await count_incidents(bot) == 1


async def test_when_slack_never_says_which_team_requests_are_refused(sqlite_url, fake_slack):
    fake_slack.fail("auth.test", "fatal_error", times=None)
    async with bot_with(sqlite_url, fake_slack) as bot:
        reply = await bot.slack.command("start Anyone")
        assert reply.status == 200
        assert await count_incidents(bot) == 0


def org_wide(_args: dict) -> dict:
    return {
        "ok": True,
        "url": "https://example-org.enterprise.slack.com/",
        "team": "Example Org",
        "user": "furikaeri",
        "team_id": "E1",
        "user_id": "UBOT",
        "bot_id": "BBOT",
        "enterprise_id": "E1",
        "is_enterprise_install": True,
    }


@pytest.mark.parametrize(("enterprise", "served"), [("E1", True), ("E2", False), (None, False)])
async def test_an_org_wide_install_serves_every_team_of_its_enterprise_only(
    sqlite_url, fake_slack, enterprise, served
):
    fake_slack.handlers["auth.test"] = org_wide
    async with bot_with(sqlite_url, fake_slack) as bot:
        extra = {"enterprise_id": enterprise} if enterprise else {}
        form = dict(parse_qsl(slash_command_body("start Org incident", team_id="T7").decode()))
        form |= extra
        form["response_url"] = fake_slack.response_url()
        body = urlencode(form).encode()
        reply = await bot.slack.post_raw(body, {"Content-Type": FORM, **sign(body, SIGNING_SECRET)})
        assert reply.status == 200
        assert await count_incidents(bot) == (1 if served else 0), reply.body


async def test_slack_team_id_may_name_an_enterprise_for_an_org_wide_install(sqlite_url, fake_slack):
    async with bot_with(sqlite_url, fake_slack, team_id="E1") as bot:
        payload = block_actions_payload(review_blocks.APPROVE, "1", team_id="T7")
        payload["enterprise"] = {"id": "E2", "name": "Other org"}
        before = len(bot.fake.calls)
        await bot.slack.interactive(payload)
        await asyncio.sleep(0.1)
        assert calls_since(bot, before) == []
        refused = await bot.slack.command("start Not in the org")
        assert "workspace" in refused.json["text"]
