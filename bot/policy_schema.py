"""The policy file's JSON Schema, for editors' completion and checks (`furikaeri policy schema`;
`policy.schema.json` at the top of the repository is its output, kept in step by a test).

Built from the same constants the loader reads with (locales, share modes, trigger ids, channel
and duration forms…); tests/test_policy_schema.py checks that it and the loader (bot/domain/
policy.py) know the same keys at every level and agree on each value's examples.
"""

from __future__ import annotations

from typing import Any

from bot.domain.blameless import BUILTIN_LOCALES
from bot.domain.completeness import REQUIRABLE
from bot.domain.policy import AUTHORS, LOCALES, SHARE_MODES

DURATION = {
    "type": "string",
    "pattern": r"^\s*([0-9]+\s*(d|h|m|s|w)\s*)+$",
    "description": "a duration like 20m, 1h30m or 2d",
    "examples": ["20m", "1h", "2d"],
}
CHANNEL = {
    "type": ["string", "null"],
    "pattern": "^[CG][A-Z0-9]{2,}$",
    "description": "a Slack channel id (C… public, G… private), not its #name",
    "examples": ["C0PUBLIC1"],
}
USER = {"type": "string", "pattern": "^[UW][A-Z0-9]+$", "examples": ["U0ALICE"]}
WALL_TIME = {"type": "string", "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$", "examples": ["10:00"]}
DATE = {"type": "string", "format": "date", "examples": ["2026-12-29"]}
WEEKDAY = {
    "enum": [
        d
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        for d in (day, day[:3])
    ],
}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    return schema | ({"description": description} if description else {})


def _trigger(setting: str | None, value: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"enabled": {"type": "boolean"}}
    if setting:
        props[setting] = value
    return {"oneOf": [{"type": "boolean"}, _object(props)]}


def schema() -> dict[str, Any]:
    triggers = {
        "impact": _trigger("threshold", DURATION),
        "duration": _trigger("threshold", DURATION),
        "data-loss": _trigger(None, {}),
        "intervention": _trigger(None, {}),
        "detection": _trigger(None, {}),
        # Switched on, severity needs its threshold: `severity: true` alone is refused.
        "severity": {
            "oneOf": [
                {"const": False},
                _object({"enabled": {"type": "boolean"}, "max_severity": {"enum": [1, 2, 3, 4]}})
                | {
                    "anyOf": [
                        {"required": ["max_severity"]},
                        {"properties": {"enabled": {"const": False}}, "required": ["enabled"]},
                    ]
                },
            ]
        },
    }
    spans = {
        "author": _object({"after": DURATION, "every": DURATION}),
        "reviewer": _object({"after": DURATION, "every": DURATION}),
        "retro": _object({"within": DURATION, "within_sev1": DURATION, "remind_before": DURATION}),
    }
    holidays = {
        "oneOf": [
            {"type": "array", "items": DATE},
            _object(
                {
                    "country": {"type": "string", "pattern": "^[A-Z]{2,3}$", "examples": ["JP"]},
                    "subdivision": {"type": ["string", "integer"], "examples": ["13"]},
                    "dates": {"type": "array", "items": DATE},
                },
                "a country's public holidays (ISO 3166 code) and the team's own dates",
            )
            | {"required": ["country"]},
        ]
    }
    reminders = _object(
        {
            "business_days": {"type": "boolean"},
            "working_hours": _object(
                {
                    "start": WALL_TIME | {"examples": ["09:30"]},
                    "end": WALL_TIME | {"examples": ["18:00"]},
                }
            ),
            "working_days": {"type": "array", "minItems": 1, "items": WEEKDAY},
            "holidays": holidays,
            **spans,
            "escalate_after": {"type": "integer", "minimum": 1, "examples": [3]},
            "snooze": DURATION,
            "digest": _object({"channel": CHANNEL, "every": DURATION}),
            "poll_interval": DURATION,
            "max_attempts": {"type": "integer", "minimum": 1, "examples": [5]},
            "keep_for": DURATION,
        }
    )
    rule = _object(
        {
            "phrase": {"type": "string"},
            "phrases": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "hint": {"type": "string"},
            "whole_word": {"type": "boolean"},
            "soft": {"type": "boolean"},
            "except": {"type": "array", "items": {"type": "string"}},
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/furikaeri/furikaeri/policy.schema.json",
        "title": "furikaeri policy",
        "description": "The policy file named by FURIKAERI_POLICY (README, 'Policy file').",
        **_object(
            {
                "locale": {"enum": list(LOCALES)},
                "display_timezone": {"type": "string", "examples": ["Asia/Tokyo"]},
                "template_dir": {"type": ["string", "null"], "examples": ["templates"]},
                "channel_prefix": {
                    "type": "string",
                    "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                    "maxLength": 20,
                    "examples": ["inc"],
                },
                "share": {"enum": list(SHARE_MODES)},
                "capture_emoji": {"type": "string", "examples": ["pushpin", ":memo:"]},
                "postmortem": _object(
                    {
                        "author": {"enum": list(AUTHORS)},
                        "reviewers": {"type": "array", "items": USER},
                        "required": {
                            "type": "array",
                            "items": {"enum": list(REQUIRABLE)},
                            "description": "sections written before review ([] for none)",
                        },
                    }
                ),
                "triggers": _object(triggers),
                "review": _object(
                    {
                        "approvals": {
                            "oneOf": [{"const": "all"}, {"type": "integer", "minimum": 1}],
                            "examples": ["all", 2],
                        },
                        "publish_channel": CHANNEL,
                        "private_publish_channel": CHANNEL,
                        "escalation_channel": CHANNEL,
                    }
                ),
                "reminders": reminders,
                "blameless": _object(
                    {
                        "block_ready": {"type": "boolean"},
                        "builtin": {
                            "oneOf": [
                                {"type": "boolean"},
                                {"type": "array", "items": {"enum": list(BUILTIN_LOCALES)}},
                            ]
                        },
                        "ignore": {"type": "array", "items": {"type": "string"}},
                        "extra": {"type": "array", "items": rule},
                    }
                ),
            }
        ),
    }
