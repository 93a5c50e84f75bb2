"""Renders documents and texts from Jinja templates: the postmortem in Markdown, in any language.

One ``Renderer`` is built at start-up; it keeps one ``jinja2.Environment`` per language, with
that language's catalogue installed (``jinja2.ext.i18n``), so one template serves them all.
Templates are data: user text reaches them only as context values, never as template source,
so ``{{ x }}`` typed in a note is printed as-is. Output is Markdown, so nothing is HTML-escaped;
the filters below keep user text from breaking the document's structure instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from bot.domain.completeness import HINTS
from bot.domain.model import Incident, Postmortem, TimelineEntry, Trigger
from bot.domain.mrkdwn import escape as mrkdwn_escape
from bot.domain.mrkdwn import readable
from bot.domain.postmortem import SECTION_KEYS, Participants
from bot.domain.timeline_review import facts_of, review
from bot.i18n import Translator, language, languages, translator
from bot.wording import duration_in, entry_text, trigger_reason

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
POSTMORTEM_TEMPLATE = "postmortem.md.j2"
CELL_NEWLINE = " / "
_DEFAULT_DT = "%Y-%m-%d %H:%M"

_CELL_SPECIAL = re.compile("[|\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")  # str.splitlines' breaks
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One timeline entry as a template sees it: the entry plus its author's display name."""

    at: datetime  # UTC, when it happened
    author: str  # Slack user id
    author_name: str
    text: str  # readable; a change the bot recorded, in the document's language
    kind: str
    permalink: str | None = None  # a captured message's link (https only)


# --- filters: pure functions, usable outside templates too -------------------------------------


def md_cell(value: object, newline: str = CELL_NEWLINE) -> str:
    """Make text safe inside one Markdown table cell: one line, no column-splitting ``|``.

    Line breaks become ``newline`` (`` / `` by default: plain text renders the same in a Slack
    canvas, GitHub and a terminal, where ``<br>`` is HTML that only some renderers honour).
    ``|`` becomes ``\\|``, GFM's escape for a pipe in a cell. A trailing backslash gets a space
    after it so it cannot escape the cell's closing ``|``.
    """
    text = str(value)
    if _CELL_SPECIAL.search(text):  # the slow path only for text that needs it
        lines = (line.strip() for line in text.splitlines())
        text = newline.join(line for line in lines if line).replace("|", "\\|")
    else:
        text = text.strip()
    return text + " " if text.endswith("\\") else text


def md_block(value: object) -> str:
    """Normalise free Markdown text for a section: ``\\n`` line ends, no surrounding blank lines.

    A code fence the writer left open is closed, so it cannot swallow the sections after it.
    """
    lines = str(value).strip().splitlines()
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line)
        if match is None:
            continue
        marker = match.group(1)
        if fence is None:
            fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip(" `~"):
            fence = None
    if fence is not None:
        lines.append(fence)
    return "\n".join(lines)


def oneline(value: object) -> str:
    """Collapse all whitespace, line breaks included, to single spaces (headings, list items)."""
    return " ".join(readable(str(value)).split())


def format_dt(value: datetime, tz: tzinfo, fmt: str = _DEFAULT_DT, zone: bool = True) -> str:
    """``2021-12-28 10:00 JST``: ``value`` in ``tz``, then the zone's abbreviation or UTC offset.

    A naive ``value`` is taken as UTC (the domain stores UTC).
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(tz)
    if fmt == _DEFAULT_DT:  # the common case, ~3x faster than strftime: timelines are long
        text = f"{local:%Y-%m-%d} {local.hour:02d}:{local.minute:02d}"
    else:
        text = local.strftime(fmt)
    return f"{text} {zone_label(local)}" if zone else text


def zone_label(local: datetime) -> str:
    """The zone's abbreviation (``JST``, ``CEST``), or ``UTC+05:30`` where the zone has none."""
    name = local.tzname()
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    total = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{total // 60:02d}:{total % 60:02d}"


def _from_context(ctx: jinja2.runtime.Context, key: str, filter_name: str) -> Any:
    value = ctx.get(key)
    if value is None:
        raise jinja2.UndefinedError(f"the {filter_name} filter needs {key!r} in the context")
    return value


@jinja2.pass_context
def _dt_filter(
    ctx: jinja2.runtime.Context, value: datetime, fmt: str = _DEFAULT_DT, zone: bool = True
) -> str:
    return format_dt(value, _from_context(ctx, "tz", "dt"), fmt, zone)


@jinja2.pass_context
def _duration_filter(ctx: jinja2.runtime.Context, value: timedelta) -> str:
    return duration_in(str(ctx.get("locale") or "en"), value)


@jinja2.pass_context
def _reason_filter(ctx: jinja2.runtime.Context, value: Trigger) -> str:
    return trigger_reason(value, translator(str(ctx.get("locale") or "en")))


@jinja2.pass_context
def _name_filter(ctx: jinja2.runtime.Context, user_id: str) -> str:
    return _from_context(ctx, "names", "name").get(user_id, user_id)


# --- the renderer -------------------------------------------------------------------------------


class Renderer:
    """The templates: a user's template directory first, then the built-in one.

    A template is looked up as ``<locale>/<name>`` (``ja-JP``, then ``ja``), then as ``<name>``:
    a team may keep its own template per language, or one for all of them.
    """

    def __init__(self, template_dir: str | Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if template_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(template_dir)))
        loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
        self._loader = jinja2.ChoiceLoader(loaders)
        self._environments: dict[str, jinja2.Environment] = {}

    def _environment(self, lang: str) -> jinja2.Environment:
        """The environment of one language (built on first use): its catalogue installed."""
        env = self._environments.get(lang)
        if env is None:
            env = self._environments[lang] = _new_environment(self._loader, translator(lang))
        return env

    def template(self, locale: str, name: str) -> tuple[jinja2.Template, str]:
        """The template for ``locale`` and the language it speaks; ValueError for a language
        without a catalogue."""
        lang = language(locale)
        if lang not in languages():
            raise ValueError(f"unknown locale: {locale!r} (languages: {', '.join(languages())})")
        env = self._environment(lang)
        for candidate in dict.fromkeys((f"{locale}/{name}", f"{lang}/{name}", name)):
            try:
                return env.get_template(candidate), lang
            except jinja2.TemplateNotFound:
                continue
        raise ValueError(f"no template {name!r}")

    def render(self, locale: str, name: str, **context: Any) -> str:
        """Render ``name`` for ``locale`` with ``context`` (``locale`` is set for the filters)."""
        template, used = self.template(locale, name)
        return template.render(context | {"locale": used})

    def postmortem_markdown(
        self,
        *,
        incident: Incident,
        postmortem: Postmortem,
        timeline: Sequence[TimelineEntry],
        names: Mapping[str, str],
        locale: str,
        tz: ZoneInfo,
        now: datetime | None = None,
        participants: Participants | None = None,
        checklist: bool = False,
    ) -> str:
        """The postmortem document in Markdown, pre-filled from the incident and its timeline."""
        template, used = self.template(locale, POSTMORTEM_TEMPLATE)
        context = postmortem_context(
            t=translator(used),
            incident=incident,
            postmortem=postmortem,
            timeline=timeline,
            names=names,
            tz=tz,
            now=now or datetime.now(UTC),
            participants=participants or Participants(),
            checklist=checklist,
        )
        return template.render(context | {"locale": used})


