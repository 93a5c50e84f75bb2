"""Settings and the policy file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_API_URL, Settings, SettingsError, load_policy


def test_http_mode_needs_the_bot_token_and_signing_secret():
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET.*README"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert settings.api_url == DEFAULT_API_URL
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_socket_mode_needs_the_app_token():
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}, socket_mode=True)


def test_api_url_gets_its_trailing_slash_and_secrets_stay_out_of_repr():
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret",
            "SLACK_SIGNING_SECRET": "sign-secret",
            "SLACK_API_URL": "https://slack-gov.com/api",
            "DATABASE_URL": "postgresql+asyncpg://u:pw@h/db",
        }
    )
    assert settings.api_url == "https://slack-gov.com/api/"
    for secret in ("xoxb-secret", "sign-secret", "pw"):
        assert secret not in repr(settings)


def test_policy_file_is_read_and_relative_template_dir_is_beside_it(tmp_path):
    path = tmp_path / "policy.yml"
    path.write_text(
        "locale: ja\ntemplate_dir: mine\ntriggers:\n  impact: {threshold: 30m}\n  detection: false\n"
    )
    policy = load_policy(str(path))
    assert policy.locale == "ja"
    assert policy.template_dir == str(tmp_path / "mine")
    assert policy.triggers.impact.total_seconds() == 30 * 60
    assert policy.triggers.detection is False


@pytest.mark.parametrize(
    "content, message",
    [
        ("locale: fr\n", "locale"),
        ("triggers:\n  impcat: false\n", "impcat"),
        ("- a list\n", "mapping"),
        ("locale: [unclosed\n", "YAML"),
    ],
)
def test_a_bad_policy_file_names_the_problem(tmp_path, content, message):
    path = tmp_path / "policy.yml"
    path.write_text(content)
    with pytest.raises(SettingsError, match=message):
        load_policy(str(path))


def test_a_missing_policy_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="can't read"):
        load_policy(str(tmp_path / "nope.yml"))


def test_the_readme_policy_example_is_a_valid_policy(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = readme.split("### Policy file", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "policy.yml"
    path.write_text(example)
    policy = load_policy(str(path))
    assert (policy.locale, policy.triggers.severity, policy.reviewers) == ("en", 2, ("U012ABCDEF",))


def test_the_readme_review_policy_example_is_valid(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Review, retro and nudges", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "policy.yml"
    path.write_text(example)
    policy = load_policy(str(path))
    assert policy.publish_channel == "C0PUBLIC1"
    assert policy.reminders.digest_channel == "C0123ABC"
    assert policy.reminders.escalate_after == 3


def test_slack_team_id_is_read_and_checked():
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert Settings.from_env(env).team_id is None
    assert Settings.from_env(env | {"SLACK_TEAM_ID": "T0123ABCD"}).team_id == "T0123ABCD"
    assert Settings.from_env(env | {"SLACK_TEAM_ID": "E0123ABCD"}).team_id == "E0123ABCD"
    with pytest.raises(SettingsError, match="SLACK_TEAM_ID"):
        Settings.from_env(env | {"SLACK_TEAM_ID": "example.slack.com"})


def test_the_replay_guard_is_in_memory_unless_replicas_share_it_on_postgres() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert Settings.from_env(base).shared_replay_guard is False
    shared = Settings.from_env(
        {**base, "REPLAY_GUARD": "database", "DATABASE_URL": "postgresql+asyncpg://h/db"}
    )
    assert shared.shared_replay_guard is True
    with pytest.raises(SettingsError, match="needs PostgreSQL"):
        Settings.from_env({**base, "REPLAY_GUARD": "database"})
    with pytest.raises(SettingsError, match="REPLAY_GUARD must be"):
        Settings.from_env({**base, "REPLAY_GUARD": "redis"})
