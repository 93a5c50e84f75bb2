"""What each request did, said once when its work ends: a log line and the request metrics.

The surface is what Slack sent (`command /incident note`, `action approve`, `view close_modal`,
`shortcut capture`, `event reaction_added`); the outcome is `ok`, `refused` (a polite no the
person can act on), `unavailable` (the database or Slack was away) or `error` (a bug, logged
with its reference); the ack latency is from the listener's start to its `ack()` (events are
acked by Bolt before the listener runs: none).
"""

from __future__ import annotations

import logging
from typing import Any

from bot import metrics
from bot.domain.commands import SUBCOMMANDS
from bot.domain.errors import FurikaeriError
from bot.services.ports import Unavailable

log = logging.getLogger("furikaeri.requests")


def surface(body: dict[str, Any]) -> tuple[str, str]:
    """(kind, name) of a request, from a bounded set of names (metrics labels must be)."""
    kind = body.get("type")
    if "command" in body:
        verb = str(body.get("text") or "").split(maxsplit=1)
        name = verb[0].lower() if verb and verb[0].lower() in SUBCOMMANDS else "other"
        return "command", f"{body['command']} {name}" if verb else str(body["command"])
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return "action", str(actions[0].get("action_id", "unknown"))[:64]
    if kind in ("view_submission", "view_closed"):
        return "view", str((body.get("view") or {}).get("callback_id", "unknown"))[:64]
    if kind in ("shortcut", "message_action"):
        return "shortcut", str(body.get("callback_id", "unknown"))[:64]
    if kind == "event_callback":
        return "event", str((body.get("event") or {}).get("type", "unknown"))[:64]
    return "other", str(kind)[:64]


def outcome_of(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, FurikaeriError):
        return "refused"
    if isinstance(error, Unavailable):
        return "unavailable"
    return "error"


def request_done(
    body: dict[str, Any], *, ref: str | None, error: BaseException | None, ack_seconds: float | None
) -> None:
    kind, name = surface(body)
    outcome = outcome_of(error)
    metrics.REQUESTS.labels(kind, name, outcome).inc()
    if ack_seconds is not None:
        metrics.ACK_SECONDS.labels(kind).observe(ack_seconds)
    log.info(
        "%s %s: %s%s%s",
        kind,
        name,
        outcome,
        f" ({ref})" if ref else "",
        f", acked in {ack_seconds * 1000:.0f} ms" if ack_seconds is not None else "",
        extra={
            "surface": kind,
            "request": name,
            "ref": ref,
            "outcome": outcome,
            "ack_ms": None if ack_seconds is None else round(ack_seconds * 1000, 1),
        },
    )
