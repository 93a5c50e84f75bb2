"""Reading one value of the policy file: each reader takes ``(value, path)`` and returns it
checked, or raises ``PolicyError`` naming the key path (``triggers.impact.threshold``)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.domain.errors import BadTime
from bot.domain.timeparse import parse_duration

_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")


class PolicyError(ValueError):
    """The policy file is invalid; the message names the key path."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


def checked_mapping(data: object, path: str, known: Mapping[str, object]) -> Mapping[str, Any]:
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


def choice(value: object, path: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise PolicyError(path, f"expected one of {', '.join(choices)}, got {value!r}")
    return str(value)


def boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(path, f"expected true or false, got {value!r}")
    return value


def duration(value: object, path: str, *, when_zero: str = "") -> timedelta:
    """A positive duration like ``20m`` or ``2d``; ``when_zero`` adds advice to that error."""
    if not isinstance(value, str):
        # A bare number is ambiguous (minutes? hours?), so ask for a unit.
        raise PolicyError(path, f"expected a duration like 20m or 1h, got {value!r}")
    try:
        span = parse_duration(value)
    except BadTime as exc:
        raise PolicyError(path, str(exc)) from None
    if span <= timedelta(0):
        raise PolicyError(path, f"must be more than zero{when_zero}")
    return span


def trigger_threshold(value: object, path: str) -> timedelta:
    return duration(value, path, when_zero="; to switch the trigger off, write false")


def positive_int(value: object, path: str) -> int:
    # bool is an int in Python; `true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyError(path, f"expected a whole number of 1 or more, got {value!r}")
    return value


def channel(value: object, path: str) -> str | None:
    """A Slack channel id (public C…, private G…), or null for none."""
    if value is not None and not (isinstance(value, str) and _CHANNEL_ID.fullmatch(value)):
        problem = f"expected a Slack channel id like C012AB3CD (not its #name), got {value!r}"
        raise PolicyError(path, problem)
    return value
