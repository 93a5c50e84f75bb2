"""`furikaeri export`: an incident and its postmortem as JSON or Markdown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain.model import Incident, Postmortem, Revision, TimelineEntry, Trigger
from bot.domain.policy import Policy
from bot.domain.postmortem import SECTION_KEYS
from bot.render import Renderer
from bot.services.reports import IncidentReport, participants


def to_json(report: IncidentReport) -> dict[str, Any]:
    """The stable export shape; trigger ids and keys here are an interface."""
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
        "postmortem": None if pm is None else _postmortem(pm),
    }


def draft_markdown(
    report: IncidentReport,
    *,
    postmortem: Postmortem,
    names: Mapping[str, str],
    policy: Policy,
    renderer: Renderer,
    now: datetime | None = None,
) -> str:
    """The postmortem document exactly as it is shared in Slack."""
    return renderer.postmortem_markdown(
        incident=report.incident,
        postmortem=postmortem,
        timeline=report.timeline,
        names=names,
        locale=policy.locale,
        tz=policy.tz,
        now=now,
        participants=participants(report),
    )


def to_markdown(report: IncidentReport, *, policy: Policy, renderer: Renderer) -> str:
    """The rendered draft (people by their Slack ids: the export does not ask Slack)."""
    pm = report.postmortem or Postmortem(
        id=0,
        incident_id=report.incident.id,
        status="none",
        author=report.incident.declared_by,
        reviewers=(),
        created_at=report.incident.declared_at,
        triggers=(),
    )
    return draft_markdown(report, postmortem=pm, names={}, policy=policy, renderer=renderer)


def _iso(dt: datetime | None) -> str | None:
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
        "declared_by": incident.declared_by,
        "started_at": _iso(incident.started_at),
        "declared_at": _iso(incident.declared_at),
        "closed_at": _iso(incident.closed_at),
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


def _trigger(trigger: Trigger) -> dict[str, str]:
    return {"id": trigger.id, "reason": trigger.reason}


def _entry(entry: TimelineEntry, history: list[Revision]) -> dict[str, Any]:
    return {
        "n": entry.seq,
        "at": _iso(entry.occurred_at),
        "recorded_at": _iso(entry.recorded_at),
        "user": entry.author,
        "kind": entry.kind,
        "text": entry.text,
        "source": entry.source,
        "permalink": entry.permalink,
        "deleted_at": _iso(entry.deleted_at),
        "history": [_revision(r) for r in history],
    }


def _revision(revision: Revision) -> dict[str, Any]:
    return {
        "action": revision.action,
        "by": revision.changed_by,
        "at": _iso(revision.changed_at),
        "before": {"text": revision.before_text, "at": _iso(revision.before_at)},
        "after": {"text": revision.after_text, "at": _iso(revision.after_at)},
    }


def _postmortem(pm: Postmortem) -> dict[str, Any]:
    return {
        "status": pm.status,
        "author": pm.author,
        "reviewers": list(pm.reviewers),
        "created_at": _iso(pm.created_at),
        "document": None
        if pm.doc_id is None
        else {"kind": pm.doc_kind, "id": pm.doc_id, "url": pm.doc_url},
        "sections": {key: pm.sections.get(key, "") for key in SECTION_KEYS},
    }
