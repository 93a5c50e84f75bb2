"""The composition root: settings → engine, storage, renderer, Slack client, Bolt app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
)

import handlers
from bot import metrics
from bot.domain.policy import Policy
from bot.domain.workspace import Installation
from bot.health import SLACK_CHECK_EVERY, Health
from bot.i18n import translator
from bot.metrics import MeteredWebClient
from bot.render import Renderer
from bot.replay import replay_guard
from bot.services import retention
from bot.services.channels import IncidentChannels
from bot.services.notes import NoteWriter
from bot.services.people import remember_person
from bot.services.reminders import ensure_digest
from bot.settings import Settings
from handlers import door
from handlers.background import Background
from handlers.deps import Deps
from handlers.nudges import NudgeRunner
from handlers.outbox import OutboxRunner
from handlers.people import People
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import Storage

log = logging.getLogger("furikaeri")
bolt_log = logging.getLogger("furikaeri.bolt")


class _OurClientWins(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN by itself and warns, at every start, that the client we give it
    (made with that very token) wins over it: true, expected, and not worth anyone's attention."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


bolt_log.addFilter(_OurClientWins())
SHUTDOWN_GRACE_SECONDS = 10.0  # work begun for a request (a channel, a draft) may finish


def utcnow() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """Everything the bot process owns, built once."""

    def __init__(
        self,
        settings: Settings,
        policy: Policy,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.engine = create_engine(settings.database_url)
        client = MeteredWebClient(
            token=settings.bot_token,
            base_url=settings.api_url,
            timeout=10,
            # Rate limits are waited out; connection errors are not retried blindly, because
            # a call that did reach Slack (a channel created, a message posted) would repeat.
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
        )
        storage = Storage(session_factory(self.engine))
        channels = IncidentChannels(storage)
        self.deps = Deps(
            storage=storage,
            policy=policy,
            renderer=Renderer(policy.template_dir),
            people=People(
                client,
                remember=lambda person: remember_person(
                    uow=storage.uow(), person=person, now=clock()
                ),
            ),
            channels=channels,
            notes=NoteWriter(storage, channels, on_written=metrics.notes_written),
            clock=clock,
            background=Background(),
            translator=translator(policy.locale),  # its catalogue compiled now, at start-up
        )
        self.bolt = AsyncApp(
            client=client,
            signing_secret=settings.signing_secret or None,
            # bot/server.py verifies every HTTP request (signature, freshness, replay) before
            # Bolt sees it, and Socket Mode needs no signature: Bolt need not check again.
            request_verification_enabled=False,
            logger=bolt_log,
            # Answer Slack when the listener returns: `reported` returns right after `ack()`.
            process_before_response=True,
        )
        self.bolt.middleware(self._inject_deps)
        # Before any listener: the installed workspace only, and text a database can store.
        configured = Installation.from_setting(settings.team_id) if settings.team_id else None
        self.workspace = door.InstalledWorkspace(configured)
        door.register(self.bolt, self.workspace)
        handlers.register(self.bolt)
        # The scheduler's own client does not wait out rate limits inside a call: the runner
        # reschedules on Retry-After instead, so one slow recipient never holds up the others.
        nudge_client = MeteredWebClient(
            token=settings.bot_token, base_url=settings.api_url, timeout=10
        )
        self.nudges = NudgeRunner(self.deps, nudge_client)
        # Effects after commit: delivered the moment a unit of work that owes them commits. Its
        # client retries nothing by itself: a retry must look first for what a lost try did.
        outbox_client = MeteredWebClient(
            token=settings.bot_token, base_url=settings.api_url, timeout=10, retry_handlers=[]
        )
        self.outbox = OutboxRunner(self.deps, outbox_client)
        storage.on_effects = self.outbox.kick
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.health = Health(self.engine, self.bolt.client)
        self.replays = replay_guard(self.engine, shared=settings.shared_replay_guard)

    async def _inject_deps(self, context: dict, next: Callable[[], Awaitable[None]]) -> None:  # noqa: A002
        context["deps"] = self.deps
        await next()

    async def start(self, *, nudges: bool = True) -> None:
        """Apply migrations (safe from several processes at once), learn which workspace this
        is (see handlers/door.py) and start the nudges."""
        await upgrade(self.engine)
        if self.workspace.known is not None:  # configured (SLACK_TEAM_ID): Slack not asked yet
            await self.health.check_slack()
        elif await self.workspace.learn(self.bolt.client):  # which asked auth.test
            self.health.slack_answered()
        else:
            self.health.slack_refused("auth.test failed at start")
        if nudges:
            await ensure_digest(
                uow=self.deps.storage.uow(), policy=self.policy, now=self.deps.clock()
            )
            poll = self.policy.reminders.poll_interval
            # Due while we were down: sent once now, at the first tick; not once per missed period.
            self._every("nudges", self.nudges.tick, poll, first=utcnow())
            # The outbox's fallback poll: effects owed while no process ran, retries due.
            self._every("outbox", self.outbox.poll, poll, first=utcnow())
            # Readiness: is the token still good? (Not at once: start-up just asked.)
            self._every("slack-check", self.health.check_slack, SLACK_CHECK_EVERY)
            self._every("replays", self.replays.forget_old, timedelta(minutes=1))
            # Retention: what was sent long ago is purged (not at once: start-up is busy enough).
            later = utcnow() + timedelta(minutes=5)
            self._every("retention", self.purge, timedelta(hours=6), first=later)
            self.scheduler.start()

    def _every(
        self,
        name: str,
        job: Callable[[], Awaitable[object]],
        period: timedelta,
        *,
        first: datetime | None = None,
    ) -> None:
        """A background job every `period`: never two at once, missed runs coalesced into one;
        the first at `first` (else one period from now)."""
        when = {"next_run_time": first} if first else {}
        self.scheduler.add_job(
            job,
            "interval",
            id=name,
            max_instances=1,
            coalesce=True,
            seconds=period.total_seconds(),
            **when,
        )

    async def purge(self) -> None:
        try:
            nudges, effects = await retention.purge(
                uow=self.deps.storage.uow(),
                now=self.deps.clock(),
                keep_for=self.policy.reminders.keep_for,
            )
        except Exception:  # the database may be briefly away: next time
            log.warning("retention: could not purge", exc_info=True)
            return
        if nudges or effects:
            log.info("retention: purged %d sent nudges and %d delivered effects", nudges, effects)

    async def aclose(self) -> None:
        if self.scheduler.running:
            self.scheduler.pause()  # no new tick; the one under way finishes first
            await self.nudges.idle()
            self.scheduler.shutdown(wait=False)
        with contextlib.suppress(TimeoutError):  # what is still running then is abandoned
            async with asyncio.timeout(SHUTDOWN_GRACE_SECONDS):
                await self.deps.background.idle()
        # Deliveries under way may finish; what is cut off is released, due at the next start.
        await self.outbox.aclose(SHUTDOWN_GRACE_SECONDS)
        await self.deps.notes.idle()
        await self.deps.people.idle()
        await self.engine.dispose()
