"""Messages of the review workflow: nudges, review requests, status, publication, thanks; each in
the workspace's language (the builders take its `Translator`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from slack_sdk.models.blocks import Block, ButtonElement
from slack_sdk.models.views import View

from bot.domain.messages import N_
from bot.domain.model import Incident, Postmortem
from bot.domain.mrkdwn import escape
from bot.domain.nudges import SNOOZABLE
from bot.domain.review import LABELS
from bot.i18n import Translator
from bot.services.reminders import Due
from bot.services.review import ReviewView
from bot.wording import duration_in, trigger_reason
from handlers.blocks import when
from handlers.kit import TEXT_MAX, actions, button, context, fit, modal, section, sections, text_box

SNOOZE = "nudge_snooze"
READY = "postmortem_ready"
APPROVE = "review_approve"
REQUEST_CHANGES = "review_request_changes"
CHANGES_MODAL = "review_changes_modal"
ACTION_DONE = "action_done"
SUMMARY_LINES = 3
NUDGE_KINDS = {
    "author": N_("author"),
    "reviewer": N_("reviewer"),
    "escalation": N_("escalation"),
    "retro": N_("retro"),
    "digest": N_("digest"),
    "action": N_("action"),
}


def _doc(t: Translator, pm: Postmortem) -> str:
    if pm.doc_url:
        return t.gettext("<%(url)s|the postmortem>", url=pm.doc_url)
    return t.gettext("the postmortem")


def people(t: Translator, users: tuple[str, ...] | list[str]) -> str:
    return t.pgettext("between names", ", ").join(f"<@{u}>" for u in users) or t.gettext("nobody")


def nudge(t: Translator, due: Due) -> tuple[str, list[Block]]:
    """The text and blocks of one nudge, by kind. Snooze only where a next reminder follows:
    not on an escalation, which is one per postmortem and round (see bot/domain/nudges.py)."""
    r, incident, pm, _ = due.reminder, due.incident, due.postmortem, t.gettext
    if r.kind == "digest":
        return digest(t, due)
    if r.kind == "action":
        return action_nudge(t, due)
    assert incident is not None and pm is not None
    about = {"title": f"*{incident.ref}* {escape(incident.title)}", "doc": _doc(t, pm)}
    buttons = [button(SNOOZE, _("Snooze 1 day"), r.id)] if r.kind in SNOOZABLE else []
    if r.kind == "author":
        text = _(
            "%(title)s: %(doc)s is still a draft. A few sentences today beat a perfect one never.",
            **about,
        )
        buttons.insert(0, button(READY, _("Mark ready for review"), pm.id, "primary"))
    elif r.kind == "reviewer":
        text = _("%(title)s: %(doc)s is waiting for your review.", **about)
        buttons[:0] = _review_buttons(t, pm)
    elif r.kind == "escalation":
        text = _(
            "%(title)s: %(doc)s has been waiting on %(people)s through several reminders. "
            "Could you help unblock it?",
            people=people(t, due.waiting_on),
            **about,
        )
    else:  # retro
        deadline = when(pm.retro_due_at) if pm.retro_due_at else _("soon")
        text = _(
            "%(title)s: the retrospective is due by %(deadline)s. Once it is done: "
            "`/incident retro held [notes]`.",
            title=about["title"],
            deadline=deadline,
        )
    return text, [section(text), actions(*buttons)] if buttons else [section(text)]


def _review_buttons(t: Translator, pm: Postmortem) -> list[ButtonElement]:
    # The round goes with the id: a button of an earlier round must not count in this one.
    decision = f"{pm.id}:{pm.review_round}"
    return [
        button(APPROVE, t.gettext("Approve"), decision, "primary"),
        button(REQUEST_CHANGES, t.gettext("Request changes"), decision),
    ]


def action_nudge(t: Translator, due: Due) -> tuple[str, list[Block]]:
    """An owner's reminder about their action item, with Mark done and Snooze."""
    item, incident, _ = due.action, due.incident, t.gettext
    assert item is not None and incident is not None
    when_due = (
        _("due %(date)s", date=item.due.isoformat()) if item.due else _("due by its priority's SLO")
    )
    text = _(
        "*%(ref)s* action #%(n)s (%(priority)s, %(due)s): %(text)s. "
        "Done already? Mark it, so the postmortem shows it.",
        ref=incident.ref,
        n=item.seq,
        priority=_(item.priority),
        due=when_due,
        text=escape(item.text),
    )
    buttons = [
        button(ACTION_DONE, _("Mark done"), f"{incident.channel_id}:{item.seq}", "primary"),
        button(SNOOZE, _("Snooze 1 day"), due.reminder.id),
    ]
    return text, [section(text), actions(*buttons)]


