"""A team's policy: triggers, language, time zone, how postmortems are written and shared.

``Policy.from_mapping`` validates the plain data read from the policy YAML file. Every mistake
is a ``PolicyError`` naming the key path (``triggers.impact.threshold``), and unknown keys are
mistakes too: a typo must never silently fall back to a default. New sections (reminders, …)
are added as a field, a parser, and an entry in ``_SECTIONS``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import BadTime
from bot.domain.model import SEVERITIES
from bot.domain.timeparse import parse_duration
from bot.domain.triggers import TRIGGER_IDS, TriggerPolicy

LOCALES = ("en", "ja")
AUTHORS = ("closer", "declarer")
SHARE_MODES = ("auto", "canvas", "file")

_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_PREFIX = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMOJI = re.compile(r"[a-z0-9_+'-]{1,100}")
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


def _threshold(value: object, path: str) -> timedelta:
    if not isinstance(value, str):
        # A bare number is ambiguous (minutes? hours?), so ask for a unit.
        raise PolicyError(path, f"expected a duration like 20m or 1h, got {value!r}")
    try:
        threshold = parse_duration(value)
    except BadTime as exc:
        raise PolicyError(path, str(exc)) from None
    if threshold <= timedelta(0):
        raise PolicyError(path, "must be more than zero; to switch the trigger off, write false")
    return threshold


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
}
