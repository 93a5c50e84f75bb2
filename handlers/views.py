"""Modal submissions."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import incidents as svc
from handlers import close_form, forms
from handlers.deps import Deps
from handlers.errors import reported


def register(app: AsyncApp) -> None:
    app.view(forms.CLOSE_MODAL)(reported(on_close_submitted))


async def on_close_submitted(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    meta = json.loads(view["private_metadata"])
    closed_at, facts, reviewers = close_form.from_view(view["state"]["values"])
    await svc.close_incident(
        uow=deps.storage.uow(),
        channel_id=meta["channel_id"],
        closed_by=body["user"]["id"],
        closed_at=closed_at,
        facts=facts,
        reviewers=reviewers,
        policy=deps.policy,
        now=deps.clock(),
        response_url=_response_url(body),
    )
    await ack()  # closes the modal, once the close (and what it owes Slack) is committed


def _response_url(body: dict) -> str | None:
    urls = body.get("response_urls") or []
    return urls[0].get("response_url") if urls and isinstance(urls[0], dict) else None
