"""`furikaeri doctor` and `furikaeri policy check`, run as a user runs them: a table with a fix for
each failure, and a non-zero exit when something fails."""

from __future__ import annotations

import yaml

from bot.doctor import BOT_SCOPES
from tests.test_cli import base_env, run
from tests.test_manifest import manifest


def _env(fake_slack, tmp_path, **extra: str) -> dict[str, str]:
    return base_env(
        SLACK_BOT_TOKEN="xoxb-doctor",
        SLACK_SIGNING_SECRET="doctor-secret",
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        **extra,
    )


def _rows(out: str) -> dict[str, str]:
    """check → its whole row."""
    return {line.split()[0]: line for line in out.splitlines()[1:] if line.strip()}


def test_the_doctor_knows_the_scopes_the_manifest_asks_for() -> None:
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES


async def test_a_healthy_installation_passes_every_check(fake_slack, tmp_path) -> None:
    fake_slack.scopes = sorted(BOT_SCOPES)
    env = _env(fake_slack, tmp_path)
    assert (await run("db", "upgrade", env=env))[0] == 0
    code, out, err = await run("doctor", env=env)
    assert code == 0, out + err
    rows = _rows(out)
    assert set(rows) == {"token", "scopes", "database", "schema", "policy", "drafts"}
    assert all(" ok " in row for row in rows.values()), out
    assert "xoxb-doctor" not in out + err


async def test_a_token_lacking_canvases_write_is_told_what_to_do(fake_slack, tmp_path) -> None:
    fake_slack.scopes = sorted(BOT_SCOPES - {"canvases:write"})
    policy = tmp_path / "policy.yml"
    policy.write_text(yaml.safe_dump({"share": "canvas"}))
    env = _env(fake_slack, tmp_path, FURIKAERI_POLICY=str(policy))
    code, out, err = await run("doctor", env=env)
    assert code == 1
    rows = _rows(out)
    assert "FAIL" in rows["scopes"] and "missing: canvases:write" in rows["scopes"]
    assert "reinstall" in rows["scopes"]
    assert "FAIL" in rows["drafts"] and "canvases:write" in rows["drafts"]
    assert "FAIL" in rows["schema"] and "furikaeri db upgrade" in rows["schema"]  # never migrated
    assert "scopes" in err and "drafts" in err


async def test_a_refused_token_and_a_channel_the_bot_cant_post_in(fake_slack, tmp_path) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    code, out, _ = await run("doctor", env=_env(fake_slack, tmp_path))
    assert code == 1 and "invalid_auth" in _rows(out)["token"] and "SLACK_BOT_TOKEN" in out

    fake_slack.scopes = sorted(BOT_SCOPES - {"chat:write.public"})
    await fake_slack.stop()
    await fake_slack.start()
    fake_slack.join("CPUB", "UOTHER")
    fake_slack.channels["CPUB"].update(is_member=False, members=["UOTHER"])  # without the bot
    policy = tmp_path / "policy.yml"
    policy.write_text(yaml.safe_dump({"review": {"publish_channel": "CPUB"}}))
    code, out, _ = await run("doctor", env=_env(fake_slack, tmp_path, FURIKAERI_POLICY=str(policy)))
    assert code == 1
    row = [line for line in out.splitlines() if line.startswith("publish channel")][0]
    assert "FAIL" in row and "/invite @furikaeri" in row


async def test_policy_check_names_the_key_at_fault(tmp_path) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text(yaml.safe_dump({"locale": "ja", "triggers": {"impact": {"threshold": "30m"}}}))
    bad.write_text(yaml.safe_dump({"triggers": {"impact": {"treshold": "30m"}}}))
    code, out, _ = await run("policy", "check", str(good), env=base_env())
    assert code == 0 and "valid" in out
    code, _, err = await run("policy", "check", str(bad), env=base_env())
    assert code == 2 and "triggers.impact.treshold" in err and "threshold" in err
