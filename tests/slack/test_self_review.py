"""Issue 10, cases 2 and 9: the author never reviews their own postmortem, on every path; the
"Write one anyway" button is for people in the incident channel, on a closed incident only."""

from __future__ import annotations

import pytest

from bot.domain.policy import Policy
from tests.support.flows import declare, eventually, stored
from tests.support.review import CLOSE, closed_with_draft
from tests.support.slack_requests import block_actions_payload

QUIET_CLOSE = (
    "close --impact none --data-loss no --intervention none --detected-by monitoring"
)


@pytest.fixture
def policy() -> Policy:
    rules = {"business_days": False, "poll_interval": "1h"}
    return Policy.from_mapping(
        {
            "reminders": rules,
            "review": {"publish_channel": "CPUBLIC"},
            "postmortem": {"reviewers": ["U1", "U8"]},
        }
    )


def ephemeral(reply, phrase: str) -> bool:
    return (
        reply.status == 200
        and reply.json is not None
        and reply.json.get("response_type") == "ephemeral"
        and phrase in reply.json.get("text", "")
    )


async def test_close_naming_the_author_as_reviewer_is_refused_and_nothing_closes(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Self review at close", user="U1")
    reply = await bot.slack.command(f"{CLOSE} --reviewers <@U1>", channel_id=channel)
    assert ephemeral(reply, "can't review their own"), reply.body
    report = await stored(bot, number)
    assert not report.incident.is_closed and report.postmortem is None


async def test_the_policys_default_reviewers_never_include_the_author(any_db_bot):
    bot = any_db_bot
    number, channel = await declare(bot, "Defaults", user="U1")
    reply = await bot.slack.command(CLOSE, channel_id=channel)
    assert reply.status == 200, reply.body
    report = await eventually(lambda: stored(bot, number), lambda r: r.postmortem is not None)
    pm = report.postmortem
    assert pm.author == "U1" and pm.reviewers == ("U8",)  # U1 dropped from the defaults


async def test_an_author_cannot_be_handed_to_a_reviewer(any_db_bot):
    bot = any_db_bot
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", user="U1")
    reply = await bot.slack.command("postmortem author <@U8>", channel_id=channel)
    assert ephemeral(reply, "can't review their own"), reply.body
    assert (await stored(bot, number)).postmortem.author == "U1"


async def test_the_reviewers_cannot_include_the_author(any_db_bot):
    bot = any_db_bot
    number, channel, _ = await closed_with_draft(bot, reviewers="<@U8>", user="U1")
    reply = await bot.slack.command("postmortem reviewers <@U8> <@U1>", channel_id=channel)
    assert ephemeral(reply, "can't review their own"), reply.body
    assert (await stored(bot, number)).postmortem.reviewers == ("U8",)


async def press_write_anyway(bot, channel: str, value: str, user: str):
    return await bot.slack.interactive(
        block_actions_payload(
            "postmortem_write_anyway",
            value,
            user_id=user,
            channel_id=channel,
            response_url=bot.fake.response_url(f"anyway-{user}-{value}"),
        )
    )


async def told(bot, user: str, value: str) -> str:
    call = await bot.fake.wait_for(
        "response_url", lambda c: c.args["_path"] == f"anyway-{user}-{value}"
    )
    return call.args["text"]


async def quietly_closed(bot, title: str) -> tuple[int, str]:
    number, channel = await declare(bot, title, user="U1")
    reply = await bot.slack.command(QUIET_CLOSE, channel_id=channel)
    assert reply.status == 200, reply.body
    await eventually(lambda: stored(bot, number), lambda r: r.incident.is_closed)
    return number, channel


async def test_write_one_anyway_by_the_default_reviewer_drops_them_from_the_reviewers(
    any_db_bot,
):
    bot = any_db_bot
    number, channel = await quietly_closed(bot, "Nothing fired")
    bot.fake.join(channel, "U8")
    reply = await press_write_anyway(bot, channel, "1", "U8")
    assert reply.status == 200
    report = await eventually(lambda: stored(bot, number), lambda r: r.postmortem is not None)
    assert report.postmortem.author == "U8"
    assert "U8" not in report.postmortem.reviewers and report.postmortem.reviewers == ("U1",)
    assert "not among its reviewers" in await told(bot, "U8", "1")  # and told why


async def test_write_one_anyway_is_refused_to_someone_outside_the_channel(any_db_bot):
    bot = any_db_bot
    number, channel = await quietly_closed(bot, "Bystander")
    await press_write_anyway(bot, channel, "1", "U9")
    assert "in the incident channel" in await told(bot, "U9", "1")
    assert (await stored(bot, number)).postmortem is None


async def test_write_one_anyway_naming_an_open_incident_is_refused(any_db_bot):
    bot = any_db_bot
    closed, channel = await quietly_closed(bot, "Closed one")
    still_open, other = await declare(bot, "Still open", user="U1")
    open_id = str((await stored(bot, still_open)).incident.id)
    await press_write_anyway(bot, channel, open_id, "U1")  # a forged value, from the closed one
    await press_write_anyway(bot, other, open_id, "U1")  # or from its own channel
    assert "still open" in await told(bot, "U1", open_id)
    assert (await stored(bot, still_open)).postmortem is None
    reply = await bot.slack.command(CLOSE, channel_id=other)  # its real close still works
    assert reply.status == 200 and not reply.body, reply.body
    await eventually(lambda: stored(bot, still_open), lambda r: r.postmortem is not None)