def _new_environment(loader: jinja2.BaseLoader, t: Translator) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown and mrkdwn, not HTML: the filters do the escaping
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(t.catalog, newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    env.filters.update(
        mrkdwn=mrkdwn_escape,
        md_cell=md_cell,
        md_block=md_block,
        oneline=oneline,
        dt=_dt_filter,
        duration=_duration_filter,
        reason=_reason_filter,
        name=_name_filter,
    )
    return env


def postmortem_context(
    *,
    t: Translator,
    incident: Incident,
    postmortem: Postmortem,
    timeline: Sequence[TimelineEntry],
    names: Mapping[str, str],
    tz: ZoneInfo,
    now: datetime,
    participants: Participants,
    checklist: bool = False,
) -> dict[str, Any]:
    """What a postmortem template receives (besides ``locale``); the timeline in ``t``'s
    language (see bot.wording.entry_text)."""
    ordered = sorted(timeline, key=lambda e: (e.occurred_at, e.recorded_at, e.id))
    rows = [
        TimelineRow(
            e.occurred_at,
            e.author,
            names.get(e.author, e.author),
            readable(entry_text(e, t), names),
            e.kind,
            e.permalink if e.permalink and e.permalink.startswith("https://") else None,
        )
        for e in ordered
    ]
    detected = [r for r in rows if r.kind == "detected"]
    # The timeline review, until it is fixed: what a reader should check before trusting it.
    checks = [
        t.say(f.message, lambda m: format_dt(m.at, tz))
        for f in review(facts_of(incident, timeline), closing=incident.is_closed)
    ]
    sections = {key: "" for key in SECTION_KEYS}
    sections.update({k: v for k, v in postmortem.sections.items() if v and v.strip()})
    # One definition of the incident's period: its start to its resolution (else its close),
    # the same span as the time to resolve.
    end = incident.resolved_at or incident.closed_at or now
    return {
        "incident": incident,
        "postmortem": postmortem,
        "facts": incident.facts,
        "triggers": postmortem.triggers,
        "sections": sections,
        "section_keys": SECTION_KEYS,
        "prompts": {key: t.gettext(hint) for key, hint in HINTS.items()},
        "timeline": rows,
        "names": names,
        "author_name": names.get(postmortem.author, postmortem.author),
        "reviewer_names": [names.get(r, r) for r in postmortem.reviewers],
        "started_at": incident.started_at,
        "closed_at": incident.closed_at,
        "resolved_at": incident.resolved_at,
        "ongoing": incident.closed_at is None and incident.resolved_at is None,
        "detected": detected[-1] if detected else None,  # the latest mark: how it was found
        "captured": [r for r in rows if r.permalink],
        "timeline_checks": checks,
        "duration": end - incident.started_at,
        "roles": {role: names.get(user, user) for role, user in participants.roles.items()},
        "responder_names": [names.get(user, user) for user in participants.responders],
        "metrics": participants.metrics,
        "actions": participants.actions,
        "actions_as_checklist": checklist,
        "amendments": [
            {"at": r.changed_at, "by": names.get(r.changed_by, r.changed_by), "section": r.section}
            for r in participants.amendments
        ],
        "tz": tz,
        "now": now,
    }
