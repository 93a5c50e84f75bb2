"""An incident's lifecycle: its statuses, the response roles, the marked moments and the metrics.

Marks are timeline entries whose kind names a moment (``detected``, ``mitigated``,
``impact-start``, ``impact-end``). The metrics are spans between those moments, the start and the
end of the incident. All times are aware datetimes (UTC in the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from bot.domain.messages import N_, Message
from bot.domain.model import incident_ref

STATUSES = ("investigating", "identified", "monitoring", "resolved")
ROLES = (N_("commander"), N_("comms"), N_("scribe"))  # also their own message ids
MARKS = ("detected", "mitigated", "impact-start", "impact-end")
MARK_TEXT = {  # a mark's text when nobody wrote one
    "detected": N_("Detected"),
    "mitigated": N_("Mitigated"),
    "impact-start": N_("User impact started"),
    "impact-end": N_("User impact ended"),
}
# What the timeline records for a change of state, by entry kind. Stored as the fields of the
# message (see ``said``), said in each reader's language (bot.wording.entry_text).
ENTRY_TEXTS = {
    "declared": N_("Declared %(ref)s: %(title)s"),
    "closed": N_("Closed %(ref)s"),
    "status": N_("Status: %(status)s"),
    "severity": N_("Severity: SEV%(severity)s (was %(was)s)"),
    "role": N_("%(role)s: %(name)s"),
    **MARK_TEXT,
}

# What a timeline entry that is not a plain note records, as a word a reader sees
# (/incident timeline marks entries with it; an error names the change it can't rewrite).
ENTRY_KINDS = {
    "declared": N_("declared"),
    "closed": N_("closed"),
    "status": N_("status"),
    "severity": N_("severity"),
    "role": N_("role"),
    "detected": N_("detected"),
    "mitigated": N_("mitigated"),
    "impact-start": N_("impact-start"),
    "impact-end": N_("impact-end"),
}

ROLE_DUTIES: dict[str, str] = {
    "commander": N_(
        "Leads the response: sets priorities, makes the calls and hands out the work "
        "rather than doing it all. Owns the incident until it is closed."
    ),
    "comms": N_(
        "Keeps stakeholders and support informed with regular updates, "
        "so the responders can keep working undisturbed."
    ),
    "scribe": N_(
        "Records the timeline as it happens: what was seen, decided and done, and when. "
        "The postmortem is written from these notes."
    ),
}


# Said when a change meets an incident that was closed between reading and writing it.
CLOSED_MEANWHILE = N_("The incident was closed a moment ago.")


# --- what the bot records: the fields of each kind's message -----------------------------------
# People are stored by id (with the name the message showed), statuses and roles by their ids.


def said_declared(number: int, title: str) -> dict[str, Any]:
    return {"number": number, "title": title}


def said_closed(number: int) -> dict[str, Any]:
    return {"number": number}


def said_status(status: str) -> dict[str, Any]:
    return {"status": status}


def said_severity(severity: int, was: int | None) -> dict[str, Any]:
    return {"severity": severity, "was": was}


def said_role(role: str, user: str | None, name: str) -> dict[str, Any]:
    """``user`` is None only in entries recorded before the fields were (no id in their text)."""
    return {"role": role, "user": user, "name": name}


def said_mark() -> dict[str, Any]:
    """A mark nobody wrote words for: its kind says it all."""
    return {}


def said_message(kind: str, said: Mapping[str, Any]) -> Message:
    """What the bot recorded in an entry of ``kind``, as a message whose parameters are the
    English words the reader's language replaces (a status, a role, "not set"); ``str()`` of it
    is the English text stored until this version."""
    params: dict[str, object]
    if kind in ("declared", "closed"):
        params = {"ref": incident_ref(said["number"])}
        if kind == "declared":
            params["title"] = said["title"]
    elif kind == "severity":
        was = said["was"]
        params = {"severity": said["severity"], "was": f"SEV{was}" if was else N_("not set")}
    elif kind == "role":
        params = {"role": str(said["role"]).capitalize(), "name": said["name"]}
    elif kind == "status":
        params = {"status": said["status"]}
    else:  # a mark
        params = {}
    return Message(ENTRY_TEXTS[kind], params)


@dataclass(frozen=True)
class Metrics:
    """How long the incident took to detect, mitigate and resolve, and how long users felt it.

    Each is None when a moment it needs is unknown, or when the marks contradict each other.
    """

    time_to_detect: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    impact: timedelta | None

    def as_minutes(self) -> dict[str, float | None]:
        """Each metric in minutes, rounded to one decimal (None when unknown)."""
        spans = {field.name: getattr(self, field.name) for field in fields(self)}
        return {
            name: None if span is None else round(span / timedelta(minutes=1), 1)
            for name, span in spans.items()
        }


def _span(start: datetime | None, end: datetime | None) -> timedelta | None:
    """``end - start``, or None when either is unknown or the end comes first."""
    if start is None or end is None or end < start:
        return None
    return end - start


def impact_from_marks(marks: Mapping[str, datetime], end: datetime | None) -> timedelta | None:
    """From the impact-start mark to the impact-end mark, or to ``end`` when there is none.

    ``end`` is when the incident was over (resolved, else closed), or None while it is not:
    an impact that started and was never marked as ended lasted until then. No impact-start
    mark, or an end before the start, gives None.
    """
    return _span(marks.get("impact-start"), marks.get("impact-end") or end)


def derive_metrics(
    *,
    started_at: datetime,
    marks: Mapping[str, datetime],
    resolved_at: datetime | None,
    closed_at: datetime | None,
) -> Metrics:
    """The metrics from the start, the latest mark of each kind (see latest_marks) and the end.

    The end is the resolution, else the close; an impact never marked as ended lasts until
    then (see impact_from_marks). A span that would be negative (a mark placed before the
    start) is None: inconsistent marks give no figure rather than a wrong one.
    """
    end = resolved_at or closed_at
    return Metrics(
        time_to_detect=_span(started_at, marks.get("detected")),
        time_to_mitigate=_span(started_at, marks.get("mitigated")),
        time_to_resolve=_span(started_at, end),
        impact=impact_from_marks(marks, end),
    )


def latest_marks(entries: Iterable[tuple[str, datetime]]) -> dict[str, datetime]:
    """The latest time of each mark kind among ``(kind, occurred_at)`` pairs; others ignored.

    The latest wins because marking a moment again is how people correct it.
    """
    latest: dict[str, datetime] = {}
    for kind, at in entries:
        if kind in MARKS and (kind not in latest or at > latest[kind]):
            latest[kind] = at
    return latest
