"""Events in incident channels: pins, edits and deletions of captured messages, responders.

Bolt acknowledges events before these run, so slow Slack calls here never delay the ack.
Events from other channels stop at the cached channel lookup.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.mrkdwn import unescape_slack
from bot.services import capture, people
from handlers.deps import Deps
from handlers.errors import reported
from handlers.people import person_of
from handlers.slack_reading import fetch_message


def register(app: AsyncApp) -> None:
    app.event("reaction_added")(reported(on_reaction_added))
    app.event("reaction_removed")(reported(on_reaction_removed))
    app.event({"type": "message", "subtype": "message_changed"})(reported(on_message_changed))
    app.event({"type": "message", "subtype": "message_deleted"})(reported(on_message_deleted))
    app.event("message")(reported(on_other_message))
    app.event("member_joined_channel")(reported(on_member_joined))
    app.event("user_change")(reported(on_user_change))


async def _pinned_incident(event: dict, deps: Deps) -> int | None:
    """The incident whose channel holds the message, when this reaction is the capture emoji."""
    item = event.get("item", {})
    if event.get("reaction") != deps.policy.capture_emoji or item.get("type") != "message":
        return None
    return await deps.channels.incident_id(item.get("channel", ""))


async def on_reaction_added(body: dict, event: dict, client: AsyncWebClient, context: dict) -> None:
    deps: Deps = context["deps"]
    incident_id = await _pinned_incident(event, deps)
    if incident_id is None:
        return
    channel, ts, user = event["item"]["channel"], event["item"]["ts"], event["user"]
    uow = deps.storage.uow
    # The pin counts at once, so a quick un-pin during the slow fetch below is not lost.
    await capture.add_vote(uow=uow(), incident_id=incident_id, message_ts=ts, user=user)
    if await capture.is_captured(uow=uow(), incident_id=incident_id, message_ts=ts):
        return
    message = await fetch_message(client, channel, ts)
    await capture.capture(
        uow_factory=uow,
        incident_id=incident_id,
        message=message,
        by=user,
        source="reaction",
        now=deps.clock(),
    )


async def on_reaction_removed(body: dict, event: dict, context: dict) -> None:
    deps: Deps = context["deps"]
    incident_id = await _pinned_incident(event, deps)
    if incident_id is not None:
        await capture.release(
            uow=deps.storage.uow(),
            incident_id=incident_id,
            message_ts=event["item"]["ts"],
            user=event["user"],
            now=deps.clock(),
        )


async def on_message_changed(body: dict, event: dict, context: dict) -> None:
    deps: Deps = context["deps"]
    incident_id = await deps.channels.incident_id(event.get("channel", ""))
    message = event.get("message", {})
    if incident_id is None or "ts" not in message:
        return
    if message.get("subtype") == "tombstone":  # a deleted thread parent that keeps its replies
        await capture.follow_delete(
            uow=deps.storage.uow(),
            incident_id=incident_id,
            message_ts=message["ts"],
            now=deps.clock(),
        )
        return
    editor = (message.get("edited") or {}).get("user") or message.get("user") or "unknown"
    await capture.follow_edit(
        uow=deps.storage.uow(),
        incident_id=incident_id,
        message_ts=message["ts"],
        text=unescape_slack(message.get("text", "")),
        editor=editor,
        now=deps.clock(),
    )


async def on_message_deleted(body: dict, event: dict, context: dict) -> None:
    deps: Deps = context["deps"]
    incident_id = await deps.channels.incident_id(event.get("channel", ""))
    if incident_id is not None and event.get("deleted_ts"):
        await capture.follow_delete(
            uow=deps.storage.uow(),
            incident_id=incident_id,
            message_ts=event["deleted_ts"],
            now=deps.clock(),
        )


async def on_other_message(body: dict, context: dict) -> None:
    """Ordinary chatter is not timeline material until someone pins it."""


async def on_member_joined(body: dict, event: dict, context: dict) -> None:
    deps: Deps = context["deps"]
    if event.get("user") == context.get("bot_user_id"):
        return
    incident_id = await deps.channels.incident_id(event.get("channel", ""))
    if incident_id is not None:
        await capture.add_responder(
            uow=deps.storage.uow(), incident_id=incident_id, user=event["user"], at=deps.clock()
        )


async def on_user_change(body: dict, event: dict, context: dict) -> None:
    """Someone changed their name or zone: documents written from now on say it so."""
    deps: Deps = context["deps"]
    user = event.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return
    deps.people.forget(user["id"])
    await people.remember_person(
        uow=deps.storage.uow(),
        person=person_of(user, user["id"]),
        now=deps.clock(),
        known_only=True,
    )
