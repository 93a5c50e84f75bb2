"""The composition root: settings → engine, storage, renderer, Slack client, Bolt app."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.deps import Deps
from bot.domain.policy import Policy
from bot.render import Renderer
from bot.services.channels import IncidentChannels
from bot.settings import Settings
from handlers.people import People
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import Storage

log = logging.getLogger("furikaeri")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """Everything the bot process owns, built once."""

    def __init__(
        self,
        settings: Settings,
        policy: Policy,
        *,
        socket_mode: bool = False,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.engine = create_engine(settings.database_url)
        client = AsyncWebClient(
            token=settings.bot_token,
            base_url=settings.api_url,
            timeout=10,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=1),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            ],
        )
        storage = Storage(session_factory(self.engine))
        self.deps = Deps(
            storage=storage,
            policy=policy,
            renderer=Renderer(policy.template_dir),
            people=People(client),
            channels=IncidentChannels(storage),
            clock=clock,
        )
        self.bolt = AsyncApp(
            client=client,
            signing_secret=settings.signing_secret or None,
            request_verification_enabled=not socket_mode,
            logger=log,
        )
        self.bolt.middleware(self._inject_deps)
        handlers.register(self.bolt)

    async def _inject_deps(self, context: dict, next: Callable[[], Awaitable[None]]) -> None:  # noqa: A002
        context["deps"] = self.deps
        await next()

    async def start(self) -> None:
        """Apply migrations; safe to call from several processes at once."""
        await upgrade(self.engine)

    async def aclose(self) -> None:
        await self.engine.dispose()
