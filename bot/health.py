"""Probes: `/livez` (the process answers) and `/readyz` (it can do its work: the database answers,
its schema is the newest this code knows, and Slack accepted the token recently).

`/healthz` is kept as an alias of `/readyz`. In HTTP mode the probes are served beside
`/slack/events`; in Socket Mode on `HEALTH_PORT` (see bot/cli.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import ping
from storage.migrate import at_head

log = logging.getLogger(__name__)
SLACK_CHECK_EVERY = timedelta(minutes=1)  # how often auth.test is asked while running
SLACK_FRESH_FOR = timedelta(minutes=5)  # a success older than this no longer counts
CHECK_TIMEOUT = 3.0  # seconds for each probe's check: a probe must answer promptly


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


class Health:
    """What readiness knows: the database and schema (asked at each probe) and the last time
    Slack answered auth.test (asked every minute by the scheduler, and at start). Slack saying
    no makes it unready at once; Slack out of reach, only once its last yes is stale."""

    def __init__(
        self,
        engine: AsyncEngine,
        client: AsyncWebClient,
        *,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._engine = engine
        self._client = client
        self._clock = clock
        self.slack_ok_at: datetime | None = None
        self.slack_error: str | None = "not asked yet"

    def slack_answered(self) -> None:
        """auth.test succeeded elsewhere (at start, learning the workspace)."""
        self.slack_ok_at, self.slack_error = self._clock(), None

    def slack_refused(self, why: str) -> None:
        """auth.test failed elsewhere (at start, learning the workspace)."""
        self.slack_ok_at, self.slack_error = None, why

    async def check_slack(self) -> bool:
        """Ask auth.test; remember when it last succeeded."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await self._client.auth_test()
        except SlackApiError as exc:  # Slack answered no (a revoked token): not ready at once
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            self.slack_ok_at, self.slack_error = None, str(data.get("error") or "error")
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.slack_error = exc.__class__.__name__
        else:
            self.slack_ok_at, self.slack_error = self._clock(), None
            return True
        log.warning("Slack auth.test failed: %s", self.slack_error)
        return False

    async def readiness(self) -> dict[str, Check]:
        checks = {"database": Check(False, "unreachable"), "schema": Check(False, "unknown")}
        if await ping(self._engine):
            checks["database"] = Check(True, "reachable")
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    newest = await at_head(self._engine)
            except Exception as exc:  # any error: the schema can't be confirmed
                checks["schema"] = Check(False, exc.__class__.__name__)
            else:
                checks["schema"] = Check(newest, "at head" if newest else "not migrated")
        checks["slack"] = self._slack_check()
        return checks

    def _slack_check(self) -> Check:
        ok_at = self.slack_ok_at
        if ok_at is not None and self._clock() - ok_at <= SLACK_FRESH_FOR:
            return Check(True, f"auth.test ok at {ok_at:%Y-%m-%dT%H:%M:%SZ}")
        return Check(False, f"auth.test failed: {self.slack_error or 'too long ago'}")


def add_probes(app: web.Application, health: Health) -> None:
    async def livez(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(_: web.Request) -> web.Response:
        checks = await health.readiness()
        failed = [f"{name} {check.detail}" for name, check in checks.items() if not check.ok]
        body: dict[str, object] = {"ok": not failed}
        if failed:  # the first failure in a word, as /healthz always said
            body["error"] = failed[0]
        body["checks"] = {name: vars(check) for name, check in checks.items()}
        return web.json_response(body, status=503 if failed else 200)

    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", readyz)
