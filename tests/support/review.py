"""Steps of the review workflow that the review and nudge tests share."""

from __future__ import annotations

from bot.domain.model import Postmortem
from bot.domain.policy import Policy
from storage.db import create_engine, session_factory
from storage.uow import Storage
from tests.conftest import Bot
from tests.support.flows import declare, eventually, stored
from tests.support.slack_requests import block_actions_payload

CLOSE = "close --impact 30m --data-loss no --intervention rollback --detected-by monitoring"
# What an author writes before asking for review: the policy's default postmortem.required
# (summary, impact, root cause; no action item needed, and why).
WRITTEN = {
    "summary": "A failover promoted the replica; some processes kept the old writer's address.",
    "impact": "Part of the write requests returned errors for 30 minutes.",
    "root_cause": "Connection pools kept a cached connection to the now read-only instance.",
    "no_action_items": "The pool setting was changed during the incident; nothing more is needed.",
}


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
    written: bool = True,
):
    """Declare and close an incident whose triggers fire; returns (number, channel, postmortem),
    the postmortem's required sections written (unless `written` is false) so that it can be
    sent for review."""
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
    if not written:
        return number, channel, report.postmortem
    return number, channel, await write_required(bot.runtime.deps.storage, number)


async def write_required(storage: Storage, number: int) -> Postmortem:
    """Write INC-number's required sections (`WRITTEN`) as its author would have before asking
    for review. Stored directly: no revision, no Slack call, so that the review tests see only
    their own steps (writing through Slack is tested in tests/slack/test_writing.py and
    tests/slack/test_required.py)."""
    async with storage.uow() as uow:
        incident = await uow.incidents.by_number(number)
        pm = await uow.postmortems.for_incident(incident.id)
        pm = await uow.postmortems.update(
            pm.id, sections={**pm.sections, **WRITTEN}, version=pm.version + 1
        )
        await uow.commit()
    return pm


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


async def write_required_at(database_url: str, number: int) -> Postmortem:
    """The same, for a bot running in another process on that database."""
    engine = create_engine(database_url)
    try:
        return await write_required(Storage(session_factory(engine)), number)
    finally:
        await engine.dispose()
