"""A team's policy: triggers, language, time zone, how postmortems are written and shared.

``Policy.from_mapping`` validates the plain data read from the policy YAML file. Every mistake
is a ``PolicyError`` naming the key path (``triggers.impact.threshold``), and unknown keys are
mistakes too: a typo must never silently fall back to a default. New sections are added as a
field, a parser, and an entry in ``_SECTIONS``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.blameless import BUILTIN_LOCALES, Rule, RuleError, default_rules, load_rules
from bot.domain.blameless import normalize as normalize_phrase
from bot.domain.calendar import WorkCalendar
from bot.domain.errors import BadTime
from bot.domain.model import SEVERITIES
from bot.domain.reminders import ReminderPolicy
from bot.domain.timeparse import parse_duration
from bot.domain.triggers import TRIGGER_IDS, TriggerPolicy

LOCALES = ("en", "ja")
AUTHORS = ("closer", "declarer")
SHARE_MODES = ("auto", "canvas", "file")

_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_PREFIX = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMOJI = re.compile(r"[a-z0-9_+'-]{1,100}")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_WALL_TIME = re.compile(r"(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PREFIX_MAX = 20  # leaves room for the number and title within Slack's 80 characters


class PolicyError(ValueError):
    """The policy file is invalid; the message names the key path."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


@dataclass(frozen=True)
class Policy:
    """Everything a team can configure. ``Policy()`` is the default policy."""

    triggers: TriggerPolicy = field(default_factory=TriggerPolicy)
    locale: str = "en"
    display_timezone: str = "UTC"  # IANA name
    template_dir: str | None = None
    postmortem_author: str = "closer"
    reviewers: tuple[str, ...] = ()  # Slack user ids
    share: str = "auto"
    channel_prefix: str = "inc"
    capture_emoji: str = "pushpin"  # reacting with it adds a message to the timeline
    review_approvals: int | None = None  # None: every named reviewer (at least one)
    publish_channel: str | None = None  # channel id where approved postmortems are published
    escalation_channel: str | None = None  # channel id for escalations; None: the commander
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    blameless_block_ready: bool = False  # findings (but soft ones) stop `ready`
    # Built-in lists of both languages, minus the ignored phrases, plus the team's own.
    blameless_rules: tuple[Rule, ...] = field(default_factory=default_rules, repr=False)

    @classmethod
    def default(cls) -> Policy:
        return cls()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.display_timezone)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """Validate data as loaded from YAML; missing keys keep their defaults."""
        policy = cls()
        for key, value in _checked_mapping(data, "", _SECTIONS).items():
            policy = replace(policy, **_SECTIONS[key](value, key))
        return policy


# ---- helpers: each takes (value, path) and raises PolicyError naming the path ----------------


def _checked_mapping(data: object, path: str, known: Mapping[str, object]) -> Mapping[str, Any]:
    """``data`` must be a mapping whose keys are all in ``known``."""
    if not isinstance(data, Mapping):
        raise PolicyError(path or "(top level)", f"expected a mapping, got {_kind(data)}")
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            raise PolicyError(where, f"unknown key{_did_you_mean(key, known)}")
    return data


