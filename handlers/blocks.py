"""Block Kit and message texts, built in typed Python. User text is always escaped here."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.domain.commands import HELP_LINES
from bot.domain.model import DETECTIONS, INTERVENTIONS, Incident, Postmortem, TimelineEntry, Trigger
from bot.domain.mrkdwn import escape
from bot.services.lifecycle import Overview

CLOSE_MODAL = "close_incident"
WRITE_ANYWAY = "postmortem_write_anyway"
CAPTURE_SHORTCUT = "add_to_timeline"
CAPTURE_MODAL = "add_to_timeline_modal"
SLACK_INPUT_MAX = 3000  # Slack's limit for a text input's value
TIMELINE_MAX = 100  # entries shown by /incident timeline; the export has them all
LINE_MAX = 300  # characters of each entry shown there, so the message stays within Slack's limit
MARK_LABELS = {
    "detected": "Detected",
    "mitigated": "Mitigated",
    "impact-start": "Impact from",
    "impact-end": "Impact until",
}
Block = dict[str, Any]


def when(dt: datetime) -> str:
    """A time each reader sees in their own zone (Slack's date token), UTC as the fallback."""
    fallback = dt.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def help_text(unknown: str | None = None, topic: str | None = None) -> str:
    lines = [f"I don't know `{escape(unknown)}`. Here is what I can do:"] if unknown else []
    about = [line for line in HELP_LINES if topic and line[0].split()[1] == topic]
    if not about:
        lines.append("*furikaeri* — from incident to postmortem:")
    lines += [f"• `{usage}`\n    e.g. `{example}`" for usage, example in about or HELP_LINES]
    return "\n".join(lines)


def severity_text(severity: int | None) -> str:
    return f"SEV{severity}" if severity else "severity not set"


def summary_blocks(view: Overview, emoji: str) -> list[Block]:
    """The summary pinned in the incident channel: kept current as the incident moves."""
    incident = view.incident
    lines = [
        f"*Status:* {incident.status.capitalize()}"
        f"   *Severity:* {severity_text(incident.severity)}",
        f"*Declared by:* <@{incident.declared_by}>   *Started:* {when(incident.started_at)}",
    ]
    if view.roles:
        lines.append(
            "   ".join(
                f"*{role.capitalize()}:* <@{user}>" for role, user in sorted(view.roles.items())
            )
        )
    moments = [(MARK_LABELS[m], at) for m, at in view.marks.items()]
    moments += [("Resolved", incident.resolved_at), ("Closed", incident.closed_at)]
    key_times = [f"*{label}:* {when(at)}" for label, at in moments if at is not None]
    if key_times:
        lines.append("   ".join(key_times))
    return [
        {"type": "header", "text": {"type": "plain_text", "text": _header(incident)}},
        _section("\n".join(lines)),
        _context(
            f"Record what happens: `/incident note [HH:MM] <text>`, or react with :{emoji}: "
            "to a message · `/incident help`"
        ),
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


def entry_line(entry: TimelineEntry, *, limit: int | None = None) -> str:
    """One entry, for a reader: when (in their zone), who, what (escaped, maybe shortened)."""
    kind = "" if entry.kind in ("note", "message") else f"_{entry.kind}_ · "
    text = entry.text if limit is None or len(entry.text) <= limit else entry.text[:limit] + "…"
    return f"{when(entry.occurred_at)} · <@{entry.author}> · {kind}{escape(text)}"


def change_text(entry: TimelineEntry) -> str:
    """The in-channel echo of a status, severity, role or mark change."""
    return f"#{entry.seq} {entry_line(entry)}"


def timeline_text(incident: Incident, entries: list[TimelineEntry]) -> str:
    """`/incident timeline`: numbered entries; the newest ones if there are very many."""
    if not entries:
        return f"{incident.ref} has no timeline entries yet."
    shown = entries[-TIMELINE_MAX:]
    lines = [f"*{incident.ref} timeline* ({len(entries)} entries)"]
    if len(shown) < len(entries):
        lines.append(f"_{len(entries) - len(shown)} earlier entries: see `furikaeri export`._")
    lines += [f"`#{e.seq}` {entry_line(e, limit=LINE_MAX)}" for e in shown]
    return "\n".join(lines)


def roles_text(view: Overview, roles: tuple[str, ...]) -> str:
    held = [
        f"*{role.capitalize()}:* "
        + (f"<@{view.roles[role]}>" if role in view.roles else "_nobody yet_")
        for role in roles
    ]
    return f"Roles in {view.incident.ref}:\n" + "\n".join(held)


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


def draft_blocks(incident: Incident, pm: Postmortem, url: str | None) -> list[Block]:
    """The draft's message in the channel, with a button to write it here in Slack."""
    from handlers.writing_blocks import edit_button

    return [_section(draft_text(incident, url)), {"type": "actions", "elements": [edit_button(pm)]}]


def retro_invite_text(incident: Incident, pm: Postmortem, people: tuple[str, ...]) -> str:
    invited = ", ".join(f"<@{u}>" for u in people)
    return (
        f"{invited}: let's hold the {incident.ref} retrospective by {when(pm.retro_due_at)} "
        "(the .ics adds a slot to your calendar). Afterwards: `/incident retro held [notes]`."
    )


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


def capture_modal(incident: Incident, *, channel_id: str, ts: str, text: str) -> dict[str, Any]:
    """The shortcut's modal: the message's text and time, to adjust before adding."""
    at = {"type": "datetimepicker", "initial_date_time": int(float(ts))}
    if len(text) <= SLACK_INPUT_MAX:
        text_block = _input(
            "text",
            "Text",
            {
                "type": "plain_text_input",
                "multiline": True,
                "initial_value": text,
            },
        )
    else:  # too long to edit here; say so rather than cutting it silently
        text_block = _context(
            "This message is longer than Slack lets me show in a form; "
            "its full text will be added as it is."
        )
    return {
        "type": "modal",
        "callback_id": CAPTURE_MODAL,
        "private_metadata": json.dumps({"channel": channel_id, "ts": ts}),
        "title": {"type": "plain_text", "text": f"Add to {incident.ref}"[:24]},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [text_block, _input("at", "When it happened", at)],
    }
