"""The message shortcut "Add to incident timeline", and its small modal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.domain.errors import BadTime
from bot.domain.mrkdwn import unescape_slack
from bot.services import capture
from bot.services import incidents as svc
from handlers import blocks, forms
from handlers.close_form import FieldError
from handlers.errors import reported
from handlers.slack_reading import fetch_message


def register(app: AsyncApp) -> None:
    app.shortcut(blocks.CAPTURE_SHORTCUT)(reported(on_capture_shortcut))
    app.view(forms.CAPTURE_MODAL)(reported(on_capture_submitted))


async def on_capture_shortcut(
    ack: AsyncAck, body: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    channel, message = body["channel"]["id"], body["message"]
    incident = await svc.incident_in_channel(uow=deps.storage.uow(), channel_id=channel)
    await ack()
    view = forms.capture_modal(
        deps.translator,
        incident,
        channel_id=channel,
        ts=message["ts"],
        text=unescape_slack(message.get("text", "")),
    )
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def on_capture_submitted(
    ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    meta = json.loads(view["private_metadata"])
    values = view["state"]["values"]
    at = datetime.fromtimestamp(int(values["at"]["at"]["selected_date_time"]), UTC)
    text = (values.get("text", {}).get("text", {}).get("value") or "").strip() or None
    try:
        incident_id = await capture.check_capture_time(
            uow=deps.storage.uow(), channel_id=meta["channel"], at=at, now=deps.clock()
        )
    except BadTime as exc:
        raise FieldError("at", exc.message) from exc
    await ack()
    message = await fetch_message(client, meta["channel"], meta["ts"])
    user = body["user"]["id"]
    entry = await capture.capture(
        uow_factory=deps.storage.uow,
        incident_id=incident_id,
        message=message,
        by=user,
        source="shortcut",
        at=at,
        text=text,
        now=deps.clock(),
    )
    assert entry is not None  # only a pin's capture can be withdrawn
    await client.chat_postEphemeral(
        channel=meta["channel"],
        user=user,
        text=deps.translator.gettext("Added to the timeline as #%(n)s.", n=entry.seq),
    )
