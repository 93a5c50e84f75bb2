"""The `furikaeri` command: run the bot, export an incident, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import sys
from typing import TYPE_CHECKING

from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot import logs
from bot.domain.errors import FurikaeriError
from bot.domain.nudges import ACTION_ITEM
from bot.settings import (
    README_HINT,
    Settings,
    SettingsError,
    database_url_from_env,
    load_policy,
)
from storage.uow import Unavailable

if TYPE_CHECKING:
    from bot.services.reminders import About

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        logs.configure()
    except logs.LogSettingError as exc:
        print(f"furikaeri: {exc}. See 'Settings' in README.md.", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(args.func(args))
    except SettingsError as exc:
        print(f"furikaeri: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FurikaeriError as exc:
        print(f"furikaeri: {exc}", file=sys.stderr)
        return 1
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        # A URL that can't be parsed; it is never echoed, because it may hold a password.
        print(
            f"furikaeri: DATABASE_URL is not a database URL I can use ({exc.__class__.__name__}). "
            f"{README_HINT}",
            file=sys.stderr,
        )
        return 1
    except (OSError, DBAPIError, Unavailable) as exc:
        reason = getattr(exc, "orig", None) or exc.__cause__ or exc
        print(
            f"furikaeri: the database is not usable ({reason.__class__.__name__}: {reason}). "
            "Check DATABASE_URL, and run `furikaeri db upgrade` on a new database.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="furikaeri", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="serve Slack's requests")
    mode = run.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--http", action="store_true", help="serve POST /slack/events and GET /healthz"
    )
    mode.add_argument("--socket", action="store_true", help="connect with Socket Mode")
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--port", type=int, default=3000)
    run.set_defaults(func=_run)

    export = sub.add_parser("export", help="print an incident and its postmortem")
    export.add_argument("incident", help="INC-7 or 7")
    export.add_argument("--format", choices=("json", "md"), default="json")
    export.set_defaults(func=_export)

    reminders = sub.add_parser("reminders", help="the nudges: what is scheduled, for whom, why")
    rem_sub = reminders.add_subparsers(required=True, metavar="ACTION")
    listing = rem_sub.add_parser("list", help="list scheduled (and, with --all, past) nudges")
    listing.add_argument("--all", action="store_true", help="include sent, failed and cancelled")
    listing.set_defaults(func=_reminders_list)

    effects = sub.add_parser("outbox", help="Slack effects owed after a change: what is waiting")
    out_sub = effects.add_subparsers(required=True, metavar="ACTION")
    owed = out_sub.add_parser("list", help="list waiting and failed effects (--all: sent too)")
    owed.add_argument("--all", action="store_true", help="include effects already sent")
    owed.set_defaults(func=_outbox_list)

    doctor = sub.add_parser("doctor", help="check the token, scopes, database, policy, channels")
    doctor.add_argument("--socket", action="store_true", help="the bot runs in Socket Mode")
    doctor.set_defaults(func=_doctor)

    policy = sub.add_parser("policy", help="the policy file")
    pol_sub = policy.add_subparsers(required=True, metavar="ACTION")
    check = pol_sub.add_parser("check", help="check a policy file, naming each problem")
    check.add_argument("file")
    check.set_defaults(func=_policy_check)
    schema = pol_sub.add_parser("schema", help="print the policy file's JSON Schema")
    schema.set_defaults(func=_policy_schema)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(func=_db_upgrade)
    copy = db_sub.add_parser("backup", help="copy the SQLite database, online, to a new file")
    copy.add_argument("path")
    copy.set_defaults(func=_db_backup)
    return parser


async def _run(args: argparse.Namespace) -> int:
    from bot.app import Runtime
    from bot.server import serve

    settings = Settings.from_env(socket_mode=args.socket)
    runtime = Runtime(settings, load_policy(settings.policy_path))
    await runtime.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if args.socket:
            from aiohttp import web
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            from bot.server import operations_app

            handler = AsyncSocketModeHandler(runtime.bolt, settings.app_token)
            await handler.connect_async()
            logging.info("furikaeri is connected with Socket Mode")
            probes = None
            if settings.health_port:
                probes = web.AppRunner(operations_app(runtime), access_log=None)
                await probes.setup()
                await web.TCPSite(probes, args.host, settings.health_port).start()
                logging.info("probes on http://%s:%d/readyz", args.host, settings.health_port)
            await stop.wait()
            await handler.close_async()
            if probes is not None:
                await probes.cleanup()
        else:
            runner = await serve(runtime, args.host, args.port)
            logging.info(
                "furikaeri is listening on http://%s:%d/slack/events", args.host, args.port
            )
            await stop.wait()
            await runner.cleanup()
    finally:
        await runtime.aclose()
    return 0


def incident_number(ref: str) -> int:
    match = re.fullmatch(r"(?:inc-)?(\d{1,9})", ref.strip(), re.IGNORECASE)
    if not match:
        raise FurikaeriError(f"'{ref}' is not an incident reference; use INC-7 or 7.")
    return int(match.group(1))


async def _export(args: argparse.Namespace) -> int:
    from bot.export import to_json
    from bot.export_markdown import to_markdown
    from bot.render import Renderer
    from bot.services.reports import incident_report
    from storage.db import create_engine, session_factory
    from storage.uow import Storage

    policy = load_policy(os.environ.get("FURIKAERI_POLICY"))
    engine = create_engine(database_url_from_env())
    try:
        report = await incident_report(
            uow=Storage(session_factory(engine)).uow(), number=incident_number(args.incident)
        )
    finally:
        await engine.dispose()
    if args.format == "json":
        print(json.dumps(to_json(report, policy), ensure_ascii=False, indent=2))
    else:
        print(to_markdown(report, policy=policy, renderer=Renderer(policy.template_dir)), end="")
    return 0


WHY = {
    "author": "the postmortem is still a draft",
    "reviewer": "waiting for this reviewer",
    "escalation": "reviews or writing stalled after several reminders",
    "retro": "no retrospective marked held yet",
    "digest": "weekly list of postmortems awaiting writing or review",
    "action": "an open action item's owner, before it is due and until it is done",
}


async def _reminders_list(args: argparse.Namespace) -> int:
    from bot.services.reminders import listing
    from storage.db import create_engine, session_factory
    from storage.uow import Storage

    states = ("pending", "sent", "failed", "cancelled") if args.all else ("pending",)
    engine = create_engine(database_url_from_env())
    try:
        rows = await listing(uow=Storage(session_factory(engine)).uow(), states=states)
    finally:
        await engine.dispose()
    if not rows:
        print("No reminders scheduled." if not args.all else "No reminders.")
        return 0
    print(f"{'id':>5}  {'due (UTC)':<17} {'state':<9} {'kind':<10} {'for':<12} {'about':<18} why")
    for reminder, subject in rows:
        about = _about(subject)
        why = WHY.get(reminder.kind, reminder.kind)
        if reminder.last_error and reminder.state != "pending":
            why += f" ({reminder.last_error})"
        print(
            f"{reminder.id:>5}  {reminder.due_at:%Y-%m-%d %H:%M} {reminder.state:<9} "
            f"{reminder.kind:<10} {reminder.recipient:<12} {about:<18} {why}"
        )
    return 0


def _about(subject: About | None) -> str:
    """INC-7 postmortem, INC-7 action #2, or - (the digest, or a subject since deleted)."""
    if subject is None:
        return "-"
    if subject.subject_kind == ACTION_ITEM:
        return f"{subject.incident.ref} action #{subject.number}"
    return f"{subject.incident.ref} postmortem"


