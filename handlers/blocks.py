"""Block Kit and message texts, built in typed Python. User text is always escaped here."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.domain.commands import HELP_LINES
from bot.domain.model import DETECTIONS, INTERVENTIONS, Incident, Postmortem, TimelineEntry, Trigger
from bot.domain.mrkdwn import escape

CLOSE_MODAL = "close_incident"
WRITE_ANYWAY = "postmortem_write_anyway"
Block = dict[str, Any]


def when(dt: datetime) -> str:
    """A time each reader sees in their own zone (Slack's date token), UTC as the fallback."""
    fallback = dt.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def help_text(unknown: str | None = None) -> str:
    lines = [f"I don't know `{escape(unknown)}`. Here is what I can do:"] if unknown else []
    lines.append("*furikaeri* — from incident to postmortem:")
    lines += [f"• `{usage}`\n    e.g. `{example}`" for usage, example in HELP_LINES]
    return "\n".join(lines)


def severity_text(severity: int | None) -> str:
    return f"SEV{severity}" if severity else "severity not set"


def summary_blocks(incident: Incident) -> list[Block]:
    """The summary pinned in the incident channel."""
    status = "Closed" if incident.is_closed else "Open"
    lines = [
        f"*Status:* {status}   *Severity:* {severity_text(incident.severity)}",
        f"*Declared by:* <@{incident.declared_by}>   *Started:* {when(incident.started_at)}",
    ]
    if incident.closed_at:
        lines.append(f"*Closed:* {when(incident.closed_at)}")
    return [
        {"type": "header", "text": {"type": "plain_text", "text": _header(incident)}},
        _section("\n".join(lines)),
        _context("Record what happens: `/incident note [HH:MM] <text>` · close: `/incident close`"),
    ]


def _header(incident: Incident) -> str:
    # Header blocks are plain text (nothing to escape) and at most 150 characters.
    text = f"{incident.ref}: {incident.title}"
    return text if len(text) <= 150 else text[:149] + "…"


def summary_fallback(incident: Incident) -> str:
    return f"{incident.ref}: {escape(incident.title)}"


def declared_text(incident: Incident, channel_id: str) -> str:
    return f"Declared *{incident.ref}*: {escape(incident.title)} → <#{channel_id}>"


def note_text(entry: TimelineEntry) -> str:
    """The in-channel echo of a note: everyone sees it, and it can't ping or link."""
    return f"Noted at {when(entry.occurred_at)} by <@{entry.author}>: {escape(entry.text)}"


def outcome_blocks(
    incident: Incident, triggers: list[Trigger], postmortem: Postmortem | None
) -> list[Block]:
    """What closing found: which triggers fired and why, or that none did."""
    head = f"*{incident.ref} closed* by <@{incident.closed_by}>."
    if triggers:
        reasons = "\n".join(f"• `{t.id}` — {escape(t.reason)}" for t in triggers)
        author = f"<@{postmortem.author}>" if postmortem else "someone"
        return [
            _section(f"{head} A postmortem is needed:\n{reasons}"),
            _context(f"Drafting it now; {author} is the author. Blameless: focus on causes."),
        ]
    button = {
        "type": "button",
        "action_id": WRITE_ANYWAY,
        "text": {"type": "plain_text", "text": "Write one anyway"},
        "value": str(incident.id),
    }
    return [
        _section(f"{head} No postmortem trigger fired, so none is required."),
        {"type": "actions", "elements": [button]},
    ]


def outcome_fallback(incident: Incident, triggers: list[Trigger]) -> str:
    fired = ", ".join(t.id for t in triggers) or "no trigger"
    return f"{incident.ref} closed: {fired} fired."


def draft_text(incident: Incident, url: str | None) -> str:
    where = f"<{url}|the postmortem draft>" if url else "the postmortem draft"
    return f"Here is {where} for *{incident.ref}*. Fill it in while memories are fresh."


def close_modal(
    incident: Incident,
    *,
    closed_at: datetime,
    impact: str,
    data_loss: bool | None,
    intervention: str | None,
    detected_by: str | None,
    reviewers: tuple[str, ...],
) -> dict[str, Any]:
    """The modal that asks for the close facts, pre-filled with what is known."""
    blocks = [
        _input(
            "closed_at",
            "Closed at",
            {
                "type": "datetimepicker",
                "initial_date_time": int(closed_at.timestamp()),
            },
        ),
        _input(
            "impact",
            "User impact (e.g. 25m, 1h30m, or none)",
            {
                "type": "plain_text_input",
                "initial_value": impact,
            },
        ),
        _input("data_loss", "Was any data lost?", _radio(["no", "yes"], _yes_no(data_loss))),
        _input("intervention", "Engineer intervention", _select(INTERVENTIONS, intervention)),
        _input("detected_by", "Detected by", _select(DETECTIONS, detected_by)),
        _input(
            "reviewers",
            "Postmortem reviewers",
            {
                "type": "multi_users_select",
                **({"initial_users": list(reviewers)} if reviewers else {}),
            },
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CLOSE_MODAL,
        "private_metadata": json.dumps(
            {"incident_id": incident.id, "channel_id": incident.channel_id}
        ),
        "title": {"type": "plain_text", "text": f"Close {incident.ref}"[:24]},
        "submit": {"type": "plain_text", "text": "Close incident"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": block_id},
    }


def _option(value: str) -> Block:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


def _select(values: tuple[str, ...], initial: str | None) -> Block:
    element: Block = {"type": "static_select", "options": [_option(v) for v in values]}
    if initial:
        element["initial_option"] = _option(initial)
    return element


def _radio(values: list[str], initial: str | None) -> Block:
    element: Block = {"type": "radio_buttons", "options": [_option(v) for v in values]}
    if initial:
        element["initial_option"] = _option(initial)
    return element


def impact_text(impact: timedelta | None) -> str:
    """How a known impact pre-fills the modal's text field, in the form the parser reads."""
    if impact is None:
        return "none"
    days, rest = divmod(int(impact.total_seconds()), 86_400)
    hours, rest = divmod(rest, 3_600)
    mins, secs = divmod(rest, 60)
    parts = zip((days, hours, mins, secs), "dhms", strict=True)
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0m"
