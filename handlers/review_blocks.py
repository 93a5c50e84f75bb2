"""Messages of the review workflow: nudges, review requests, status, publication, thanks."""

from __future__ import annotations

from typing import Any

from bot.domain.model import Incident, Postmortem
from bot.domain.mrkdwn import escape
from bot.domain.review import LABELS
from bot.domain.timeparse import format_duration
from bot.services.reminders import Due
from bot.services.review import ReviewView
from handlers.blocks import Block, when

SNOOZE = "nudge_snooze"
READY = "postmortem_ready"
APPROVE = "review_approve"
REQUEST_CHANGES = "review_request_changes"
CHANGES_MODAL = "review_changes_modal"
ACTION_DONE = "action_done"
SUMMARY_LINES = 3


def _button(action_id: str, text: str, value: int | str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "value": str(value),
        "text": {"type": "plain_text", "text": text},
    }
    return button | ({"style": style} if style else {})


def _doc(pm: Postmortem) -> str:
    return f"<{pm.doc_url}|the postmortem>" if pm.doc_url else "the postmortem"


def _people(users: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in users) or "nobody"


def nudge(due: Due) -> tuple[str, list[Block]]:
    """The text and blocks of one nudge, by kind; every nudge can be snoozed."""
    r, incident, pm = due.reminder, due.incident, due.postmortem
    if r.kind == "digest":
        return digest(due)
    if r.kind == "action":
        return action_nudge(due)
    assert incident is not None and pm is not None
    title = f"*{incident.ref}* {escape(incident.title)}"
    buttons = [_button(SNOOZE, "Snooze 1 day", r.id)]
    if r.kind == "author":
        text = (
            f"{title}: {_doc(pm)} is still a draft. A few sentences today beat a perfect one never."
        )
        buttons.insert(0, _button(READY, "Mark ready for review", pm.id, "primary"))
    elif r.kind == "reviewer":
        text = f"{title}: {_doc(pm)} is waiting for your review."
        buttons[:0] = [
            _button(APPROVE, "Approve", pm.id, "primary"),
            _button(REQUEST_CHANGES, "Request changes", pm.id),
        ]
    elif r.kind == "escalation":
        text = (
            f"{title}: {_doc(pm)} has been waiting on {_people(due.waiting_on)} through several "
            "reminders. Could you help unblock it?"
        )
    else:  # retro
        deadline = when(pm.retro_due_at) if pm.retro_due_at else "soon"
        text = (
            f"{title}: the retrospective is due by {deadline}. Once it is done: "
            "`/incident retro held [notes]`."
        )
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": buttons},
    ]


def action_nudge(due: Due) -> tuple[str, list[Block]]:
    """An owner's reminder about their action item, with Mark done and Snooze."""
    item, incident = due.action, due.incident
    assert item is not None and incident is not None
    when_due = f"due {item.due:%Y-%m-%d}" if item.due else "due by its priority's SLO"
    text = (
        f"*{incident.ref}* action #{item.seq} ({item.priority}, {when_due}): "
        f"{escape(item.text)}. Done already? Mark it, so the postmortem shows it."
    )
    buttons = [
        _button(ACTION_DONE, "Mark done", f"{incident.channel_id}:{item.seq}", "primary"),
        _button(SNOOZE, "Snooze 1 day", due.reminder.id),
    ]
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": buttons},
    ]


def digest(due: Due) -> tuple[str, list[Block]]:
    """The weekly list of postmortems awaiting writing or review, oldest first."""
    if not due.awaiting:
        text = (
            "*Postmortem digest:* nothing is waiting. Every postmortem is reviewed and shared. 🎉"
        )
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    lines = [f"*Postmortem digest:* {len(due.awaiting)} waiting, oldest first"]
    for incident, pm, waiting in due.awaiting:
        lines.append(
            f"• *{incident.ref}* {escape(incident.title)} — {LABELS[pm.status]} since "
            f"{when(pm.ready_at or pm.created_at)}, waiting on {_people(waiting)}"
        )
    if due.overdue:
        lines.append(f"*Overdue action items:* {len(due.overdue)}")
        for incident, described in due.overdue:
            owner = f"<@{described.item.owner}>" if described.item.owner else "_no owner_"
            lines.append(
                f"• *{incident.ref}* #{described.item.seq} {escape(described.item.text)} — "
                f"{owner}, due {described.deadline:%Y-%m-%d}"
            )
    text = "\n".join(lines)
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def review_request(incident: Incident, pm: Postmortem) -> tuple[str, list[Block]]:
    """The DM a reviewer gets when the author asks for review."""
    text = (
        f"<@{pm.author}> asks for your review of {_doc(pm)} for *{incident.ref}* "
        f"{escape(incident.title)}. Blameless: look for causes, not culprits."
    )
    buttons = [
        _button(APPROVE, "Approve", pm.id, "primary"),
        _button(REQUEST_CHANGES, "Request changes", pm.id),
    ]
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "elements": buttons},
    ]


