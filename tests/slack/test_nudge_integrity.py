"""Issue 10, cases 12–14, through the front door: a nudge always says what it is about, Snooze
never claims an effect that did not happen, and a stalled review escalates once per round."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.domain.policy import Policy
from handlers.blocks import when
from storage.tables import action_items, reminders
from tests.slack.test_nudges import Twin
from tests.support.clock import FakeClock
from tests.support.flows import declare, eventually, stored
from tests.support.review import buttons, click, closed_with_draft, dms
from tests.support.slack_requests import block_actions_payload

START = datetime(2021, 12, 20, 1, 0, tzinfo=UTC)  # a Monday
ESCALATIONS = "CESCAL"


def nudge_policy(**extra) -> Policy:
    """Plain calendar days, an escalation channel, and no surprise ticks."""
    rules = {
        "business_days": False,
        "poll_interval": "1h",
        "author": {"after": "2d", "every": "2d"},
        "reviewer": {"after": "1d", "every": "1d"},
        **extra,
    }
    return Policy.from_mapping(
        {
            "reminders": rules,
            "review": {"publish_channel": "CPUBLIC", "escalation_channel": ESCALATIONS},
        }
    )


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def policy():
    return nudge_policy()


async def rows(bot, **where) -> list:
    """The reminders table as stored, filtered on column values."""
    async with bot.runtime.engine.connect() as conn:
        found = await conn.execute(select(reminders).order_by(reminders.c.id))
        return [r._mapping for r in found if all(r._mapping[k] == v for k, v in where.items())]


async def tick(bot) -> int:
    return await bot.runtime.nudges.tick()


def posts_in(bot, channel: str) -> list:
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == channel]


# Case 12 ─ what a reminder is about


async def test_an_action_items_reminder_never_passes_for_a_postmortems(any_db_bot):
    bot = any_db_bot
    _, pm_channel, pm = await closed_with_draft(bot, title="Aurora failover")
    _, other = await declare(bot, "--sev 3 Kafka consumer lag", user="U2")
    added = await bot.slack.command(
        "action add Alert on consumer lag --owner <@U5> --due 5d", channel_id=other, user_id="U2"
    )
    assert added.status == 200 and "#1" in added.json["text"]
    async with bot.runtime.engine.connect() as conn:
        [item_id] = (await conn.execute(select(action_items.c.id))).scalars().all()
    assert item_id == pm.id  # the very collision: action item 1 and postmortem 1
    [action] = await rows(bot, kind="action")

    status = (await bot.slack.command("postmortem", channel_id=pm_channel)).json["text"]
    assert "next author reminder to <@U1>" in status  # its own reminders are shown…
    assert "<@U5>" not in status  # …and not the action item's

    waived = await bot.slack.command(
        "postmortem waive a duplicate of an earlier incident", channel_id=pm_channel
    )
    assert waived.status == 200
    await eventually(lambda: stored(bot, 1), lambda r: r.postmortem.status == "waived")
    assert not [r for r in await rows(bot, state="pending") if r["kind"] != "action"]
    [still] = await rows(bot, id=action["id"])
    assert still["state"] == "pending"  # the postmortem's waiver did not touch it


# Case 14 ─ one escalation per postmortem and round


async def stalled_review(bot, *, reviewers: str = "<@U7> <@U8>") -> tuple[int, str]:
    """A postmortem sent for review to reviewers who then say nothing."""
    number, channel, _ = await closed_with_draft(bot, reviewers=reviewers)
    await bot.slack.command("retro held", channel_id=channel)
    await bot.slack.command("postmortem ready", channel_id=channel, user_id="U1")
    await eventually(lambda: stored(bot, number), lambda r: r.postmortem.status == "in_review")
    return number, channel


async def test_two_silent_reviewers_make_one_escalation_naming_both(any_db_bot, clock):
    bot = any_db_bot
    await stalled_review(bot)
    for _ in range(6):  # nudges 1-3 go unanswered by both; the 4th escalates
        clock.advance(days=1, seconds=1)
        await tick(bot)
    [escalation] = posts_in(bot, ESCALATIONS)
    assert "waiting on" in escalation.args["text"]
    assert "<@U7>" in escalation.args["text"] and "<@U8>" in escalation.args["text"]
    assert len(await rows(bot, kind="escalation")) == 1


@pytest.mark.postgres
async def test_two_processes_ticking_still_make_one_escalation(postgres_url, fake_slack):
    clock = FakeClock(START)
    a = await Twin.start(postgres_url, fake_slack, nudge_policy(), clock)
    b = await Twin.start(postgres_url, fake_slack, nudge_policy(), clock)
    try:
        await stalled_review(a, reviewers="<@U5> <@U6> <@U7> <@U8>")
        for _ in range(6):
            clock.advance(days=1, seconds=1)
            await asyncio.gather(*(p.runtime.nudges.tick() for p in (a, b, a, b)))
        [escalation] = posts_in(a, ESCALATIONS)
        assert all(f"<@U{n}>" in escalation.args["text"] for n in (5, 6, 7, 8))
    finally:
        await a.stop()
        await b.stop()


# Case 13 ─ Snooze says only what it did


async def snooze(bot, nudge, user: str) -> str:
    """Click the nudge's Snooze (or a forged one, for a nudge that offers none); the reply."""
    value = buttons(nudge).get("nudge_snooze")
    assert value is not None
    path = f"snooze-{len(bot.fake.calls_to('response_url'))}"
    reply = await bot.slack.interactive(
        block_actions_payload(
            "nudge_snooze",
            value,
            user_id=user,
            channel_id=nudge.args["channel"],
            response_url=bot.fake.response_url(path),
        )
    )
    assert reply.status == 200, reply.body
    told = await bot.fake.wait_for("response_url", lambda c: c.args["_path"] == path)
    return told.args["text"]