async def _outbox_list(args: argparse.Namespace) -> int:
    from bot.domain.outbox import LIVE, STATES
    from bot.services.outbox import listing
    from storage.db import create_engine, session_factory
    from storage.uow import Storage

    engine = create_engine(database_url_from_env())
    try:
        rows = await listing(
            uow=Storage(session_factory(engine)).uow(), states=STATES if args.all else LIVE
        )
    finally:
        await engine.dispose()
    if not rows:
        print("Nothing waiting to be sent." if not args.all else "No effects.")
        return 0
    head = f"{'id':>5}  {'due (UTC)':<17} {'state':<8} {'tries':>5}  {'kind':<16} {'about':<8}"
    print(head + " error")
    for effect, incident in rows:
        due = f"{effect.due_at:%Y-%m-%d %H:%M}" if effect.due_at else "-"
        print(
            f"{effect.id:>5}  {due:<17} {effect.state:<8} {effect.attempts:>5}  "
            f"{effect.kind:<16} {incident.ref if incident else '-':<8} {effect.last_error or ''}"
        )
    return 0


async def _doctor(args: argparse.Namespace) -> int:
    from bot.doctor import diagnose, table

    settings = Settings.from_env(socket_mode=args.socket)
    findings = await diagnose(settings, settings.policy_path)
    print(table(findings))
    failed = [f.check for f in findings if not f.ok]
    if failed:
        print(f"\n{len(failed)} check(s) failed: {', '.join(failed)}.", file=sys.stderr)
        return 1
    return 0


async def _policy_check(args: argparse.Namespace) -> int:
    load_policy(args.file)  # a problem is a SettingsError naming the key (exit 2)
    print(f"{args.file}: the policy is valid")
    return 0


async def _policy_schema(_: argparse.Namespace) -> int:
    from bot.policy_schema import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False))
    return 0


async def _db_backup(args: argparse.Namespace) -> int:
    from storage.backup import BackupError, backup

    try:
        path = await asyncio.to_thread(backup, database_url_from_env(), args.path)
    except BackupError as exc:
        print(f"furikaeri: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"backed up to {path}")
    return 0


async def _db_upgrade(_: argparse.Namespace) -> int:
    from storage.db import create_engine
    from storage.migrate import upgrade

    engine = create_engine(database_url_from_env())
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
