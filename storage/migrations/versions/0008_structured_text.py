"""What the bot records is stored as fields, never as English to be read back: a timeline entry
the bot wrote (declared, closed, status, severity, role, a mark without words) keeps its
message's fields in a new `said` column and an empty `text`; a trigger keeps its reason's fields
(`{id, said}`, durations in seconds) instead of `{id, reason}`. Both are said in each reader's
language when read.

Existing rows are read once, here, with the patterns of the English the previous versions wrote.
They are copied into this file so that it never changes with the code. A row that doesn't match
them is people's words (or words an older version wrote differently) and stays as it is.
Downgrading writes the English back.

Revision ID: 0008_structured_text
Revises: 0007_seen_requests
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_structured_text"
down_revision = "0007_seen_requests"
branch_labels = None
depends_on = None

SAID = sa.JSON(none_as_null=True)
entries = sa.table(
    "timeline_entries",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("text", sa.Text),
    sa.column("said", SAID),
)
postmortems = sa.table("postmortems", sa.column("id", sa.Integer), sa.column("triggers", sa.JSON))

# --- the English of the previous versions, as they wrote it --------------------------------------

MARKS = {
    "detected": "Detected",
    "mitigated": "Mitigated",
    "impact-start": "User impact started",
    "impact-end": "User impact ended",
}
ROLES = {"Commander": "commander", "Comms": "comms", "Scribe": "scribe"}
_DECLARED = re.compile(r"Declared INC-([0-9]+): (.+)", re.DOTALL)
_CLOSED = re.compile(r"Closed INC-([0-9]+)")
_STATUS = re.compile(r"Status: (investigating|identified|monitoring|resolved)")
_SEVERITY = re.compile(r"Severity: SEV([0-9]+) \(was (?:SEV([0-9]+)|not set)\)")
_ROLE = re.compile(r"(Commander|Comms|Scribe): (.+)", re.DOTALL)

_IMPACT = re.compile(r"user impact (.+?) ≥ (.+)", re.DOTALL)
_DURATION = re.compile(r"time to resolve (.+?) ≥ (.+)", re.DOTALL)
_INTERVENTION = re.compile(r"engineers intervened \((.+?)\)", re.DOTALL)
_SEVERITY_REASON = re.compile(r"severity ([0-9]+) \(policy: sev ([0-9]+) or worse\)")
DATA_LOSS = "data was lost"
DETECTIONS = {
    "human": "detected by a human, not by monitoring",
    "customer": "detected by a customer, not by monitoring",
}
_UNITS = {"d": 86_400, "h": 3_600, "min": 60, "s": 1}


def format_duration(seconds: int) -> str:
    """``27 min``, ``1 h 30 min``, ``45 s``: how the previous versions wrote a duration."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds == 0:
        return "0 min"
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, mins = divmod(rest, 60)
    return " ".join(f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "min")) if n)


def read_duration(text: str) -> int | None:
    """Seconds of a duration as ``format_duration`` wrote it; None for any other text."""
    words = text.removeprefix("-").split(" ")
    try:
        pairs = zip(words[::2], words[1::2], strict=True)
        seconds = sum(int(n) * _UNITS[unit] for n, unit in pairs)
    except (KeyError, ValueError):
        return None
    seconds = -seconds if text.startswith("-") else seconds
    return seconds if format_duration(seconds) == text else None


# --- reading it into fields -----------------------------------------------------------------------


def entry_fields(kind: str, text: str) -> dict[str, Any] | None:
    """The fields of an entry the bot wrote, from its English; None for people's words."""
    if kind in MARKS:
        return {} if text == MARKS[kind] else None
    if kind == "declared" and (m := _DECLARED.fullmatch(text)):
        return {"number": int(m[1]), "title": m[2]}
    if kind == "closed" and (m := _CLOSED.fullmatch(text)):
        return {"number": int(m[1])}
    if kind == "status" and (m := _STATUS.fullmatch(text)):
        return {"status": m[1]}
    if kind == "severity" and (m := _SEVERITY.fullmatch(text)):
        return {"severity": int(m[1]), "was": int(m[2]) if m[2] else None}
    if kind == "role" and (m := _ROLE.fullmatch(text)):
        return {"role": ROLES[m[1]], "user": None, "name": m[2]}  # the text named no user id
    return None


def _durations(match: re.Match[str] | None, *names: str) -> dict[str, Any] | None:
    if match is None:
        return None
    seconds = [read_duration(match[i + 1]) for i in range(len(names))]
    if any(s is None for s in seconds):
        return None
    return dict(zip(names, seconds, strict=True))