def with_snooze(call, reminder_id: int):
    """A copy of a posted message as an older build sent it: with a Snooze button."""

    class Older:
        args = dict(call.args) | {
            "blocks": [
                {
                    "type": "actions",
                    "elements": [{"action_id": "nudge_snooze", "value": str(reminder_id)}],
                }
            ]
        }

    return Older()


async def assert_postponed(bot, told: str, **series) -> None:
    """The reply names a time, and the series' next reminder is due exactly then."""
    [pending] = await rows(bot, state="pending", **series)
    assert "Snoozed" in told and when(pending["due_at"]) in told


async def test_an_escalation_offers_no_snooze_and_an_older_snooze_says_so(bot, clock):
    await stalled_review(bot)
    for _ in range(5):
        clock.advance(days=1, seconds=1)
        await tick(bot)
    [escalation] = posts_in(bot, ESCALATIONS)
    assert "nudge_snooze" not in buttons(escalation)

    before = await rows(bot)
    [row] = await rows(bot, kind="escalation")
    told = await snooze(bot, with_snooze(escalation, row["id"]), "U9")
    assert "Snoozed" not in told and "escalation" in told
    assert await rows(bot) == before  # nothing changed, and nothing was claimed


async def test_snoozing_the_authors_nudge_postpones_it_until_the_draft_is_sent(bot, clock):
    _, channel, pm = await closed_with_draft(bot)
    await bot.slack.command("retro held", channel_id=channel)
    clock.advance(days=2, seconds=1)
    await tick(bot)
    [nudge] = dms(bot, "U1")
    await assert_postponed(bot, await snooze(bot, nudge, "U1"), kind="author", recipient="U1")

    await click(bot, nudge, "postmortem_ready", "U1")
    await bot.fake.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == bot.fake.dms.get("U8")
    )
    told = await snooze(bot, nudge, "U1")
    assert "Snoozed" not in told and "nothing" in told.lower()
    assert not await rows(bot, kind="author", state="pending")
    clock.advance(days=3)
    await tick(bot)
    assert len(dms(bot, "U1")) == 1  # no author nudge on a postmortem in review


async def test_snoozing_a_reviewers_nudge_postpones_it_until_they_decide(bot, clock):
    await stalled_review(bot, reviewers="<@U8>")
    clock.advance(days=1, seconds=1)
    await tick(bot)
    nudge = next(c for c in dms(bot, "U8") if "waiting for your review" in c.args["text"])
    await assert_postponed(bot, await snooze(bot, nudge, "U8"), kind="reviewer", recipient="U8")

    await click(bot, nudge, "review_approve", "U8")
    await eventually(lambda: stored(bot, 1), lambda r: r.postmortem.status == "published")
    told = await snooze(bot, nudge, "U8")
    assert "Snoozed" not in told and "nothing" in told.lower()
    assert not await rows(bot, kind="reviewer", state="pending")


