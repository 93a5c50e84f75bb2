"""Buttons on nudges and review requests, and the "request changes" form."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import BadCommand
from bot.domain.messages import N_
from bot.i18n import placeholders
from bot.services import review, snoozing
from handlers import review_blocks
from handlers.blocks import when
from handlers.deps import Deps
from handlers.errors import reported
from handlers.nudges import quoted, send_dm_or_post
from handlers.review_commands import request_review
from handlers.slack_reading import parse_id, parse_round


def register(app: AsyncApp) -> None:
    app.action(review_blocks.SNOOZE)(reported(on_snooze))
    app.action(review_blocks.READY)(reported(on_ready))
    app.action(review_blocks.APPROVE)(reported(on_approve))
    app.action(review_blocks.REQUEST_CHANGES)(reported(on_request_changes))
    app.view(review_blocks.CHANGES_MODAL)(reported(on_changes_submitted))


async def on_snooze(
    ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond, context: dict
) -> None:
    deps: Deps = context["deps"]
    await ack()
    user = body["user"]["id"]
    until = await snoozing.snooze(
        uow=deps.storage.uow(),
        reminder_id=reminder_id(action.get("value")),
        by=user,
        where=(body.get("channel") or {}).get("id"),
        zone=await deps.people.timezone(user, deps.policy.tz),
        policy=deps.policy,
        now=deps.clock(),
    )
    await respond(
        text=deps.translator.gettext(
            "Snoozed: the next reminder comes %(when)s.", when=when(until)
        ),
        replace_original=False,
    )


def reminder_id(value: object) -> int:
    """The reminder a Snooze button names; the value comes back from Slack, so it is checked."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    raise BadCommand(N_("That reminder no longer exists."))


async def on_ready(
    ack: AsyncAck,
    body: dict,
    action: dict,
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict,
) -> None:
    deps: Deps = context["deps"]
    await ack()
    pm_id, user = parse_id(action["value"]), body["user"]["id"]
    # Refused before the blameless check tells its author anything (the id is untrusted).
    await review.check_request(
        uow=deps.storage.uow(),
        postmortem_id=pm_id,
        by=user,
        policy=deps.policy,
        placeholders=placeholders(),
    )
    await request_review(client, deps, pm_id, user)
    await respond(
        text=deps.translator.gettext("Sent for review. Thank you for writing it!"),
        replace_original=False,
    )


async def on_approve(
    ack: AsyncAck,
    body: dict,
    action: dict,
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict,
) -> None:
    deps: Deps = context["deps"]
    await ack()
    postmortem_id, round_ = parse_round(action["value"])
    view = await review.decide(
        uow=deps.storage.uow(),
        postmortem_id=postmortem_id,
        round_=round_,
        reviewer=body["user"]["id"],
        decision="approved",
        comment=None,
        policy=deps.policy,
        now=deps.clock(),
    )
    await respond(
        text=deps.translator.gettext(
            "Approved %(ref)s's postmortem. Thank you for reviewing!", ref=view.incident.ref
        ),
        replace_original=False,
    )


async def on_request_changes(
    ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    await ack()
    postmortem_id, round_ = parse_round(action["value"])
    view = await review.check_decision(
        uow=deps.storage.uow(),
        postmortem_id=postmortem_id,
        round_=round_,
        reviewer=body["user"]["id"],
        decision="changes_requested",
        policy=deps.policy,
    )
    await client.views_open(
        trigger_id=body["trigger_id"],
        view=review_blocks.changes_modal(deps.translator, view.postmortem, view.incident.ref),
    )


async def on_changes_submitted(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    comment = view["state"]["values"]["comment"]["comment"]["value"] or ""
    reviewer = body["user"]["id"]
    postmortem_id, round_ = parse_round(view["private_metadata"])
    result = await review.decide(
        uow=deps.storage.uow(),
        postmortem_id=postmortem_id,
        round_=round_,
        reviewer=reviewer,
        decision="changes_requested",
        comment=comment,
        policy=deps.policy,
        now=deps.clock(),
    )
    await ack()
    said = deps.translator.gettext(
        "<@%(reviewer)s> asked for changes to the %(ref)s postmortem:",
        reviewer=reviewer,
        ref=result.incident.ref,
    )
    await send_dm_or_post(client, result.postmortem.author, said + "\n" + quoted(comment))