def reason_fields(trigger_id: str, reason: str) -> dict[str, Any] | None:
    """The fields of a trigger's reason, from its English; None for other words."""
    if trigger_id == "impact":
        return _durations(_IMPACT.fullmatch(reason), "impact", "threshold")
    if trigger_id == "duration":
        return _durations(_DURATION.fullmatch(reason), "took", "threshold")
    if trigger_id == "data-loss":
        return {} if reason == DATA_LOSS else None
    if trigger_id == "intervention" and (m := _INTERVENTION.fullmatch(reason)):
        return {"how": m[1]}
    if trigger_id == "detection":
        by = {text: by for by, text in DETECTIONS.items()}.get(reason)
        return None if by is None else {"by": by}
    if trigger_id == "severity" and (m := _SEVERITY_REASON.fullmatch(reason)):
        return {"severity": int(m[1]), "threshold": int(m[2])}
    return None


# --- and back into English ------------------------------------------------------------------------


def entry_english(kind: str, said: dict[str, Any]) -> str | None:
    if kind in MARKS:
        return MARKS[kind]
    if kind == "declared":
        return f"Declared INC-{said['number']}: {said['title']}"
    if kind == "closed":
        return f"Closed INC-{said['number']}"
    if kind == "status":
        return f"Status: {said['status']}"
    if kind == "severity":
        was = f"SEV{said['was']}" if said.get("was") else "not set"
        return f"Severity: SEV{said['severity']} (was {was})"
    if kind == "role":
        return f"{str(said['role']).capitalize()}: {said['name']}"
    return None


def reason_english(trigger_id: str, said: dict[str, Any]) -> str | None:
    fd = format_duration
    sev, threshold = said.get("severity"), said.get("threshold")
    said_as: dict[str, Callable[[], str]] = {
        "impact": lambda: f"user impact {fd(said['impact'])} ≥ {fd(said['threshold'])}",
        "duration": lambda: f"time to resolve {fd(said['took'])} ≥ {fd(said['threshold'])}",
        "data-loss": lambda: DATA_LOSS,
        "intervention": lambda: f"engineers intervened ({said['how']})",
        "detection": lambda: DETECTIONS.get(said["by"], ""),
        "severity": lambda: f"severity {sev} (policy: sev {threshold} or worse)",
    }
    english = said_as.get(trigger_id)
    return None if english is None else english()


# --- the migration --------------------------------------------------------------------------------

_SET_ENTRY = (
    sa.update(entries)
    .where(entries.c.id == sa.bindparam("row_id"))
    .values(text=sa.bindparam("new_text"), said=sa.bindparam("new_said", type_=SAID))
)
_SET_TRIGGERS = (
    sa.update(postmortems)
    .where(postmortems.c.id == sa.bindparam("row_id"))
    .values(triggers=sa.bindparam("new_triggers", type_=sa.JSON))
)
_BOT_KINDS = ("declared", "closed", "status", "severity", "role", *MARKS)


def upgrade() -> None:
    op.add_column("timeline_entries", sa.Column("said", SAID))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(entries.c.id, entries.c.kind, entries.c.text).where(
            entries.c.kind.in_(_BOT_KINDS)
        )
    ).all()
    changed = [
        {"row_id": row.id, "new_text": "", "new_said": said}
        for row in rows
        if (said := entry_fields(row.kind, row.text)) is not None
    ]
    if changed:
        conn.execute(_SET_ENTRY, changed)
    _rewrite_triggers(conn, _trigger_fields)


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(entries.c.id, entries.c.kind, entries.c.said).where(entries.c.said.is_not(None))
    ).all()
    changed = [
        {"row_id": row.id, "new_text": english, "new_said": None}
        for row in rows
        if (english := entry_english(row.kind, row.said)) is not None
    ]
    if changed:
        conn.execute(_SET_ENTRY, changed)
    _rewrite_triggers(conn, _trigger_english)
    with op.batch_alter_table("timeline_entries") as batch:
        batch.drop_column("said")


def _trigger_fields(trigger: dict[str, Any]) -> dict[str, Any]:
    if "reason" not in trigger:
        return trigger
    said = reason_fields(trigger["id"], trigger["reason"])
    return trigger if said is None else {"id": trigger["id"], "said": said}


def _trigger_english(trigger: dict[str, Any]) -> dict[str, Any]:
    if "said" not in trigger:
        return trigger
    english = reason_english(trigger["id"], trigger["said"])
    return {"id": trigger["id"], "reason": english if english is not None else ""}


def _rewrite_triggers(
    conn: sa.Connection, rewrite: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    changed = []
    for row in conn.execute(sa.select(postmortems.c.id, postmortems.c.triggers)).all():
        triggers = [rewrite(t) for t in row.triggers]
        if triggers != row.triggers:
            changed.append({"row_id": row.id, "new_triggers": triggers})
    if changed:
        conn.execute(_SET_TRIGGERS, changed)
