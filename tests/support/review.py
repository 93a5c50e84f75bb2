"""Steps of the review workflow that the review and nudge tests share."""

from __future__ import annotations

from bot.domain.policy import Policy
from tests.conftest import Bot
from tests.support.flows import declare, eventually, stored
from tests.support.slack_requests import block_actions_payload

CLOSE = "close --impact 30m --data-loss no --intervention rollback --detected-by monitoring"


def review_policy(**reminders) -> Policy:
    """Plain calendar days (business_days off), a publish channel, and no surprise ticks."""
    rules = {"business_days": False, "poll_interval": "1h", **reminders}
    return Policy.from_mapping({"reminders": rules, "review": {"publish_channel": "CPUBLIC"}})


async def closed_with_draft(
    bot: Bot,
    *,
    reviewers: str = "<@U8>",
    user: str = "U1",
    title: str = "Aurora failover",
    before_close: tuple[str, ...] = (),
):
    """Declare and close an incident whose triggers fire; returns (number, channel, postmortem)."""
    number, channel = await declare(bot, f"--sev 2 {title}", user=user)
    for text in before_close:
        assert (await bot.slack.command(text, channel_id=channel, user_id=user)).status == 200
    reply = await bot.slack.command(
        f"{CLOSE} --reviewers {reviewers}", channel_id=channel, user_id=user
    )
    assert reply.status == 200, reply.body
    report = await eventually(
        lambda: stored(bot, number), lambda r: r.postmortem and r.postmortem.doc_id
    )
    return number, channel, report.postmortem


def dms(bot: Bot, user: str) -> list:
    """Messages the bot sent to a person's DM."""
    dm = bot.fake.dms.get(user)
    return [c for c in bot.fake.calls_to("chat.postMessage") if dm and c.args["channel"] == dm]


def buttons(call) -> dict[str, str]:
    """action_id → value of the buttons in a posted message."""
    return {
        e["action_id"]: e["value"]
        for b in call.args.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def click(bot: Bot, call, action_id: str, user: str, *, trigger_id: str = "tr.click"):
    reply = await bot.slack.interactive(
        block_actions_payload(
            action_id,
            buttons(call)[action_id],
            user_id=user,
            channel_id=call.args["channel"],
            response_url=bot.fake.response_url(f"click-{action_id}"),
            trigger_id=trigger_id,
        )
    )
    assert reply.status == 200, reply.body
    return reply