def digest(t: Translator, due: Due) -> tuple[str, list[Block]]:
    """The weekly list of postmortems awaiting writing, review or publication, oldest first."""
    _ = t.gettext
    if not due.awaiting:
        text = _(
            "*Postmortem digest:* nothing is waiting. Every postmortem is reviewed and shared. 🎉"
        )
        return text, [section(text)]
    lines = [_("*Postmortem digest:* %(n)s waiting, oldest first", n=len(due.awaiting))]
    for incident, pm, waiting in due.awaiting:
        if pm.status == "approved":  # its publication is owed but has not gone out yet
            lines.append(
                _(
                    "• *%(ref)s* %(title)s — approved since %(since)s, but not published yet: "
                    "see `/incident postmortem` in its channel",
                    ref=incident.ref,
                    title=escape(incident.title),
                    since=when(pm.approved_at or pm.ready_at or pm.created_at),
                )
            )
            continue
        lines.append(
            _(
                "• *%(ref)s* %(title)s — %(state)s since %(since)s, waiting on %(people)s",
                ref=incident.ref,
                title=escape(incident.title),
                state=_(LABELS[pm.status]),
                since=when(pm.ready_at or pm.created_at),
                people=people(t, waiting),
            )
        )
    if due.overdue:
        lines.append(_("*Overdue action items:* %(n)s", n=len(due.overdue)))
        for incident, described in due.overdue:
            item = described.item
            owner = f"<@{item.owner}>" if item.owner else "_" + _("no owner") + "_"
            lines.append(
                _(
                    "• *%(ref)s* #%(n)s %(text)s — %(owner)s, due %(date)s",
                    ref=incident.ref,
                    n=item.seq,
                    text=escape(item.text),
                    owner=owner,
                    date=described.deadline.isoformat(),
                )
            )
    return "\n".join(lines), sections(lines)  # however many wait, each is listed


def review_request(t: Translator, incident: Incident, pm: Postmortem) -> tuple[str, list[Block]]:
    """The DM a reviewer gets when the author asks for review."""
    text = t.gettext(
        "<@%(author)s> asks for your review of %(doc)s for *%(ref)s* %(title)s. "
        "Blameless: look for causes, not culprits.",
        author=pm.author,
        doc=_doc(t, pm),
        ref=incident.ref,
        title=escape(incident.title),
    )
    return text, [section(text), actions(*_review_buttons(t, pm))]


