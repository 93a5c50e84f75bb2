"""Action items of a postmortem: priorities, due dates, SLOs and the flags an item deserves.

Pure: today's date and the close time are passed in. The stored model is not here; these are
the rules it follows.

A due date is written as an ISO date (``2021-12-31``) or as a duration from today in whole days
and weeks (``10d``, ``2w``, ``1w3d``; case-insensitive, no spaces, at most a year). The parser
checks the form with ``check_due``; ``resolve_due`` turns it into a date once today is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from bot.domain.errors import BadTime
from bot.domain.messages import N_, Message, echo

PRIORITIES = (N_("high"), N_("medium"), N_("low"))  # also their own message ids
DEFAULT_PRIORITY = "medium"  # what an item without a priority is held to
# Days after the incident is closed; high and medium are the PagerDuty postmortem guide's.
DEFAULT_SLO: Mapping[str, timedelta] = {
    "high": timedelta(days=15),
    "medium": timedelta(days=30),
    "low": timedelta(days=60),
}

# The flags, in the order flags() returns them. Plain English, and their own message ids.
NO_OWNER = N_("no owner")
NO_DUE_DATE = N_("no date agreed")  # its deadline comes from the SLO meanwhile
OVERDUE = N_("overdue")

MAX_DUE_DURATION = timedelta(days=365)
DUE_EXAMPLES = Message(N_("Try 2021-12-31, 10d or 2w."))

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Six digits per unit is far past the one-year cap and keeps int() and timedelta() small.
_DUE_DURATION = re.compile(r"(?:(?P<w>[0-9]{1,6})w)?(?:(?P<d>[0-9]{1,6})d)?", re.IGNORECASE)


def parse_due_duration(raw: str) -> timedelta:
    """``10d``, ``2w``, ``1w3d`` → whole days (0 to 365); BadTime for anything else."""
    text = raw.strip()
    match = _DUE_DURATION.fullmatch(text)
    if not text or match is None:
        raise BadTime(
            N_("I couldn't read %(raw)s as a number of days or weeks. %(examples)s"),
            raw=echo(raw),
            examples=DUE_EXAMPLES,
        )
    days = 7 * int(match["w"] or 0) + int(match["d"] or 0)
    if days > MAX_DUE_DURATION.days:
        raise BadTime(
            N_("%(raw)s is more than a year away; if you mean it, give the date. %(examples)s"),
            raw=echo(raw),
            examples=DUE_EXAMPLES,
        )
    return timedelta(days=days)


def _due_date(raw: str) -> date | None:
    """The date in an ISO ``YYYY-MM-DD`` ``raw``; None when ``raw`` is not shaped like one."""
    text = raw.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadTime(
            N_("There is no day %(raw)s in the calendar. %(examples)s"),
            raw=echo(raw),
            examples=DUE_EXAMPLES,
        ) from None


def check_due(raw: str) -> str:
    """``raw`` (stripped) when it is an ISO date or a days/weeks duration; else BadTime."""
    text = raw.strip()
    if _due_date(text) is not None:
        return text
    if text and _DUE_DURATION.fullmatch(text):
        parse_due_duration(text)  # for its range check
        return text
    raise BadTime(
        N_("I couldn't read %(raw)s as a due date. %(examples)s"),
        raw=echo(raw),
        examples=DUE_EXAMPLES,
    )


def resolve_due(raw: str | None, *, today: date) -> date | None:
    """The due date ``raw`` means on ``today``: an ISO date, or today plus ``10d``/``2w``.

    None stays None (no due date yet). A date before today is a BadTime: it has passed.
    """
    if raw is None:
        return None
    day = _due_date(check_due(raw))
    if day is None:
        try:
            return today + parse_due_duration(raw)
        except OverflowError:
            raise BadTime(
                N_("%(raw)s from today is past the end of the calendar."), raw=echo(raw)
            ) from None
    if day < today:
        raise BadTime(
            N_(
                "That date has passed: %(day)s is before today (%(today)s). "
                "Give a later date, or a duration such as 2w."
            ),
            day=day.isoformat(),
            today=today.isoformat(),
        )
    return day


def _priority(priority: str | None) -> str:
    chosen = DEFAULT_PRIORITY if priority is None else priority
    if chosen not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}; one of {PRIORITIES}")
    return chosen


def slo_deadline(
    priority: str | None, closed_at: datetime, slo: Mapping[str, timedelta] = DEFAULT_SLO
) -> datetime:
    """When an item of ``priority`` (None: medium) should be done: ``closed_at`` plus its SLO.

    A priority missing from ``slo`` falls back to DEFAULT_SLO. Exact to the second, for nudges.
    """
    chosen = _priority(priority)
    return closed_at + slo.get(chosen, DEFAULT_SLO[chosen])


def slo_due(
    priority: str | None, closed_at: datetime, slo: Mapping[str, timedelta] = DEFAULT_SLO
) -> date:
    """The SLO due date: ``slo_deadline``'s day, in ``closed_at``'s own zone.

    Pass ``closed_at`` in the workspace's zone to get the date its people expect.
    """
    return slo_deadline(priority, closed_at, slo).date()


def flags(
    *, owner: str | None, due: date | None, done: bool, dropped: bool, today: date
) -> tuple[str, ...]:
    """What is wrong with an open item: NO_OWNER, NO_DUE_DATE, OVERDUE (in that order).

    A done or dropped item has no flags. Due today is not overdue yet.
    """
    if done or dropped:
        return ()
    found: list[str] = []
    if not owner:
        found.append(NO_OWNER)
    if due is None:
        found.append(NO_DUE_DATE)
    elif due < today:
        found.append(OVERDUE)
    return tuple(found)
