"""Buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import incidents as svc
from handlers import blocks
from handlers.errors import reported


def register(app: AsyncApp) -> None:
    app.action(blocks.WRITE_ANYWAY)(reported(on_write_anyway))


async def on_write_anyway(
    ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    await ack()
    await svc.start_postmortem_anyway(
        uow=deps.storage.uow(),
        incident_id=int(action["value"]),
        author=body["user"]["id"],
        policy=deps.policy,
        now=deps.clock(),
        response_url=body.get("response_url"),
    )  # its draft is shared by the outbox
