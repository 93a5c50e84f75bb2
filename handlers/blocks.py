"""Block Kit and message texts, built in typed Python, in the workspace's language (each builder
takes its `Translator`). User text is always escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block

from bot.domain.command_help import HELP_LINES, PLACEHOLDERS
from bot.domain.lifecycle import ENTRY_KINDS
from bot.domain.messages import N_
from bot.domain.model import Incident, Postmortem, TimelineEntry, Trigger
from bot.domain.mrkdwn import escape
from bot.domain.timeline_review import Finding
from bot.domain.triggers import NAMES
from bot.i18n import Translator
from bot.services.lifecycle import Overview
from bot.wording import entry_text, trigger_reason
from handlers.kit import actions, button, context, fit, header, sections
from handlers.kit import section as _section

WRITE_ANYWAY = "postmortem_write_anyway"
CAPTURE_SHORTCUT = "add_to_timeline"
TIMELINE_PAGE = 40  # entries on a page of /incident timeline; the export has them all
SECTION_MAX = 3000  # characters of a section block's text, Slack's limit
LINE_MAX = 300  # characters of each entry shown there, so the message stays within Slack's limit
MARK_LABELS = {
    "detected": N_("Detected"),
    "mitigated": N_("Mitigated"),
    "impact-start": N_("Impact from"),
    "impact-end": N_("Impact until"),
}
STATUS_LABELS = {
    "investigating": N_("Investigating"),
    "identified": N_("Identified"),
    "monitoring": N_("Monitoring"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}
ROLE_LABELS = {"commander": N_("Commander"), "comms": N_("Comms"), "scribe": N_("Scribe")}


def when(dt: datetime) -> str:
    """A time each reader sees in their own zone (Slack's date token), UTC as the fallback."""
    fallback = dt.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(dt.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def help_text(t: Translator, unknown: str | None = None, topic: str | None = None) -> str:
    lines = []
    if unknown:
        lines.append(
            t.gettext("I don't know `%(word)s`. Here is what I can do:", word=escape(unknown))
        )
    about = [line for line in HELP_LINES if topic and line.usage.split()[1] == topic]
    if not about:
        lines.append(t.gettext("*furikaeri* — from incident to postmortem:"))
    lines += [
        t.gettext(
            "• `%(usage)s`\n    %(what)s e.g. `%(example)s`",
            usage=_usage_in(t, line.usage),
            what=t.gettext(line.what),
            example=t.gettext(line.example),
        )
        for line in about or HELP_LINES
    ]
    return "\n".join(lines)


def _usage_in(t: Translator, usage: str) -> str:
    """A usage line with its placeholders (``<title>``) in the reader's language."""
    for placeholder in PLACEHOLDERS:
        usage = usage.replace(placeholder, t.gettext(placeholder))
    return usage


def severity_text(t: Translator, severity: int | None) -> str:
    return f"SEV{severity}" if severity else t.gettext("severity not set")


def _fields(fields: list[tuple[str, str]]) -> str:
    """``*Label:* value`` pairs on one line."""
    return "   ".join(f"*{label}:* {value}" for label, value in fields)


def summary_blocks(t: Translator, view: Overview, emoji: str) -> list[Block]:
    """The summary pinned in the incident channel: kept current as the incident moves."""
    incident, _ = view.incident, t.gettext
    status = STATUS_LABELS.get(incident.status)
    lines = [
        _fields(
            [
                (_("Status"), _(status) if status else incident.status),
                (_("Severity"), severity_text(t, incident.severity)),
            ]
        ),
        _fields(
            [
                (_("Declared by"), f"<@{incident.declared_by}>"),
                (_("Started"), when(incident.started_at)),
            ]
        ),
    ]
    if view.roles:
        roles = sorted(view.roles.items())
        lines.append(_fields([(_(ROLE_LABELS[role]), f"<@{user}>") for role, user in roles]))
    moments: list[tuple[str, datetime | None]] = [
        (_(MARK_LABELS[m]), at) for m, at in view.marks.items()
    ]
    moments += [(_("Resolved"), incident.resolved_at), (_("Closed"), incident.closed_at)]
    key_times = [(label, when(at)) for label, at in moments if at is not None]
    if key_times:
        lines.append(_fields(key_times))
    if incident.private:
        lines.append(
            _(
                ":lock: *Private:* only the people in this channel see it; it is announced, "
                "listed and published nowhere else unless the policy says where."
            )
        )
    return [
        header(f"{incident.ref}: {incident.title}"),  # plain text: nothing to escape
        _section("\n".join(lines)),
        context(
            _(
                "Record what happens: `/incident note [HH:MM] <text>`, or react with :%(emoji)s: "
                "to a message · `/incident help`",
                emoji=emoji,
            )
        ),
    ]


def summary_fallback(incident: Incident) -> str:
    return f"{incident.ref}: {escape(incident.title)}"


def declared_text(t: Translator, incident: Incident, channel_id: str) -> str:
    """What the declarer alone hears once the channel is ready."""
    if incident.private:
        return t.gettext(
            "Declared *%(ref)s* as private: %(title)s → <#%(channel)s> (a private channel; "
            "it is announced and listed nowhere else)",
            ref=incident.ref,
            title=escape(incident.title),
            channel=channel_id,
        )
    return t.gettext(
        "Declared *%(ref)s*: %(title)s → <#%(channel)s>",
        ref=incident.ref,
        title=escape(incident.title),
        channel=channel_id,
    )


def note_text(t: Translator, entry: TimelineEntry) -> str:
    """The in-channel echo of a note: everyone sees it, and it can't ping or link."""
    return t.gettext(
        "Noted at %(when)s by <@%(user)s>: %(text)s",
        when=when(entry.occurred_at),
        user=entry.author,
        text=escape(entry.text),
    )


def entry_line(t: Translator, entry: TimelineEntry, *, limit: int | None = None) -> str:
    """One entry, for a reader: when (in their zone), who, what (escaped, maybe shortened)."""
    kind = ENTRY_KINDS.get(entry.kind)
    marker = f"_{t.gettext(kind)}_ · " if kind else ""
    text = entry_text(entry, t)
    text = text if limit is None else fit(text, limit, plain=True)  # cut before escaping
    return f"{when(entry.occurred_at)} · <@{entry.author}> · {marker}{escape(text)}"


def change_text(t: Translator, entry: TimelineEntry) -> str:
    """The in-channel echo of a status, severity, role or mark change."""
    return f"#{entry.seq} {entry_line(t, entry)}"


def timeline_text(
    t: Translator, incident: Incident, entries: list[TimelineEntry], page: int | None = None
) -> str:
    """`/incident timeline [N]`: a page of numbered entries (by default the newest), so the
    message stays well within what Slack shows."""
    if not entries:
        return t.gettext("%(ref)s has no timeline entries yet.", ref=incident.ref)
    pages = -(-len(entries) // TIMELINE_PAGE)
    page = pages if page is None else page
    if page > pages:
        return t.ngettext(
            "%(ref)s's timeline has only %(n)s page: `/incident timeline 1`.",
            "%(ref)s's timeline has only %(n)s pages: `/incident timeline 1` to `%(n)s`.",
            pages,
            ref=incident.ref,
        )
    shown = entries[(page - 1) * TIMELINE_PAGE : page * TIMELINE_PAGE]
    lines = [
        t.ngettext(
            "*%(ref)s timeline* (%(n)s entry)",
            "*%(ref)s timeline* (%(n)s entries)",
            len(entries),
            ref=incident.ref,
        )
    ]
    if pages > 1:
        lines.append(
            t.gettext(
                "_Page %(page)s of %(pages)s: `/incident timeline N` shows page N; "
                "`furikaeri export` has everything._",
                page=page,
                pages=pages,
            )
        )
    lines += [f"`#{e.seq}` {entry_line(t, e, limit=LINE_MAX)}" for e in shown]
    return "\n".join(lines)


def timeline_review_text(t: Translator, incident: Incident, findings: list[Finding]) -> str:
    """`/incident timeline check`: what looks wrong in the timeline, or that nothing does."""
    if not findings:
        return t.gettext(
            "*%(ref)s timeline check*: the key moments are in order and nothing is missing.",
            ref=incident.ref,
        )
    head = t.ngettext(
        "*%(ref)s timeline check*: %(n)s thing to look at (nothing was changed).",
        "*%(ref)s timeline check*: %(n)s things to look at (nothing was changed).",
        len(findings),
        ref=incident.ref,
    )
    return "\n".join([head, *(f"• {t.say_in_slack(f.message)}" for f in findings)])


def roles_text(t: Translator, view: Overview, roles: tuple[str, ...]) -> str:
    nobody = "_" + t.gettext("nobody yet") + "_"
    held = [
        _fields(
            [
                (
                    t.gettext(ROLE_LABELS[role]),
                    f"<@{view.roles[role]}>" if role in view.roles else nobody,
                )
            ]
        )
        for role in roles
    ]
    return t.gettext("Roles in %(ref)s:", ref=view.incident.ref) + "\n" + "\n".join(held)


def outcome_blocks(
    t: Translator,
    incident: Incident,
    triggers: list[Trigger],
    postmortem: Postmortem | None,
    findings: Sequence[Finding] = (),
) -> list[Block]:
    """What closing found: which triggers fired and why, or that none did; and what in the
    timeline looks wrong (the timeline review), before anyone writes from it."""
    return _outcome(t, incident, triggers, postmortem) + _review_block(t, findings)


def _review_block(t: Translator, findings: Sequence[Finding]) -> list[Block]:
    if not findings:
        return []
    head = t.ngettext(
        "*Timeline check*: %(n)s thing to look at before the postmortem is written from it "
        "(nothing was changed; `/incident timeline check` shows it again):",
        "*Timeline check*: %(n)s things to look at before the postmortem is written from it "
        "(nothing was changed; `/incident timeline check` shows them again):",
        len(findings),
    )
    return review_sections(t, head, findings)


def review_sections(t: Translator, head: str, findings: Sequence[Finding]) -> list[Block]:
    """The timeline review's findings under ``head``, a bullet each, their times as Slack
    dates (each reader's zone); as many sections as Slack's 3,000 characters a text need."""
    return sections([head, *(f"• {t.say_in_slack(f.message)}" for f in findings)])


def _outcome(
    t: Translator, incident: Incident, triggers: list[Trigger], postmortem: Postmortem | None
) -> list[Block]:
    head = t.gettext("*%(ref)s closed* by <@%(user)s>.", ref=incident.ref, user=incident.closed_by)
    if triggers:
        reasons = "\n".join(
            f"• *{trigger_name(t, tr)}* — {escape(trigger_reason(tr, t))}" for tr in triggers
        )
        author = f"<@{postmortem.author}>" if postmortem else t.gettext("someone")
        return [
            _section(t.gettext("%(head)s A postmortem is needed:", head=head) + "\n" + reasons),
            context(
                t.gettext(
                    "Drafting it now; %(author)s is the author. Blameless: focus on causes.",
                    author=author,
                )
            ),
        ]
    write_anyway = button(WRITE_ANYWAY, t.gettext("Write one anyway"), incident.id)
    return [
        _section(
            t.gettext("%(head)s No postmortem trigger fired, so none is required.", head=head)
        ),
        actions(write_anyway),
    ]


def outcome_fallback(t: Translator, incident: Incident, triggers: list[Trigger]) -> str:
    if not triggers:
        return t.gettext("%(ref)s closed: no trigger fired.", ref=incident.ref)
    fired = t.pgettext("between names", ", ").join(trigger_name(t, tr) for tr in triggers)
    return t.gettext(
        "%(ref)s closed. Postmortem triggers: %(fired)s.", ref=incident.ref, fired=fired
    )


def trigger_name(t: Translator, trigger: Trigger) -> str:
    """What a trigger is called in the reader's language (its id is for data)."""
    return t.gettext(NAMES[trigger.id]) if trigger.id in NAMES else escape(trigger.id)


def draft_blocks(t: Translator, incident: Incident, pm: Postmortem, url: str | None) -> list[Block]:
    """The draft's message in the channel, with a button to write it here in Slack."""
    from handlers.writing_blocks import edit_button

    return [_section(draft_text(t, incident, url)), actions(edit_button(t, pm))]


def retro_invite_text(
    t: Translator, incident: Incident, due: datetime, people: tuple[str, ...]
) -> str:
    return t.gettext(
        "%(people)s: let's hold the %(ref)s retrospective by %(when)s "
        "(the .ics adds a slot to your calendar). Afterwards: `/incident retro held [notes]`.",
        people=t.pgettext("between names", ", ").join(f"<@{u}>" for u in people),
        ref=incident.ref,
        when=when(due),
    )


def draft_text(t: Translator, incident: Incident, url: str | None) -> str:
    if url:
        return t.gettext(
            "Here is <%(url)s|the postmortem draft> for *%(ref)s*. "
            "Fill it in while memories are fresh.",
            url=url,
            ref=incident.ref,
        )
    return t.gettext(
        "Here is the postmortem draft for *%(ref)s*. Fill it in while memories are fresh.",
        ref=incident.ref,
    )
