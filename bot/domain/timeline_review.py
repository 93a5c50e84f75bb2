"""The timeline review: what in an incident's key moments looks wrong, said before it becomes
the postmortem's figures.

It only points things out; it never changes a fact. Each finding names what to look at and how
to fix it, with its times as ``Moment``s so every reader sees them in their own zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.lifecycle import latest_marks
from bot.domain.messages import N_, Message, Moment, Span
from bot.domain.model import Incident, TimelineEntry

# What happens in what order. Impact may begin before anyone declared the incident, so it is
# not held to the start; the others are.
_ORDER = (("detected", "mitigated"), ("mitigated", "resolved"), ("detected", "resolved"))
_AFTER_START = ("detected", "mitigated", "impact-end", "resolved")
GAP = timedelta(hours=1)  # silence longer than this (and a quarter of the incident) is a gap


@dataclass(frozen=True)
class Finding:
    """One thing the review found: a stable code (for tests and the export) and what to say."""

    code: str
    message: Message


@dataclass(frozen=True)
class TimelineFacts:
    """What the review reads: the start, the latest mark of each kind, the end, the entries."""

    started_at: datetime
    marks: Mapping[str, datetime]
    resolved_at: datetime | None
    closed_at: datetime | None = None
    impact: timedelta | None = None  # what the person closing says (None: not said, or none)
    entry_times: tuple[datetime, ...] = ()


def facts_of(
    incident: Incident,
    entries: Iterable[TimelineEntry],
    impact: timedelta | None = None,
    closing_at: datetime | None = None,
) -> TimelineFacts:
    """The review's facts from what is stored; ``impact`` and ``closing_at`` are what closing
    says (else the close facts' and the close's, once it is closed)."""
    entries = list(entries)
    if impact is None and incident.facts is not None:
        impact = incident.facts.impact
    return TimelineFacts(
        started_at=incident.started_at,
        marks=latest_marks((e.kind, e.occurred_at) for e in entries),
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at or closing_at,
        impact=impact,
        entry_times=tuple(e.occurred_at for e in entries if e.deleted_at is None),
    )


def review(facts: TimelineFacts, *, closing: bool = False) -> list[Finding]:
    """Everything that looks wrong, in the order a reader should fix it.

    ``closing``: the incident is being (or has been) closed, so a missing detection or
    resolution is worth saying too.
    """
    moments = {**facts.marks, **({"resolved": facts.resolved_at} if facts.resolved_at else {})}
    found = [*_before_start(facts, moments), *_out_of_order(moments), *_impact(facts, moments)]
    if closing or facts.closed_at is not None:
        found += _missing(moments)
    found += _gaps(facts, moments)
    return found


def _before_start(facts: TimelineFacts, moments: Mapping[str, datetime]) -> Iterable[Finding]:
    for kind in _AFTER_START:
        at = moments.get(kind)
        if at is not None and at < facts.started_at:
            yield Finding(
                "before-start",
                Message(
                    N_(
                        "%(moment)s (%(at)s) is before the incident started (%(started)s). "
                        "Move one of them."
                    ),
                    {"moment": _name(kind), "at": Moment(at), "started": Moment(facts.started_at)},
                ),
            )


def _out_of_order(moments: Mapping[str, datetime]) -> Iterable[Finding]:
    pairs = [*_ORDER, ("impact-start", "impact-end")]
    for first, then in pairs:
        a, b = moments.get(first), moments.get(then)
        if a is not None and b is not None and b < a:
            yield Finding(
                "out-of-order",
                Message(
                    N_("%(then)s (%(then_at)s) comes before %(first)s (%(first_at)s)."),
                    {
                        "then": _name(then),
                        "then_at": Moment(b),
                        "first": _name(first),
                        "first_at": Moment(a),
                    },
                ),
            )


def _impact(facts: TimelineFacts, moments: Mapping[str, datetime]) -> Iterable[Finding]:
    end = facts.resolved_at or facts.closed_at
    if facts.impact is None or end is None or end < facts.started_at:
        return
    lasted = end - facts.started_at
    start = moments.get("impact-start")
    window = end - min(start, facts.started_at) if start else lasted
    if facts.impact > window:
        yield Finding(
            "impact-longer",
            Message(
                N_(
                    "The impact (%(impact)s) is longer than the incident "
                    "(%(lasted)s from its start to its end)."
                ),
                {"impact": Span(facts.impact), "lasted": Span(window)},
            ),
        )


def _missing(moments: Mapping[str, datetime]) -> Iterable[Finding]:
    if "detected" not in moments:
        yield Finding(
            "no-detection",
            Message(
                N_(
                    "Nobody marked when it was detected: `/incident mark detected TIME`. "
                    "Time to detect stays empty until then."
                )
            ),
        )
    if "resolved" not in moments:
        yield Finding(
            "no-resolution",
            Message(
                N_(
                    "It was never marked resolved: `/incident status resolved TIME`. "
                    "Until then it counts as resolved when it was closed."
                )
            ),
        )


def _gaps(facts: TimelineFacts, moments: Mapping[str, datetime]) -> Iterable[Finding]:
    end = facts.resolved_at or facts.closed_at
    if end is None or end <= facts.started_at:
        return
    longest = max(GAP, (end - facts.started_at) / 4)
    times = sorted(
        t
        for t in (*facts.entry_times, *moments.values(), facts.started_at, end)
        if facts.started_at <= t <= end
    )
    for before, after in zip(times, times[1:], strict=False):
        if after - before > longest:
            yield Finding(
                "gap",
                Message(
                    N_(
                        "Nothing was recorded from %(since)s to %(until)s (%(gap)s). "
                        "Was anything tried or seen then?"
                    ),
                    {"since": Moment(before), "until": Moment(after), "gap": Span(after - before)},
                ),
            )


def _name(kind: str) -> Message:
    return Message(_NAMES[kind])


_NAMES = {
    "detected": N_("Detection"),
    "mitigated": N_("Mitigation"),
    "resolved": N_("Resolution"),
    "impact-start": N_("The start of the impact"),
    "impact-end": N_("The end of the impact"),
}

