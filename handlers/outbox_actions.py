"""The Retry button on a stuck effect's notice."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.deps import Deps
from bot.domain.errors import BadCommand
from bot.domain.messages import N_
from bot.domain.outbox import KINDS
from bot.services import outbox
from handlers.errors import reported
from handlers.outbox_blocks import RETRY


def register(app: AsyncApp) -> None:
    app.action(RETRY)(reported(on_retry))


async def on_retry(ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond, context: dict):
    deps: Deps = context["deps"]
    incident_id, kind = _parse(str(action.get("value", "")))
    await ack()
    count = await outbox.retry_now(
        uow=deps.storage.uow(), incident_id=incident_id, kind=kind, now=deps.clock()
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
