"""Secrets never leak: not the bot token, not the signing secret, not a database password —
not in logs (every logger, at DEBUG), not in anything sent to Slack, not on the CLI's stderr —
through a run of failures: Slack errors, a broken policy template, database errors, forged
requests."""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import replace

import pytest
from sqlalchemy.engine import make_url

from bot.domain.policy import Policy
from bot.settings import Settings
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.hardening.helpers import bot_on, healthz
from tests.support.flows import declare, reaction, send_event
from tests.support.review import CLOSE
from tests.support.slack_requests import FORM, sign, slash_command_body
from tests.test_cli import base_env, free_port, run

PASSWORD = "Pg-S3cr3t-Passw0rd"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, PASSWORD)


@pytest.fixture(autouse=True)
def everything_logged(caplog):
    """Every logger at DEBUG: the SDKs, Bolt, SQLAlchemy (statements and pool), aiohttp."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "slack_sdk", "slack_bolt", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged(caplog) -> list[str]:
    """Each record as a handler would write it: message, arguments, traceback, stack."""
    formatter = logging.Formatter()
    out = []
    for record in caplog.records:
        out.append(record.getMessage())
        if record.exc_info:
            out.append(formatter.formatException(record.exc_info))
        if record.stack_info:
            out.append(record.stack_info)
    return out


def leaks(texts, secrets=SECRETS) -> list[tuple[str, str]]:
    return [(secret, text[:300]) for text in texts for secret in secrets if secret in text]


def sent_to_slack(fake, replies=()) -> list[str]:
    """Everything the bot sent to Slack (call arguments, not the Authorization header, which is
    where the token belongs) and every HTTP answer it gave Slack."""
    texts = [json.dumps(c.args, default=str) for c in fake.calls]
    texts += [r.body for r in replies]
    return texts


async def told(fake, fragment: str) -> None:
    await fake.wait_for("response_url", lambda c: fragment in c.args.get("text", ""))


def broken_template_policy(tmp_path) -> Policy:
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "postmortem.md.j2").write_text("# {{ incident.ref }} {{ no_such_variable.at_all }}\n")
    return Policy.from_mapping({"template_dir": str(tmp_path / "templates")})


async def test_no_secret_in_logs_or_slack_through_slack_and_database_failures(
    bot, caplog, sqlite_url, tmp_path
):
    replies = []
    number, channel = await declare(bot, "Secrets under stress")

    # Slack refusing and failing in every way; each time, wait until the person is told (the
    # work after the acknowledgement is over, so nothing is still running at the end).
    bot.fake.fail("chat.postMessage", error="invalid_auth")
    replies.append(await bot.slack.command("start Refused by Slack"))
    await told(bot.fake, "invalid_auth")
    bot.fake.fail("conversations.create", error="not_authed")
    replies.append(await bot.slack.command("start Not authed"))
    await told(bot.fake, "not_authed")
    bot.fake.strict_users = True
    replies.append(await bot.slack.command("role commander <@UGHOST>", channel_id=channel))
    await bot.fake.wait_for(
        "chat.postMessage", lambda c: "You are the *commander*" in c.args["text"]
    )
    replies.append(await bot.slack.command("note 10:42 timed", channel_id=channel, user_id="UX"))
    ts = bot.fake.post_as_user(channel, "U5", "pinned")
    bot.fake.fail("conversations.history", error="missing_scope")
    await send_event(bot, reaction(channel, ts, "U6"))
    await bot.fake.wait_for("chat.postEphemeral", lambda c: c.args["user"] == "U6")

    # A forged and a stale request.
    body = slash_command_body("start Forged", response_url=bot.fake.response_url())
    replies.append(await bot.slack.post_raw(body, {"Content-Type": FORM, **sign(body, "guess")}))
    replies.append(
        await bot.slack.post_raw(body, {"Content-Type": FORM, **sign(body, SIGNING_SECRET, 1)})
    )

    # A database error: the timeline table is gone for a moment.
    db = sqlite3.connect(make_url(sqlite_url).database, isolation_level=None)
    db.execute("ALTER TABLE timeline_entries RENAME TO timeline_entries_away")
    try:
        replies.append(await bot.slack.command("note into the void", channel_id=channel))
    finally:
        db.execute("ALTER TABLE timeline_entries_away RENAME TO timeline_entries")
        db.close()
    assert "try again" in replies[-1].json["text"]

    # And the close, with Slack failing part-way.
    bot.fake.fail_http("canvases.create", status=502)
    replies.append(await bot.slack.command(CLOSE, channel_id=channel))
    await bot.fake.wait_for("response_url", lambda c: "Slack" in c.args.get("text", ""))

    assert any(r.levelno >= logging.WARNING for r in caplog.records)  # failures were logged
    assert leaks(logged(caplog)) == []
    assert leaks(sent_to_slack(bot.fake, replies)) == []


async def test_a_broken_policy_template_leaks_no_secret(tmp_path, sqlite_url, fake_slack, caplog):
    async with bot_on(sqlite_url, fake_slack, broken_template_policy(tmp_path)) as bot:
        number, channel = await declare(bot, "Broken template")
        reply = await bot.slack.command(CLOSE, channel_id=channel)
        await bot.fake.wait_for("response_url", lambda c: "ref `" in c.args.get("text", ""))

    assert any(r.exc_info for r in caplog.records)  # the template error was logged in full
    assert leaks(logged(caplog)) == []
    assert leaks(sent_to_slack(fake_slack, [reply])) == []


@pytest.mark.postgres
async def test_a_database_password_never_shows_when_postgres_fails(
    postgres_url, fake_slack, caplog
):
    from tests.hardening.test_database_faults import allow_connections, terminate_backends

    # The test server trusts local connections, so any password works: it is only carried.
    with_password = make_url(postgres_url).set(password=PASSWORD).render_as_string(False)
    async with bot_on(with_password, fake_slack, Policy.default()) as bot:
        number, channel = await declare(bot, "Password in the URL")
        await allow_connections(postgres_url, False)
        try:
            await terminate_backends(postgres_url)
            refused = await bot.slack.command("note while away", channel_id=channel)
            health = await healthz(bot)
        finally:
            await allow_connections(postgres_url, True)
        assert health == 503 and refused.json["response_type"] == "ephemeral"
        assert await healthz(bot) == 200
        assert repr(bot.runtime.engine.url).count(PASSWORD) == 0

    assert any(r.levelno >= logging.WARNING for r in caplog.records)
    assert leaks(logged(caplog)) == []
    assert leaks(sent_to_slack(fake_slack, [refused])) == []


def test_settings_never_print_secrets():
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token="xapp-1-secret-app-token",
        api_url="https://slack.com/api/",
        database_url=f"postgresql+asyncpg://furikaeri:{PASSWORD}@db.internal:5432/furikaeri",
        policy_path=None,
    )
    shown = [repr(settings), str(settings), f"{settings}", f"{settings!r}", repr([settings])]
    shown.append(repr(replace(settings, api_url="https://other/")))
    assert leaks(shown, (*SECRETS, "xapp-1-secret-app-token")) == []


BAD_URLS = [
    f"postgresql+asyncpg://furikaeri:{PASSWORD}@127.0.0.1:1/furikaeri",  # nothing listens
    f"postgresql+asyncpg://furikaeri:{PASSWORD}@127.0.0.1:notaport/furikaeri",  # a typo
    f"postgresq://furikaeri:{PASSWORD}@127.0.0.1:5432/furikaeri",  # no such driver
    f"postgresql+asyncpg://furikaeri:{PASSWORD}@[::1/furikaeri",  # unparseable
]


@pytest.mark.parametrize("url", BAD_URLS, ids=["refused", "bad-port", "bad-driver", "garbled"])
@pytest.mark.parametrize(
    "args", [("export", "INC-1"), ("db", "upgrade"), ("reminders", "list")], ids=" ".join
)
async def test_cli_database_errors_show_no_password(url, args):
    code, out, err = await run(*args, env=base_env(DATABASE_URL=url))
    assert code != 0
    assert leaks([out, err]) == []


@pytest.mark.parametrize("url", BAD_URLS, ids=["refused", "bad-port", "bad-driver", "garbled"])
async def test_cli_database_url_mistakes_are_explained_without_a_traceback(url):
    code, _, err = await run("export", "INC-1", env=base_env(DATABASE_URL=url))
    assert code == 1, err
    assert "Traceback" not in err and "DATABASE_URL" in err, err


async def test_the_bot_refusing_to_start_shows_no_secret(tmp_path, fake_slack):
    bad_policy = tmp_path / "policy.yml"
    bad_policy.write_text("reminders: [this is: not: valid\n")
    env = base_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    )
    port = str(free_port())
    runs = [
        await run(
            "run", "--http", "--port", port, env={**env, "FURIKAERI_POLICY": str(bad_policy)}
        ),
        await run("run", "--http", "--port", port, env={**env, "DATABASE_URL": BAD_URLS[0]}),
        await run("run", "--http", "--port", port, env={**env, "DATABASE_URL": BAD_URLS[1]}),
    ]
    for code, out, err in runs:
        assert code != 0, err
        assert leaks([out, err]) == []
    assert fake_slack.calls == []  # it never got as far as talking to Slack
