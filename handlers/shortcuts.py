"""The message shortcut "Add to incident timeline", and its small modal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import BadTime
from bot.domain.mrkdwn import unescape_slack
from bot.services import capture
from handlers import blocks, forms
from handlers.close_form import FieldError
from handlers.deps import Deps
from handlers.errors import reported
from handlers.slack_reading import channel_member, fetch_message


def register(app: AsyncApp) -> None:
    app.shortcut(blocks.CAPTURE_SHORTCUT)(reported(on_capture_shortcut))
    app.view(forms.CAPTURE_MODAL)(reported(on_capture_submitted))


async def on_capture_shortcut(
    ack: AsyncAck, body: dict, client: AsyncWebClient, context: dict
) -> None:
    deps: Deps = context["deps"]
    channel, message, user = body["channel"]["id"], body["message"], body["user"]["id"]
    incident = await capture.incident_to_capture(
        uow=deps.storage.uow(),
        channel_id=channel,
        by=user,
        member=await channel_member(client, channel, user),
    )
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
    user = body["user"]["id"]
    member = await channel_member(client, meta["channel"], user)  # the form is untrusted
    await capture.incident_to_capture(
        uow=deps.storage.uow(), channel_id=meta["channel"], by=user, member=member
    )
    try:
        incident_id = await capture.check_capture_time(
            uow=deps.storage.uow(), channel_id=meta["channel"], at=at, now=deps.clock()
        )
    except BadTime as exc:
        raise FieldError("at", exc.message) from exc
    await ack()
    message = await fetch_message(client, meta["channel"], meta["ts"])
    entry = await capture.capture(
        uow_factory=deps.storage.uow,
        incident_id=incident_id,
        message=message,
        by=user,
        source="shortcut",
        at=at,
        text=text,
        member=member,
        now=deps.clock(),
    )
    assert entry is not None  # only a pin's capture can be withdrawn
    await client.chat_postEphemeral(
        channel=meta["channel"],
        user=user,
        text=deps.translator.gettext("Added to the timeline as #%(n)s.", n=entry.seq),
    )