async def test_snoozing_the_retro_reminder_reminds_again_until_it_is_held(bot, clock):
    _, channel, _ = await closed_with_draft(bot)
    clock.advance(days=4, seconds=1)  # the retro is due in 5 days, reminded one day before
    await tick(bot)
    [reminder] = [c for c in posts_in(bot, channel) if "retrospective is due" in c.args["text"]]
    told = await snooze(bot, reminder, "U3")  # anyone in the incident channel
    await assert_postponed(bot, told, kind="retro", recipient=channel)

    clock.advance(days=1, seconds=1)
    await tick(bot)
    again = [c for c in posts_in(bot, channel) if "retrospective is due" in c.args["text"]]
    assert len(again) == 2  # the snooze said "the next reminder comes…", and it came

    await bot.slack.command("retro held", channel_id=channel)
    told = await snooze(bot, again[-1], "U3")
    assert "Snoozed" not in told and "nothing" in told.lower()
    assert not await rows(bot, kind="retro", state="pending")


async def test_a_retro_reminder_is_snoozed_only_from_its_own_channel(bot, clock):
    _, channel, _ = await closed_with_draft(bot)
    clock.advance(days=4, seconds=1)
    await tick(bot)
    [reminder] = [c for c in posts_in(bot, channel) if "retrospective is due" in c.args["text"]]
    before = await rows(bot)
    elsewhere = type("Elsewhere", (), {"args": reminder.args | {"channel": "COTHER"}})()
    told = await snooze(bot, elsewhere, "U3")
    assert "Snoozed" not in told
    assert await rows(bot) == before


async def test_snoozing_an_action_nudge_postpones_it_until_the_item_is_done(bot, clock):
    _, channel, _ = await closed_with_draft(bot)
    await bot.slack.command("retro held", channel_id=channel)
    await bot.slack.command("action add Alert on lag --owner <@U5> --due 3d", channel_id=channel)
    clock.advance(days=2, seconds=1)
    await tick(bot)
    [nudge] = dms(bot, "U5")
    await assert_postponed(bot, await snooze(bot, nudge, "U5"), kind="action", recipient="U5")

    await click(bot, nudge, "action_done", "U5")
    await eventually(
        lambda: bot.slack.command("action list", channel_id=channel),
        lambda r: "✅ done" in r.json["text"],
    )
    told = await snooze(bot, nudge, "U5")
    assert "Snoozed" not in told and "nothing" in told.lower()
    assert not await rows(bot, kind="action", state="pending")


@pytest.mark.parametrize("policy", [nudge_policy(digest={"channel": "CDIGEST", "every": "7d"})])
async def test_the_digest_offers_no_snooze_and_a_forged_one_changes_nothing(bot, clock):
    await tick(bot)
    digest = await bot.fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == "CDIGEST")
    assert "nudge_snooze" not in buttons(digest)
    [sent] = await rows(bot, kind="digest", state="sent")
    before = await rows(bot)
    told = await snooze(bot, with_snooze(digest, sent["id"]), "U3")
    assert "Snoozed" not in told and "digest" in told
    assert await rows(bot) == before


async def test_someone_elses_nudge_and_forged_values_are_refused_politely(bot, clock):
    _, channel, _ = await closed_with_draft(bot)
    await bot.slack.command("retro held", channel_id=channel)
    clock.advance(days=2, seconds=1)
    await tick(bot)
    [nudge] = dms(bot, "U1")
    before = await rows(bot)

    told = await snooze(bot, nudge, "U2")  # the author's DM, clicked by someone else
    assert "isn't yours" in told
    for value in ("12abc", "99999999999", "-1", "", "９"):
        forged = with_snooze(nudge, 0)
        forged.args["blocks"][0]["elements"][0]["value"] = value
        assert "no longer exists" in await snooze(bot, forged, "U1")
    assert await rows(bot) == before
