"""Settings from the environment, and the policy file they point at."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.calendars import with_public_holidays
from bot.domain.policy import Policy
from bot.domain.policy_fields import PolicyError

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///furikaeri.db"
README_HINT = "See 'Settings' in README.md."
TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,}")  # a team (T…), or an enterprise (E…) when org-wide


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    app_token: str | None
    api_url: str
    database_url: str
    policy_path: str | None
    team_id: str | None = None  # the installed workspace; None: ask Slack (auth.test)
    health_port: int | None = None  # Socket Mode: serve the probes on this port
    shared_replay_guard: bool = False  # REPLAY_GUARD=database: replicas share seen requests

    def __repr__(self) -> str:  # never print secrets, not even in a traceback
        return f"Settings(api_url={self.api_url!r}, policy={self.policy_path!r}, secrets=<hidden>)"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, socket_mode: bool = False
    ) -> Settings:
        env = os.environ if env is None else env
        required = ["SLACK_BOT_TOKEN"] + (
            ["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"]
        )
        missing = [name for name in required if not env.get(name)]
        if missing:
            raise SettingsError(f"{', '.join(missing)} is not set. {README_HINT}")
        api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
        team_id = env.get("SLACK_TEAM_ID") or None
        if team_id is not None and not TEAM_ID.fullmatch(team_id):
            raise SettingsError(
                f"SLACK_TEAM_ID must be a team id like T0123ABCD (or E… for an org-wide "
                f"install), not {team_id!r}. {README_HINT}"
            )
        guard = (env.get("REPLAY_GUARD") or "memory").lower()
        if guard not in ("memory", "database"):
            raise SettingsError(
                f"REPLAY_GUARD must be memory or database, not {guard!r}. {README_HINT}"
            )
        database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if guard == "database" and not database_url.startswith("postgresql"):
            raise SettingsError(
                f"REPLAY_GUARD=database needs PostgreSQL (DATABASE_URL). {README_HINT}"
            )
        return cls(
            shared_replay_guard=guard == "database",
            health_port=_port(env.get("HEALTH_PORT")),
            bot_token=env["SLACK_BOT_TOKEN"],
            signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            app_token=env.get("SLACK_APP_TOKEN"),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            database_url=database_url,
            policy_path=env.get("FURIKAERI_POLICY") or None,
            team_id=team_id,
        )


def _port(raw: str | None) -> int | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 65536):
        raise SettingsError(f"HEALTH_PORT must be a port (1-65535), not {raw!r}. {README_HINT}")
    return int(raw)


def database_url_from_env(env: Mapping[str, str] | None = None) -> str:
    """The database URL alone, for commands that don't talk to Slack (export, db upgrade)."""
    env = os.environ if env is None else env
    return env.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def load_policy(path: str | None) -> Policy:
    """The policy from a YAML file, or the defaults when no file is named."""
    if not path:
        return Policy.default()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise SettingsError(f"FURIKAERI_POLICY: can't read {path}: {exc.strerror}.") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"FURIKAERI_POLICY: {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise SettingsError(f"FURIKAERI_POLICY: {path} must hold a mapping of settings.")
    try:
        policy = with_public_holidays(Policy.from_mapping(data))
    except PolicyError as exc:
        raise SettingsError(f"FURIKAERI_POLICY: {path}: {exc}") from exc
    if policy.template_dir and not Path(policy.template_dir).is_absolute():
        # A relative template_dir means "beside the policy file", wherever the bot starts.
        policy = replace(policy, template_dir=str(Path(path).parent / policy.template_dir))
    return policy