def status_text(
    t: Translator, view: ReviewView, sends_at: Mapping[int, datetime] | None = None
) -> str:
    """`/incident postmortem`: state, people, due dates and what is blocking. A reminder is
    shown when it will really be sent (`sends_at`, in its recipient's working hours)."""
    pm, incident, _ = view.postmortem, view.incident, t.gettext
    approved = {d.reviewer for d in view.decisions if d.decision == "approved"}
    reviewers = t.pgettext("between names", ", ").join(
        f"<@{r}>{' ✅' if r in approved else ''}" for r in pm.reviewers
    )
    lines = [
        _(
            "*%(ref)s postmortem* — %(state)s (%(doc)s)",
            ref=incident.ref,
            state=_(LABELS[pm.status]),
            doc=_doc(t, pm),
        ),
        _(
            "*Author:* <@%(author)s>   *Reviewers:* %(reviewers)s   *Approvals needed:* %(needed)s",
            author=pm.author,
            reviewers=reviewers or "_" + _("none yet") + "_",
            needed=view.needed,
        ),
    ]
    if pm.status == "waived":
        lines.append(
            _(
                "*Waived by* <@%(user)s>: %(reason)s",
                user=pm.waived_by,
                reason=escape(pm.waived_reason or ""),
            )
        )
    if view.waiting_on:
        lines.append(_("*Waiting on:* %(people)s", people=people(t, view.waiting_on)))
    if pm.retro_due_at:
        if pm.retro_held_at:
            lines.append(_("*Retro:* held %(when)s", when=when(pm.retro_held_at)))
        else:
            lines.append(_("*Retro:* due by %(when)s", when=when(pm.retro_due_at)))
    for r in view.planned:
        kind = _(NUDGE_KINDS.get(r.kind, r.kind))
        at = (sends_at or {}).get(r.id, r.due_at)
        lines.append(
            _(
                "• next %(kind)s reminder to <@%(who)s> %(when)s",
                kind=kind,
                who=r.recipient,
                when=when(at),
            )
            if r.recipient.startswith(("U", "W"))
            else _(
                "• next %(kind)s reminder in <#%(who)s> %(when)s",
                kind=kind,
                who=r.recipient,
                when=when(at),
            )
        )
    return "\n".join(lines)


def publication(
    t: Translator, incident: Incident, pm: Postmortem, actions: int
) -> tuple[str, list[Block]]:
    """The company-wide post: what happened, why it mattered, and thanks to the people."""
    from handlers.writing_blocks import feedback_buttons

    _ = t.gettext
    summary = "\n".join((pm.sections.get("summary") or "").strip().splitlines()[:SUMMARY_LINES])
    separator = t.pgettext("between names", ", ")
    triggers = separator.join(escape(trigger_reason(tr, t)) for tr in pm.triggers)
    end = incident.resolved_at or incident.closed_at
    period = f"{when(incident.started_at)} → {when(end)}" if end else when(incident.started_at)
    thanks = _(
        "Thank you <@%(author)s> for writing it, and %(reviewers)s for reviewing it. "
        "Sharing what we learn is how everyone gets better. 🙏",
        author=pm.author,
        reviewers=people(t, pm.reviewers),
    )
    lines = [
        _(
            "*Postmortem published: %(ref)s %(title)s*",
            ref=incident.ref,
            title=escape(incident.title),
        ),
        _("*When:* %(period)s   *Impact:* %(impact)s", period=period, impact=_impact(t, incident)),
        _("*Why a postmortem:* %(triggers)s", triggers=triggers or _("written by choice")),
    ]
    tail = _("*Action items:* %(n)s   *Read it:* %(doc)s", n=actions, doc=_doc(t, pm))
    room = TEXT_MAX - len("\n".join([*lines, tail])) - 1  # the summary gets what is left
    if summary and room > 0:
        lines.append(fit(escape(summary), room))
    text = "\n".join([*lines, tail])
    return text, [section(text), context(thanks), feedback_buttons(t, pm)]


def _impact(t: Translator, incident: Incident) -> str:
    """The publication's impact in a few words."""
    facts = incident.facts
    if facts and facts.impact is None and facts.data_loss:
        return t.gettext("no user impact, data lost")
    if not facts or facts.impact is None:
        return t.gettext("no user impact")
    impact = duration_in(t.locale, facts.impact)
    if facts.data_loss:
        return t.gettext("users affected for %(impact)s, data lost", impact=impact)
    return t.gettext("users affected for %(impact)s", impact=impact)


def changes_modal(t: Translator, pm: Postmortem, ref: str) -> View:
    return modal(
        callback_id=CHANGES_MODAL,
        private_metadata=f"{pm.id}:{pm.review_round}",
        title=t.gettext("Review %(ref)s", ref=ref),
        submit=t.gettext("Send to the author"),
        blocks=[text_box("comment", t.gettext("What should change?"), max_length=TEXT_MAX)],
    )
