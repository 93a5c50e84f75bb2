"""One workspace: which Slack team (or, for an org-wide install, which enterprise) the bot is
installed in, and whether a request comes from it.

Several workspaces can share one app and so one signing secret: a genuine, signed request may
still name another team, and must not act on this one's incidents. The check is pure; the door
(handlers/door.py) applies it to every request before any listener runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Installation:
    """Where the bot is installed: a team (T…), inside an enterprise (E…) on Enterprise Grid;
    or, `org_wide`, every team of an enterprise."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False

    @classmethod
    def from_setting(cls, value: str) -> Installation:
        """SLACK_TEAM_ID: a team id, or an enterprise id (E…) for an org-wide install."""
        if value.startswith("E"):
            return cls(team_id=None, enterprise_id=value, org_wide=True)
        return cls(team_id=value)

    @classmethod
    def from_auth_test(cls, answer: Mapping[str, Any]) -> Installation:
        """What Slack's `auth.test` says about the bot token's installation."""
        enterprise = answer.get("enterprise_id") or None
        if answer.get("is_enterprise_install") and enterprise:
            return cls(team_id=None, enterprise_id=enterprise, org_wide=True)
        return cls(team_id=answer.get("team_id") or None, enterprise_id=enterprise)


def is_home(body: Mapping[str, Any], installed: Installation) -> bool:
    """True when every team and enterprise the request names is the installed one.

    An org-wide install serves every team of its enterprise; a request naming no enterprise (or
    another) is not its own. A workspace install serves its team: the request must name it and
    no other (the user's team included), nor another enterprise than its own when that is
    known."""
    teams, enterprises = named(body)
    if installed.org_wide:
        return enterprises == {installed.enterprise_id}
    if teams != {installed.team_id}:
        return False
    return installed.enterprise_id is None or enterprises <= {installed.enterprise_id}


def named(body: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The team ids and enterprise ids a request names, in every shape Slack sends:
    commands (`team_id`, `enterprise_id`), interactive payloads (`team`, `user.team_id`,
    `enterprise`) and events (`team_id`, `enterprise_id`, `authorizations`)."""
    teams = _ids(
        [body.get("team_id"), _field(body.get("team"), "id"), _field(body.get("user"), "team_id")]
        + [_field(a, "team_id") for a in _list(body.get("authorizations"))]
    )
    enterprises = _ids(
        [body.get("enterprise_id"), _field(body.get("enterprise"), "id")]
        + [_field(a, "enterprise_id") for a in _list(body.get("authorizations"))]
    )
    return teams, enterprises


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ids(values: Iterable[Any]) -> set[str]:
    """The ids among `values`: anything but a non-empty string (None, "", a number) is none."""
    return {v for v in values if isinstance(v, str) and v}
