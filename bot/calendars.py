"""Public holidays from a maintained calendar (the `holidays` library): a policy naming
`reminders.holidays: {country: JP}` gets that country's (and subdivision's) public holidays
added to its own dates, for the years incidents and nudges fall in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import holidays

from bot.domain.policy import Policy
from bot.domain.policy_fields import PolicyError

YEARS_BACK, YEARS_AHEAD = 6, 10  # backdated incidents; nudges and due dates ahead


def with_public_holidays(policy: Policy, *, year: int | None = None) -> Policy:
    """`policy` with its calendar's public holidays added; PolicyError for an unknown country
    or subdivision."""
    cal = policy.reminders.calendar
    if cal.public_holidays is None:
        return policy
    country, subdivision = cal.public_holidays
    now = year or datetime.now(UTC).year
    try:
        public = holidays.country_holidays(
            country, subdiv=subdivision, years=range(now - YEARS_BACK, now + YEARS_AHEAD + 1)
        )
    except NotImplementedError:
        where = "reminders.holidays." + ("subdivision" if subdivision else "country")
        known = "" if subdivision else " (ISO 3166 codes like JP, US, GB)"
        unknown = f"no public holidays known for {subdivision or country!r}{known}"
        raise PolicyError(where, unknown) from None
    days = cal.holidays | frozenset(public)
    return replace(
        policy, reminders=replace(policy.reminders, calendar=replace(cal, holidays=days))
    )
