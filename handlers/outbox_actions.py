"""The Retry button on a stuck effect's notice."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import BadCommand
from bot.domain.messages import N_
from bot.domain.outbox import KINDS
from bot.services import effects, outbox
from handlers.deps import Deps
from handlers.errors import reported
from handlers.outbox_blocks import RETRY
from handlers.slack_reading import channel_member


def register(app: AsyncApp) -> None:
    app.action(RETRY)(reported(on_retry))


async def on_retry(
    ack: AsyncAck,
    body: dict,
    action: dict,
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict,
) -> None:
    deps: Deps = context["deps"]
    incident_id, kind = _parse(str(action.get("value", "")))
    await ack()
    user = body["user"]["id"]
    # Membership of the incident's channel, wherever the button was pressed (a DM, say).
    incident, _ = await effects.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=incident_id
    )
    channel = incident.channel_id if incident else None
    count = await outbox.retry_now(
        uow=deps.storage.uow(),
        incident_id=incident_id,
        kind=kind,
        now=deps.clock(),
        by=user,
        member=bool(channel) and await channel_member(client, str(channel), user),
    )
    t = deps.translator
    await respond(
        text=t.gettext("Trying again now.") if count else t.gettext("Nothing is waiting there."),
        response_type="ephemeral",
        replace_original=False,
    )


def _parse(value: str) -> tuple[int, str]:
    """The button's value is untrusted: `<incident id>:<kind>`."""
    number, _, kind = value.partition(":")
    if not number.isdigit() or kind not in KINDS:
        raise BadCommand(N_("That button is not one of mine."))
    return int(number), kind