def _did_you_mean(key: object, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(str(key), list(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{hint}. Known keys: {', '.join(known)}."


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def _choice(value: object, path: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise PolicyError(path, f"expected one of {', '.join(choices)}, got {value!r}")
    return str(value)


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(path, f"expected true or false, got {value!r}")
    return value


def _duration(value: object, path: str, *, when_zero: str = "") -> timedelta:
    """A positive duration like ``20m`` or ``2d``; ``when_zero`` adds advice to that error."""
    if not isinstance(value, str):
        # A bare number is ambiguous (minutes? hours?), so ask for a unit.
        raise PolicyError(path, f"expected a duration like 20m or 1h, got {value!r}")
    try:
        duration = parse_duration(value)
    except BadTime as exc:
        raise PolicyError(path, str(exc)) from None
    if duration <= timedelta(0):
        raise PolicyError(path, f"must be more than zero{when_zero}")
    return duration


def _threshold(value: object, path: str) -> timedelta:
    return _duration(value, path, when_zero="; to switch the trigger off, write false")


def _positive_int(value: object, path: str) -> int:
    # bool is an int in Python; `true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(path, f"expected a whole number of 1 or more, got {value!r}")
    return value


def _channel(value: object, path: str) -> str | None:
    """A Slack channel id (public C…, private G…), or null for none."""
    if value is not None and not (isinstance(value, str) and _CHANNEL_ID.fullmatch(value)):
        problem = f"expected a Slack channel id like C012AB3CD (not its #name), got {value!r}"
        raise PolicyError(path, problem)
    return value


# ---- top-level sections ------------------------------------------------------------------


def _locale(value: object, path: str) -> dict[str, Any]:
    return {"locale": _choice(value, path, LOCALES)}


def _display_timezone(value: object, path: str) -> dict[str, Any]:
    problem = f"unknown time zone {value!r}; use an IANA name like Asia/Tokyo"
    if not isinstance(value, str) or not value:
        raise PolicyError(path, problem)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: paths like "../x" or "/etc"
        raise PolicyError(path, problem) from None
    return {"display_timezone": value}


def _template_dir(value: object, path: str) -> dict[str, Any]:
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise PolicyError(path, f"expected a directory path, got {value!r}")
    return {"template_dir": value}


def _channel_prefix(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, str) or not _PREFIX.fullmatch(value) or len(value) > _PREFIX_MAX:
        raise PolicyError(
            path,
            f"expected up to {_PREFIX_MAX} lower-case letters, digits and hyphens "
            f"like 'inc', got {value!r}",
        )
    return {"channel_prefix": value}


def _capture_emoji(value: object, path: str) -> dict[str, Any]:
    # Slack names reactions without colons: "pushpin", "memo", "white_check_mark".
    name = value.strip(":") if isinstance(value, str) else ""
    if not _EMOJI.fullmatch(name):
        raise PolicyError(path, f"expected an emoji name like pushpin or :memo:, got {value!r}")
    return {"capture_emoji": name}


def _share(value: object, path: str) -> dict[str, Any]:
    return {"share": _choice(value, path, SHARE_MODES)}


def _reviewers(value: object, path: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected a list of Slack user ids like [U123ABC], got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not _USER_ID.fullmatch(item):
            problem = f"expected a Slack user id like U123ABC, got {item!r}"
            raise PolicyError(f"{path}[{i}]", problem)
    return tuple(dict.fromkeys(value))  # drop repeats, keep order


def _postmortem(value: object, path: str) -> dict[str, Any]:
    known = {"author": None, "reviewers": None}
    data = _checked_mapping(value, path, known)
    out: dict[str, Any] = {}
    if "author" in data:
        out["postmortem_author"] = _choice(data["author"], f"{path}.author", AUTHORS)
    if "reviewers" in data:
        out["reviewers"] = _reviewers(data["reviewers"], f"{path}.reviewers")
    return out


# ---- triggers: each is `false`, `true`, or a mapping with `enabled` and its setting ----------


def _trigger_settings(value: object, path: str, setting: str | None) -> tuple[bool, object]:
    """Return (enabled, the setting's value or None) for one trigger entry."""
    if isinstance(value, bool):
        return value, None
    known = {"enabled": None} | ({setting: None} if setting else {})
    data = _checked_mapping(value, path, known)
    enabled = _bool(data.get("enabled", True), f"{path}.enabled")
    return enabled, data.get(setting) if setting else None


def _threshold_trigger(value: object, path: str, default: timedelta | None) -> timedelta | None:
    enabled, raw = _trigger_settings(value, path, "threshold")
    # Validate the threshold even when switched off, so a typo is caught before it is switched on.
    threshold = default if raw is None else _threshold(raw, f"{path}.threshold")
    return threshold if enabled else None


def _switch_trigger(value: object, path: str) -> bool:
    return _trigger_settings(value, path, None)[0]


def _severity_trigger(value: object, path: str) -> int | None:
    enabled, raw = _trigger_settings(value, path, "max_severity")
    if raw is None:
        if enabled:
            raise PolicyError(path, "needs max_severity, e.g. {enabled: true, max_severity: 2}")
        return None
    # bool is an int in Python; `max_severity: true` is a mistake, not severity 1.
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in SEVERITIES:
        raise PolicyError(f"{path}.max_severity", f"expected 1, 2, 3 or 4, got {raw!r}")
    return raw if enabled else None


def _triggers(value: object, path: str) -> dict[str, Any]:
    data = _checked_mapping(value, path, dict.fromkeys(TRIGGER_IDS))
    defaults = TriggerPolicy()
    settings: dict[str, Any] = {}
    for key in ("impact", "duration"):
        if key in data:
            default = getattr(defaults, key)
            settings[key] = _threshold_trigger(data[key], f"{path}.{key}", default)
    for key in ("data-loss", "intervention", "detection"):
        if key in data:
            settings[key.replace("-", "_")] = _switch_trigger(data[key], f"{path}.{key}")
    if "severity" in data:
        settings["severity"] = _severity_trigger(data["severity"], f"{path}.severity")
    return {"triggers": replace(defaults, **settings)}


# ---- review and reminders ----------------------------------------------------------------


def _approvals(value: object, path: str) -> int | None:
    """``all`` (None: every named reviewer, at least one) or how many approvals suffice."""
    if value == "all":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(path, f"expected all or a whole number of 1 or more, got {value!r}")
    return value


def _review(value: object, path: str) -> dict[str, Any]:
    known = {"approvals": None, "publish_channel": None, "escalation_channel": None}
    data = _checked_mapping(value, path, known)
    out: dict[str, Any] = {}
    if "approvals" in data:
        out["review_approvals"] = _approvals(data["approvals"], f"{path}.approvals")
    for key in ("publish_channel", "escalation_channel"):
        if key in data:
            out[key] = _channel(data[key], f"{path}.{key}")
    return out


def _wall_time(value: object, path: str) -> time:
    # Unquoted, YAML 1.1 reads 10:00 as the sexagesimal number 600: ask for quotes.
    match = _WALL_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problem = f'expected a time of day in quotes like "10:00", got {value!r}'
        raise PolicyError(path, problem)
    return time(int(match["hour"]), int(match["minute"]))


def _working_hours(value: object, path: str) -> dict[str, Any]:
    data = _checked_mapping(value, path, {"start": None, "end": None})
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


def _holidays(value: object, path: str) -> frozenset[date]:
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected a list of dates like [2021-12-29], got {value!r}")
    return frozenset(_holiday(item, f"{path}[{i}]") for i, item in enumerate(value))


def _calendar(data: Mapping[str, Any], path: str) -> WorkCalendar:
    """The working calendar from the reminders section's calendar keys."""
    settings: dict[str, Any] = {}
    if "business_days" in data:
        settings["business_days"] = _bool(data["business_days"], f"{path}.business_days")
    if "working_hours" in data:
        settings |= _working_hours(data["working_hours"], f"{path}.working_hours")
    if "working_days" in data:
        settings["days"] = _working_days(data["working_days"], f"{path}.working_days")
    if "holidays" in data:
        settings["holidays"] = _holidays(data["holidays"], f"{path}.holidays")
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
    + ("escalate_after", "snooze", "digest", "poll_interval", "max_attempts")
)


def _digest(value: object, path: str) -> dict[str, Any]:
    data = _checked_mapping(value, path, {"channel": None, "every": None})
    out: dict[str, Any] = {}
    if "channel" in data:
        out["digest_channel"] = _channel(data["channel"], f"{path}.channel")
    if "every" in data:
        out["digest_every"] = _duration(data["every"], f"{path}.every")
    return out


def _reminders(value: object, path: str) -> dict[str, Any]:
    data = _checked_mapping(value, path, _REMINDER_KEYS)
    settings: dict[str, Any] = {"calendar": _calendar(data, path)}
    for group, fields in _REMINDER_SPANS.items():
        if group in data:
            spans = _checked_mapping(data[group], f"{path}.{group}", fields)
            for key, raw in spans.items():
                settings[fields[key]] = _duration(raw, f"{path}.{group}.{key}")
    for key in ("snooze", "poll_interval"):
        if key in data:
            settings[key] = _duration(data[key], f"{path}.{key}")
    for key in ("escalate_after", "max_attempts"):
        if key in data:
            settings[key] = _positive_int(data[key], f"{path}.{key}")
    if "digest" in data:
        settings |= _digest(data["digest"], f"{path}.digest")
    return {"reminders": ReminderPolicy(**settings)}


# ---- blameless check ------------------------------------------------------------------------


def _builtin_rules(value: object, path: str) -> tuple[Rule, ...]:
    """``true`` (every language), ``false`` (none) or a list of languages like [ja]."""
    if isinstance(value, bool):
        return default_rules() if value else ()
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected true, false or a list like [en, ja], got {value!r}")
    locales = [_choice(item, f"{path}[{i}]", BUILTIN_LOCALES) for i, item in enumerate(value)]
    return default_rules(locales)


def _without(rules: tuple[Rule, ...], value: object, path: str) -> tuple[Rule, ...]:
    """``rules`` minus the phrases listed in ``value``; each must be one of them."""
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected a list of built-in phrases, got {value!r}")
    known = {normalize_phrase(rule.phrase): rule.phrase for rule in rules}
    ignored: set[str] = set()
    for i, item in enumerate(value):
        key = normalize_phrase(item.strip()) if isinstance(item, str) else ""
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean {known[close[0]]!r}?)" if close else ""
            raise PolicyError(f"{path}[{i}]", f"{item!r} is not a built-in phrase{hint}")
        ignored.add(key)
    return tuple(rule for rule in rules if normalize_phrase(rule.phrase) not in ignored)


def _extra_rules(value: object, path: str) -> tuple[Rule, ...]:
    if not isinstance(value, list | tuple):
        problem = f"expected a list of entries like {{phrase: ..., hint: ...}}, got {value!r}"
        raise PolicyError(path, problem)
    try:
        return load_rules(value)
    except RuleError as exc:
        where = f"{path}[{exc.index}]" + (f".{exc.key}" if exc.key else "")
        raise PolicyError(where, exc.problem) from None


def _blameless(value: object, path: str) -> dict[str, Any]:
    known = {"block_ready": None, "builtin": None, "ignore": None, "extra": None}
    data = _checked_mapping(value, path, known)
    out: dict[str, Any] = {}
    if "block_ready" in data:
        out["blameless_block_ready"] = _bool(data["block_ready"], f"{path}.block_ready")
    builtin = _builtin_rules(data.get("builtin", True), f"{path}.builtin")
    builtin = _without(builtin, data.get("ignore", []), f"{path}.ignore")
    extra = _extra_rules(data.get("extra", []), f"{path}.extra")
    # A team's own entry for a built-in phrase replaces it (its hint wins).
    replaced = {normalize_phrase(rule.phrase) for rule in extra}
    kept = tuple(rule for rule in builtin if normalize_phrase(rule.phrase) not in replaced)
    return out | {"blameless_rules": kept + extra}


_Section = Callable[[object, str], dict[str, Any]]
_SECTIONS: dict[str, _Section] = {
    "locale": _locale,
    "display_timezone": _display_timezone,
    "template_dir": _template_dir,
    "channel_prefix": _channel_prefix,
    "share": _share,
    "capture_emoji": _capture_emoji,
    "postmortem": _postmortem,
    "triggers": _triggers,
    "review": _review,
    "reminders": _reminders,
    "blameless": _blameless,
}
