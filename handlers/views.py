"""Modal submissions."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.services import incidents as svc
from handlers import close_form, forms
from handlers.closing import announce_close
from handlers.errors import reported


def register(app: AsyncApp) -> None:
    app.view(forms.CLOSE_MODAL)(reported(on_close_submitted))


async def on_close_submitted(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    meta = json.loads(view["private_metadata"])
    closed_at, facts, reviewers = close_form.from_view(view["state"]["values"])
    outcome = await svc.close_incident(
        uow=deps.storage.uow(),
        channel_id=meta["channel_id"],
        closed_by=body["user"]["id"],
        closed_at=closed_at,
        facts=facts,
        reviewers=reviewers,
        policy=deps.policy,
        now=deps.clock(),
    )
    await ack()  # closes the modal, only once the close is committed
    await announce_close(client, deps, outcome)
