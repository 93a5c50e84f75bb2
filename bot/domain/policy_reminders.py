"""The policy's ``review`` and ``reminders`` sections: approvals and channels, the working
calendar, and how often whom is nudged."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from bot.domain.calendar import WorkCalendar
from bot.domain.policy_fields import (
    PolicyError,
    boolean,
    channel,
    checked_mapping,
    duration,
    positive_int,
)
from bot.domain.reminders import ReminderPolicy

_WALL_TIME = re.compile(r"(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNTRY = re.compile(r"[A-Z]{2,3}")  # ISO 3166 alpha-2 (JP, US) or a financial market code
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _approvals(value: object, path: str) -> int | None:
    """``all`` (None: every named reviewer, at least one) or how many approvals suffice."""
    if value == "all":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(path, f"expected all or a whole number of 1 or more, got {value!r}")
    return value


def review_section(value: object, path: str) -> dict[str, Any]:
    channels = ("publish_channel", "private_publish_channel", "escalation_channel")
    data = checked_mapping(value, path, dict.fromkeys(("approvals", *channels)))
    out: dict[str, Any] = {}
    if "approvals" in data:
        out["review_approvals"] = _approvals(data["approvals"], f"{path}.approvals")
    for key in channels:
        if key in data:
            out[key] = channel(data[key], f"{path}.{key}")
    return out


def _wall_time(value: object, path: str) -> time:
    # Unquoted, YAML 1.1 reads 10:00 as the sexagesimal number 600: ask for quotes.
    match = _WALL_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problem = f'expected a time of day in quotes like "10:00", got {value!r}'
        raise PolicyError(path, problem)
    return time(int(match["hour"]), int(match["minute"]))


def _working_hours(value: object, path: str) -> dict[str, Any]:
    data = checked_mapping(value, path, {"start": None, "end": None})
    defaults = WorkCalendar()
    start = _wall_time(data["start"], f"{path}.start") if "start" in data else defaults.start
    end = _wall_time(data["end"], f"{path}.end") if "end" in data else defaults.end
    if start >= end:
        raise PolicyError(path, f"start ({start:%H:%M}) must be before end ({end:%H:%M})")
    return {"start": start, "end": end}


def _working_days(value: object, path: str) -> frozenset[int]:
    if not isinstance(value, list | tuple) or not value:
        raise PolicyError(path, f"expected a list of days like [mon, tue, wed], got {value!r}")
    days: set[int] = set()
    for i, item in enumerate(value):
        name = item.lower() if isinstance(item, str) else ""
        matches = [n for n, day in enumerate(_WEEKDAYS) if name in (day, day[:3])]
        if not matches:
            raise PolicyError(f"{path}[{i}]", f"expected a day like mon or monday, got {item!r}")
        days.add(matches[0])
    return frozenset(days)


def _holiday(value: object, path: str) -> date:
    # PyYAML turns 2021-12-29 into a date; quoted, it stays a string.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PolicyError(path, f"there is no day {value!r} in the calendar") from None
    raise PolicyError(path, f"expected a date like 2021-12-29, got {value!r}")


def _holidays(value: object, path: str) -> dict[str, Any]:
    """A list of dates, or ``{country: JP, subdivision: …, dates: [...]}``: a country's public
    holidays (a maintained calendar, see bot/calendars.py) and the team's own days."""
    if isinstance(value, Mapping):
        data = checked_mapping(value, path, {"country": None, "subdivision": None, "dates": None})
        country, subdivision = data.get("country"), data.get("subdivision")
        if not (isinstance(country, str) and _COUNTRY.fullmatch(country)):
            raise PolicyError(
                f"{path}.country", f"expected a country code like JP, got {country!r}"
            )
        if subdivision is not None and not isinstance(subdivision, str | int):
            raise PolicyError(
                f"{path}.subdivision", f"expected a code like 13, got {subdivision!r}"
            )
        dates = _dates(data.get("dates", []), f"{path}.dates")
        sub = None if subdivision is None else str(subdivision)
        return {"holidays": dates, "public_holidays": (country, sub)}
    return {"holidays": _dates(value, path)}


def _dates(value: object, path: str) -> frozenset[date]:
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected a list of dates like [2021-12-29], got {value!r}")
    return frozenset(_holiday(item, f"{path}[{i}]") for i, item in enumerate(value))


def _calendar(data: Mapping[str, Any], path: str) -> WorkCalendar:
    """The working calendar from the reminders section's calendar keys."""
    settings: dict[str, Any] = {}
    if "business_days" in data:
        settings["business_days"] = boolean(data["business_days"], f"{path}.business_days")
    if "working_hours" in data:
        settings |= _working_hours(data["working_hours"], f"{path}.working_hours")
    if "working_days" in data:
        settings["days"] = _working_days(data["working_days"], f"{path}.working_days")
    if "holidays" in data:
        settings |= _holidays(data["holidays"], f"{path}.holidays")
    return WorkCalendar(**settings)


# Nested duration keys of the reminders section and the ReminderPolicy field each one sets.
_REMINDER_SPANS: dict[str, dict[str, str]] = {
    "author": {"after": "author_after", "every": "author_every"},
    "reviewer": {"after": "reviewer_after", "every": "reviewer_every"},
    "retro": {
        "within": "retro_within",
        "within_sev1": "retro_within_sev1",
        "remind_before": "retro_reminder_before",
    },
}
_REMINDER_KEYS = dict.fromkeys(
    ("business_days", "working_hours", "working_days", "holidays", *_REMINDER_SPANS)
    + ("escalate_after", "snooze", "digest", "poll_interval", "max_attempts", "keep_for")
)


def _digest(value: object, path: str) -> dict[str, Any]:
    data = checked_mapping(value, path, {"channel": None, "every": None})
    out: dict[str, Any] = {}
    if "channel" in data:
        out["digest_channel"] = channel(data["channel"], f"{path}.channel")
    if "every" in data:
        out["digest_every"] = duration(data["every"], f"{path}.every")
    return out


def reminders_section(value: object, path: str) -> dict[str, Any]:
    data = checked_mapping(value, path, _REMINDER_KEYS)
    settings: dict[str, Any] = {"calendar": _calendar(data, path)}
    for group, fields in _REMINDER_SPANS.items():
        if group in data:
            spans = checked_mapping(data[group], f"{path}.{group}", fields)
            for key, raw in spans.items():
                settings[fields[key]] = duration(raw, f"{path}.{group}.{key}")
    for key in ("snooze", "poll_interval", "keep_for"):
        if key in data:
            settings[key] = duration(data[key], f"{path}.{key}")
    for key in ("escalate_after", "max_attempts"):
        if key in data:
            settings[key] = positive_int(data[key], f"{path}.{key}")
    if "digest" in data:
        settings |= _digest(data["digest"], f"{path}.digest")
    return {"reminders": ReminderPolicy(**settings)}
