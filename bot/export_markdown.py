"""`furikaeri export --format md`, and the document shared in Slack.

The Markdown export is the document shared in Slack, made ready to commit to a repository of
postmortems: YAML front matter first (the facts, for scripts and static-site generators), then
a Mermaid timeline of the key moments after the document's heading block (GitHub and GitLab
draw it; Slack canvases don't, so the canvas draft has none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.domain.lifecycle import MARKS, latest_marks
from bot.domain.model import Postmortem
from bot.domain.mrkdwn import readable
from bot.domain.policy import Policy
from bot.export import iso_z
from bot.render import Renderer, format_dt, zone_label
from bot.services.reports import IncidentReport, participants

TIMELINE_TEMPLATE = "export_timeline.md.j2"
MERMAID_TEXT_LIMIT = 80  # characters of user text per event: a diagram, not the table


def draft_markdown(
    report: IncidentReport,
    *,
    postmortem: Postmortem,
    names: Mapping[str, str],
    policy: Policy,
    renderer: Renderer,
    now: datetime | None = None,
    checklist: bool = False,
) -> str:
    """The postmortem document as it is shared in Slack (action items as a table), or, with
    `checklist`, as exported (action items as a Markdown checklist)."""
    return renderer.postmortem_markdown(
        incident=report.incident,
        postmortem=postmortem,
        timeline=report.timeline,
        names=names,
        locale=policy.locale,
        tz=policy.document_tz(report.incident.tz),
        now=now,
        participants=participants(report, policy, now),
        checklist=checklist,
    )


def to_markdown(report: IncidentReport, *, policy: Policy, renderer: Renderer) -> str:
    """Front matter, then the rendered draft with a Mermaid timeline of the key moments.

    People appear by the names Slack last gave (the people table; the export does not ask
    Slack); someone never seen appears by their Slack id. The front matter keeps both.
    """
    pm = report.postmortem or Postmortem(
        id=0,
        incident_id=report.incident.id,
        status="none",
        author=report.incident.declared_by,
        reviewers=(),
        created_at=report.incident.declared_at,
        triggers=(),
    )
    document = draft_markdown(
        report, postmortem=pm, names=report.names, policy=policy, renderer=renderer, checklist=True
    )
    diagram = mermaid_timeline(report, policy=policy, renderer=renderer)
    return front_matter(report) + _after_heading_block(document, diagram)


# --- front matter -------------------------------------------------------------------------------


def front_matter_fields(report: IncidentReport) -> dict[str, Any]:
    """The facts a repository of postmortems indexes on; these keys are an interface.

    Times are ISO 8601 UTC strings; durations are minutes. ``duration_minutes`` runs from the
    start to the resolution (else the close); ``impact_minutes`` is 0 when the incident closed
    without user impact and null while it is still open. A person is ``{id, name}``.
    """
    incident, pm = report.incident, report.postmortem
    facts = incident.facts
    impact = None if facts is None else _minutes(facts.impact or timedelta(0))
    return {
        "id": incident.ref,
        "title": _plain(incident.title),
        "severity": incident.severity,
        "status": incident.status,
        "private": incident.private,  # declared with --private: keep it out of public sites
        "postmortem_status": None if pm is None else pm.status,
        "started_at": iso_z(incident.started_at),
        "resolved_at": iso_z(incident.resolved_at),
        "closed_at": iso_z(incident.closed_at),
        "duration_minutes": _minutes(report.metrics.time_to_resolve),
        "triggers": [t.id for t in pm.triggers] if pm else [],
        "impact_minutes": impact,
        "data_loss": None if facts is None else facts.data_loss,
        "detected_by": None if facts is None else facts.detected_by,
        "intervention": None if facts is None else facts.intervention,
        "declared_by": _person(report, incident.declared_by),
        "roles": {role: _person(report, uid) for role, uid in sorted(report.roles.items())},
        "author": None if pm is None else _person(report, pm.author),
        "reviewers": [_person(report, r) for r in pm.reviewers] if pm else [],
        "published_at": None if pm is None else iso_z(pm.published_at),
    }


def _person(report: IncidentReport, user_id: str) -> dict[str, str]:
    return {"id": user_id, "name": _plain(report.name(user_id))}


def front_matter(report: IncidentReport) -> str:
    """``front_matter_fields`` as YAML between ``---`` lines, valid whatever the user typed.

    Every string is a double-quoted scalar written by ``yaml_string``, so no title can end the
    block, start a mapping or a comment, or be read as a number, a date or a boolean.
    """
    lines = ["---"]
    for key, value in front_matter_fields(report).items():
        if isinstance(value, list) and value:
            lines.append(f"{key}:")
            lines.extend(f"  - {_yaml_scalar(item)}" for item in value)
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), dict):
            lines.append(f"{key}:")
            lines.extend(f"  {name}: {_yaml_scalar(item)}" for name, item in value.items())
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


# Characters YAML does not allow raw in a document (outside its printable set), plus the
# line breaks YAML 1.1 reads where JSON does not (NEL, LS, PS) and the BOM.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar: JSON's quoting (valid YAML), readable for non-ASCII text."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
    return yaml_string(str(value))


def _minutes(span: timedelta | None) -> int | float | None:
    if span is None:
        return None
    value = round(span / timedelta(minutes=1), 1)
    return int(value) if value.is_integer() else value


def _plain(text: str) -> str:
    """Slack markup as plain words on one line, without the Markdown escapes of ``readable``."""
    words = readable(text).replace("\\[", "[").replace("\\]", "]")
    return " ".join(words.split())


# --- the Mermaid timeline -----------------------------------------------------------------------

# Mermaid's timeline grammar: ``:`` followed by a space starts an event and a period may hold
# no ``:`` at all (so 10:05 cannot be written as such); ``#`` starts a comment and ``;`` ends a
# title or an event in older releases; ``%%`` opens a comment or an ``%%{init}%%`` directive;
# ``#name;`` is an entity code. Each becomes a look-alike that means nothing to Mermaid.
_MERMAID_SWAP = str.maketrans({":": "\u2236", "#": "\uff03", ";": "\uff1b"})


def mermaid_text(value: object, limit: int | None = MERMAID_TEXT_LIMIT) -> str:
    """Text made inert inside a Mermaid timeline: one line, no separators, no comments."""
    text = _plain(str(value)).translate(_MERMAID_SWAP).replace("%%", "%\uff05")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text


@dataclass(frozen=True)
class Moment:
    """A key moment as the timeline template sees it."""

    at: datetime  # UTC
    kind: str  # started, a mark, status, closed
    status: str | None = None  # for kind "status": the status moved to (its id)
    detail: str = ""  # what the person wrote (a mark's note, an edited status entry's text)


def key_moments(report: IncidentReport) -> list[Moment]:
    """The start, the latest of each mark, every status change and the close, in time order.

    Marking a moment again is how people correct it, so only the latest of each kind is shown
    (as in the metrics). Notes and messages are left to the table below the diagram.
    """
    incident = report.incident
    moments = [Moment(incident.started_at, "started")]
    latest = latest_marks((e.kind, e.occurred_at) for e in report.timeline)
    for entry in report.timeline:
        if entry.kind in MARKS and entry.occurred_at == latest.get(entry.kind):
            detail = "" if entry.said is not None else entry.text  # the words people added
            moments.append(Moment(entry.occurred_at, entry.kind, detail=detail))
            latest.pop(entry.kind)  # two marks of a kind at the same time: show one
        elif entry.kind == "status" and entry.said is not None:
            moments.append(Moment(entry.occurred_at, "status", status=str(entry.said["status"])))
        elif entry.kind == "status":  # recorded in words none of ours read like: as they are
            moments.append(Moment(entry.occurred_at, "status", detail=entry.text))
    if incident.closed_at is not None:
        moments.append(Moment(incident.closed_at, "closed"))
    order = {"started": 0, "closed": 2}
    return sorted(moments, key=lambda m: (m.at, order.get(m.kind, 1)))


def mermaid_timeline(report: IncidentReport, *, policy: Policy, renderer: Renderer) -> str:
    """A fenced ``mermaid`` timeline of the key moments, times in the document's zone.

    Moments are grouped by day (a section each) and by minute (one period, its events below).
    """
    days: list[dict[str, Any]] = []
    tz = policy.document_tz(report.incident.tz)
    for moment in key_moments(report):
        local = moment.at.astimezone(tz)
        day = f"{local:%Y-%m-%d} {zone_label(local)}"
        time = format_dt(moment.at, tz, "%H:%M", zone=False)
        if not days or days[-1]["label"] != day:
            days.append({"label": day, "slots": []})
        slots = days[-1]["slots"]
        if not slots or slots[-1]["time"] != time:
            slots.append({"time": time, "moments": []})
        slots[-1]["moments"].append(moment)
    return renderer.render(
        policy.locale,
        TIMELINE_TEMPLATE,
        incident=report.incident,
        days=days,
        mermaid=mermaid_text,
    )


def _after_heading_block(document: str, block: str) -> str:
    """``block`` after the document's title and the facts listed under it, before the rest.

    A document that does not open with a ``#`` heading gets the block at its top.
    """
    lines = document.split("\n")
    at = 0
    if lines and lines[0].startswith("# "):
        at = 1
        while at < len(lines) and not lines[at].strip():
            at += 1
        while at < len(lines) and lines[at].strip():
            at += 1
    head = "\n".join(lines[:at])
    rest = "\n".join(lines[at:]).lstrip("\n")
    return (head + "\n\n" if head else "") + block.strip("\n") + "\n\n" + rest
