"""A team's policy: triggers, language, time zone, how postmortems are written and shared.

``Policy.from_mapping`` validates the plain data read from the policy YAML file. Every mistake
is a ``PolicyError`` naming the key path (``triggers.impact.threshold``), and unknown keys are
mistakes too: a typo must never silently fall back to a default. New sections are added as a
field, a parser, and an entry in ``_SECTIONS``. The readers of single values are in
``bot.domain.policy_fields``; the review and reminders sections in ``bot.domain.policy_reminders``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.blameless import BUILTIN_LOCALES, Rule, RuleError, default_rules, load_rules
from bot.domain.blameless import normalize as normalize_phrase
from bot.domain.completeness import DEFAULT_REQUIRED, REQUIRABLE
from bot.domain.model import SEVERITIES
from bot.domain.policy_fields import (
    PolicyError,
    boolean,
    checked_mapping,
    choice,
    trigger_threshold,
)
from bot.domain.policy_reminders import reminders_section, review_section
from bot.domain.reminders import ReminderPolicy
from bot.domain.triggers import TRIGGER_IDS, TriggerPolicy

LOCALES = ("en", "ja")
AUTHORS = ("closer", "declarer")
SHARE_MODES = ("auto", "canvas", "file")

_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_PREFIX = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMOJI = re.compile(r"[a-z0-9_+'-]{1,100}")
_PREFIX_MAX = 20  # leaves room for the number and title within Slack's 80 characters


@dataclass(frozen=True)
class Policy:
    """Everything a team can configure. ``Policy()`` is the default policy."""

    triggers: TriggerPolicy = field(default_factory=TriggerPolicy)
    locale: str = "en"
    # IANA name; None: each incident's own zone (its declarer's), else UTC
    display_timezone: str | None = None
    template_dir: str | None = None
    postmortem_author: str = "closer"
    reviewers: tuple[str, ...] = ()  # Slack user ids
    # The sections written before review can be asked (bot/domain/completeness.py).
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED
    share: str = "auto"
    channel_prefix: str = "inc"
    capture_emoji: str = "pushpin"  # reacting with it adds a message to the timeline
    review_approvals: int | None = None  # None: every named reviewer (at least one)
    publish_channel: str | None = None  # channel id where approved postmortems are published
    # … and those of private incidents; None: only in the incident's own channel
    private_publish_channel: str | None = None
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
        """The team's zone: the policy's, else UTC (reminder calendars, action-item dates)."""
        return ZoneInfo(self.display_timezone or "UTC")

    def document_tz(self, incident_tz: str | None) -> ZoneInfo:
        """The zone an incident's documents show times in: the policy's when it names one,
        else the incident's own (its declarer's Slack zone at the start), else UTC."""
        if self.display_timezone:
            return ZoneInfo(self.display_timezone)
        try:
            return ZoneInfo(incident_tz) if incident_tz else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """Validate data as loaded from YAML; missing keys keep their defaults."""
        policy = cls()
        for key, value in checked_mapping(data, "", _SECTIONS).items():
            policy = replace(policy, **_SECTIONS[key](value, key))
        return policy


# ---- top-level sections ------------------------------------------------------------------


def _locale(value: object, path: str) -> dict[str, Any]:
    return {"locale": choice(value, path, LOCALES)}


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
    return {"share": choice(value, path, SHARE_MODES)}


def _reviewers(value: object, path: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected a list of Slack user ids like [U123ABC], got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not _USER_ID.fullmatch(item):
            problem = f"expected a Slack user id like U123ABC, got {item!r}"
            raise PolicyError(f"{path}[{i}]", problem)
    return tuple(dict.fromkeys(value))  # drop repeats, keep order


def _required(value: object, path: str) -> tuple[str, ...]:
    """Section names (``root_cause`` or ``root-cause``); ``[]`` requires nothing."""
    if not isinstance(value, list | tuple):
        problem = f"expected a list of sections like [summary, impact], got {value!r}"
        raise PolicyError(path, problem)
    names = []
    for i, item in enumerate(value):
        name = item.strip().lower().replace("-", "_") if isinstance(item, str) else ""
        if name not in REQUIRABLE:
            close = difflib.get_close_matches(name, REQUIRABLE, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PolicyError(
                f"{path}[{i}]",
                f"{item!r} is not a section{hint}; sections: {', '.join(REQUIRABLE)}",
            )
        names.append(name)
    return tuple(dict.fromkeys(names))


def _postmortem(value: object, path: str) -> dict[str, Any]:
    known = {"author": None, "reviewers": None, "required": None}
    data = checked_mapping(value, path, known)
    out: dict[str, Any] = {}
    if "author" in data:
        out["postmortem_author"] = choice(data["author"], f"{path}.author", AUTHORS)
    if "reviewers" in data:
        out["reviewers"] = _reviewers(data["reviewers"], f"{path}.reviewers")
    if "required" in data:
        out["required_sections"] = _required(data["required"], f"{path}.required")
    return out


# ---- triggers: each is `false`, `true`, or a mapping with `enabled` and its setting ----------


def _trigger_settings(value: object, path: str, setting: str | None) -> tuple[bool, object]:
    """Return (enabled, the setting's value or None) for one trigger entry."""
    if isinstance(value, bool):
        return value, None
    known = {"enabled": None} | ({setting: None} if setting else {})
    data = checked_mapping(value, path, known)
    enabled = boolean(data.get("enabled", True), f"{path}.enabled")
    return enabled, data.get(setting) if setting else None


def _threshold_trigger(value: object, path: str, default: timedelta | None) -> timedelta | None:
    enabled, raw = _trigger_settings(value, path, "threshold")
    # Validate the threshold even when switched off, so a typo is caught before it is switched on.
    threshold = default if raw is None else trigger_threshold(raw, f"{path}.threshold")
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
    data = checked_mapping(value, path, dict.fromkeys(TRIGGER_IDS))
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


# ---- blameless check ------------------------------------------------------------------------


def _builtin_rules(value: object, path: str) -> tuple[Rule, ...]:
    """``true`` (every language), ``false`` (none) or a list of languages like [ja]."""
    if isinstance(value, bool):
        return default_rules() if value else ()
    if not isinstance(value, list | tuple):
        raise PolicyError(path, f"expected true, false or a list like [en, ja], got {value!r}")
    locales = [choice(item, f"{path}[{i}]", BUILTIN_LOCALES) for i, item in enumerate(value)]
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
    data = checked_mapping(value, path, known)
    out: dict[str, Any] = {}
    if "block_ready" in data:
        out["blameless_block_ready"] = boolean(data["block_ready"], f"{path}.block_ready")
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
    "review": review_section,
    "reminders": reminders_section,
    "blameless": _blameless,
}
