"""Buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import incidents as svc
from handlers import blocks
from handlers.deps import Deps
from handlers.errors import reported
from handlers.slack_reading import channel_member, parse_id


def register(app: AsyncApp) -> None:
    app.action(blocks.WRITE_ANYWAY)(reported(on_write_anyway))


async def on_write_anyway(
    ack: AsyncAck,
    body: dict,
    action: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict,
) -> None:
    deps: Deps = context["deps"]
    await ack()
    channel, user = body["channel"]["id"], body["user"]["id"]
    await svc.start_postmortem_anyway(
        uow=deps.storage.uow(),
        incident_id=parse_id(action["value"]),
        channel_id=channel,
        author=user,
        member=await channel_member(client, channel, user),
        policy=deps.policy,
        now=deps.clock(),
        response_url=body.get("response_url"),
    )  # its draft is shared by the outbox
    if user in deps.policy.reviewers:  # a default reviewer became the author: say why
        await respond(
            text=deps.translator.gettext(
                "You write this postmortem, so you are not among its reviewers; name someone "
                "else with `/incident postmortem reviewers @a @b` if it needs more."
            ),
            response_type="ephemeral",
            replace_original=False,
        )