def status_text(view: ReviewView) -> str:
    """`/incident postmortem`: state, people, due dates and what is blocking."""
    pm, incident = view.postmortem, view.incident
    approved = {d.reviewer for d in view.decisions if d.decision == "approved"}
    reviewers = (
        ", ".join(f"<@{r}>{' ✅' if r in approved else ''}" for r in pm.reviewers) or "_none yet_"
    )
    lines = [
        f"*{incident.ref} postmortem* — {LABELS[pm.status]} ({_doc(pm)})",
        f"*Author:* <@{pm.author}>   *Reviewers:* {reviewers}   *Approvals needed:* {view.needed}",
    ]
    if pm.status == "waived":
        lines.append(f"*Waived by* <@{pm.waived_by}>: {escape(pm.waived_reason or '')}")
    if view.waiting_on:
        lines.append(f"*Waiting on:* {_people(view.waiting_on)}")
    if pm.retro_due_at:
        held = (
            f"held {when(pm.retro_held_at)}"
            if pm.retro_held_at
            else f"due by {when(pm.retro_due_at)}"
        )
        lines.append(f"*Retro:* {held}")
    for r in view.planned:
        lines.append(
            f"• next {r.kind} reminder to <@{r.recipient}> {when(r.due_at)}"
            if r.recipient.startswith(("U", "W"))
            else f"• next {r.kind} reminder in <#{r.recipient}> {when(r.due_at)}"
        )
    return "\n".join(lines)


def publication(incident: Incident, pm: Postmortem, actions: int) -> tuple[str, list[Block]]:
    """The company-wide post: what happened, why it mattered, and thanks to the people."""
    from handlers.writing_blocks import feedback_buttons

    summary = "\n".join((pm.sections.get("summary") or "").strip().splitlines()[:SUMMARY_LINES])
    triggers = ", ".join(escape(t.reason) for t in pm.triggers) or "written by choice"
    end = incident.resolved_at or incident.closed_at
    period = f"{when(incident.started_at)} → {when(end)}" if end else when(incident.started_at)
    facts = incident.facts
    impact = (
        "no user impact"
        if not facts or facts.impact is None
        else f"users affected for {format_duration(facts.impact)}"
    )
    if facts and facts.data_loss:
        impact += ", data lost"
    thanks = (
        f"Thank you <@{pm.author}> for writing it, and {_people(pm.reviewers)} for "
        "reviewing it. Sharing what we learn is how everyone gets better. 🙏"
    )
    lines = [
        f"*Postmortem published: {incident.ref} {escape(incident.title)}*",
        f"*When:* {period}   *Impact:* {impact}",
        f"*Why a postmortem:* {triggers}",
    ]
    if summary:
        lines.append(escape(summary))
    lines.append(f"*Action items:* {actions}   *Read it:* {_doc(pm)}")
    text = "\n".join(lines)
    return text, [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": thanks}]},
        feedback_buttons(pm),
    ]


def changes_modal(pm_id: int, ref: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CHANGES_MODAL,
        "private_metadata": str(pm_id),
        "title": {"type": "plain_text", "text": f"Review {ref}"[:24]},
        "submit": {"type": "plain_text", "text": "Send to the author"},
        "blocks": [
            {
                "type": "input",
                "block_id": "comment",
                "label": {"type": "plain_text", "text": "What should change?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "comment",
                    "multiline": True,
                    "max_length": 3000,
                },
            }
        ],
    }
