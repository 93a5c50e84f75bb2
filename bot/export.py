"""`furikaeri export --format json`: an incident and its postmortem, every fact and every
change kept (the Markdown export is in ``bot.export_markdown``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.lifecycle import MARK_TEXT
from bot.domain.model import (
    Feedback,
    Incident,
    Postmortem,
    Revision,
    SectionRevision,
    TimelineEntry,
    Trigger,
)
from bot.domain.policy import Policy
from bot.domain.postmortem import SECTION_KEYS, ActionRow
from bot.services.reports import IncidentReport, participants
from bot.wording import english_text


def to_json(report: IncidentReport, policy: Policy | None = None) -> dict[str, Any]:
    """The stable export shape; trigger ids and keys here are an interface."""
    policy = policy or Policy.default()
    pm = report.postmortem
    history = report.history
    incident = _incident(report.incident) | {
        "metrics": report.metrics.as_minutes(),
        "roles": report.roles,
        "responders": report.responders,
    }
    return {
        "incident": incident,
        "triggers": [_trigger(t) for t in (pm.triggers if pm else ())],
        "timeline": [_entry(e, history.get(e.id, [])) for e in report.timeline],
        "removed_entries": [_entry(e, history.get(e.id, [])) for e in report.removed],
        "postmortem": None
        if pm is None
        else _postmortem(pm)
        | {
            "revisions": [_section_revision(r) for r in report.revisions],
            "feedback": [_feedback(f) for f in report.feedback],
        },
        "action_items": [_action(a) for a in participants(report, policy).actions],
        "people": {
            uid: {"name": p.display_name, "real_name": p.real_name, "tz": p.tz}
            for uid, p in sorted(report.people.items())
        },
    }


def _section_revision(revision: SectionRevision) -> dict[str, Any]:
    return {
        "version": revision.version,
        "section": revision.section,
        "by": revision.changed_by,
        "at": iso_z(revision.changed_at),
        "before": revision.before,
        "after": revision.after,
        "amendment": revision.amendment,  # made after publication
    }


def _feedback(item: Feedback) -> dict[str, Any]:
    at = iso_z(item.created_at)
    return {"user": item.user_id, "kind": item.kind, "text": item.text, "at": at}


def _action(row: ActionRow) -> dict[str, Any]:
    return {
        "n": row.seq,
        "text": row.text,
        "owner": row.owner,
        "due": row.deadline.isoformat(),
        "due_from_slo": row.from_slo,
        "priority": row.priority,
        "state": row.state,
        "drop_reason": row.drop_reason,
        "flags": list(row.flags),
    }


def iso_z(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _incident(incident: Incident) -> dict[str, Any]:
    facts = incident.facts
    return {
        "id": incident.ref,
        "number": incident.number,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "channel_id": incident.channel_id,
        "private": incident.private,
        "declared_by": incident.declared_by,
        "started_at": iso_z(incident.started_at),
        "declared_at": iso_z(incident.declared_at),
        "closed_at": iso_z(incident.closed_at),
        "closed_by": incident.closed_by,
        "facts": None
        if facts is None
        else {
            "impact_minutes": None if facts.impact is None else facts.impact.total_seconds() / 60,
            "data_loss": facts.data_loss,
            "intervention": facts.intervention,
            "detected_by": facts.detected_by,
        },
    }


def _trigger(trigger: Trigger) -> dict[str, Any]:
    """The reason in English, and its fields (null for words an older version stored)."""
    said = None if trigger.said is None else dict(trigger.said)
    return {"id": trigger.id, "reason": trigger.reason, "said": said}


def _entry(entry: TimelineEntry, history: list[Revision]) -> dict[str, Any]:
    return {
        "n": entry.seq,
        "at": iso_z(entry.occurred_at),
        "recorded_at": iso_z(entry.recorded_at),
        "user": entry.author,
        "kind": entry.kind,
        "text": english_text(entry),  # what the bot recorded, in English; people's words as written
        "said": None if entry.said is None else dict(entry.said),  # the bot's fields
        "source": entry.source,
        "permalink": entry.permalink,
        "deleted_at": iso_z(entry.deleted_at),
        "history": [_revision(r, entry.kind) for r in history],
    }


def _revision(revision: Revision, kind: str) -> dict[str, Any]:
    before = revision.before_text
    if before == "" and kind in MARK_TEXT:  # a mark without words said its kind
        before = MARK_TEXT[kind]
    return {
        "action": revision.action,
        "by": revision.changed_by,
        "at": iso_z(revision.changed_at),
        "before": {"text": before, "at": iso_z(revision.before_at)},
        "after": {"text": revision.after_text, "at": iso_z(revision.after_at)},
    }


def _postmortem(pm: Postmortem) -> dict[str, Any]:
    return {
        "status": pm.status,
        "author": pm.author,
        "reviewers": list(pm.reviewers),
        "created_at": iso_z(pm.created_at),
        "document": None
        if pm.doc_id is None
        else {"kind": pm.doc_kind, "id": pm.doc_id, "url": pm.doc_url},
        "sections": {key: pm.sections.get(key, "") for key in SECTION_KEYS},
    }
