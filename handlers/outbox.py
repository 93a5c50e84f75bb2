"""The outbox's dispatcher: delivers effects the moment their change is committed (the unit of
work calls `kick`), retries what failed with backoff (Slack's Retry-After first), and polls as a
fallback (the scheduler's tick, for what was due while no process ran).

Deliveries go out side by side; each claimed row is delivered by one process only. A try that
fails tells a person what to do when they can mend it (invite the bot…) and when it is given up.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.outbox import Effect, Moot
from bot.services import effects as effect_svc
from bot.services import outbox
from handlers.deps import Deps
from handlers.effect_posting import Slack, tell
from handlers.effects import DELIVER, target_channel
from handlers.outbox_blocks import failure_blocks, failure_text
from handlers.slack_errors import slack_error

log = logging.getLogger(__name__)
LEASE_POLLS = 4  # a claimed effect is someone else's to retry after 4 poll intervals


class OutboxRunner:
    def __init__(self, deps: Deps, client: AsyncWebClient) -> None:
        self._deps = deps
        self._slack = Slack(deps, client)
        self._base = deps.policy.reminders.poll_interval  # backoff steps: the poll interval
        self._lease = self._base * LEASE_POLLS
        self._tasks: set[asyncio.Task[Any]] = set()
        self._delivering: set[int] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._closing = False

    def kick(self) -> None:
        """Deliver what is due now (called after a commit that owed effects)."""
        if not self._closing:
            self._spawn(self.tick())

    async def poll(self) -> None:
        """The scheduler's fallback tick, tracked like a kick so shutting down waits for it."""
        if not self._closing:
            await self._spawn(self.tick())

    async def tick(self) -> int:
        """Claim what is due and deliver it, side by side; how many were claimed."""
        deps = self._deps
        try:
            claimed = await outbox.claim_due(
                uow=deps.storage.uow(), now=deps.clock(), lease=self._lease
            )
        except Exception:  # the database may be briefly away: the next kick or poll retries
            log.exception("claiming effects failed; will retry")
            return 0
        fresh = [e for e in claimed if e.id not in self._delivering]  # a lease outlived here
        self._delivering |= {e.id for e in fresh}
        await asyncio.gather(*(self._spawn(self._deliver(e)) for e in fresh))
        return len(claimed)

    async def aclose(self, grace: float) -> None:
        """Stop taking work; let deliveries under way finish within `grace`, then stop them
        (each is released, due again at the next start)."""
        self._closing = True
        for timer in self._timers:
            timer.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _deliver(self, effect: Effect) -> None:
        deps = self._deps
        try:
            await DELIVER[effect.kind](self._slack, effect)
        except asyncio.CancelledError:
            await outbox.release(uow=deps.storage.uow(), effect=effect, now=deps.clock())
            raise
        except Moot as moot:
            log.info("effect %s (%s) is moot: %s", effect.id, effect.kind, moot)
            await outbox.settle_moot(
                uow=deps.storage.uow(), effect=effect, why=str(moot), now=deps.clock()
            )
        except SlackApiError as exc:
            await self._failed(effect, slack_error(exc), _retry_after(exc))
        except (aiohttp.ClientError, TimeoutError) as exc:
            await self._failed(effect, f"network: {exc.__class__.__name__}", None)
        except Exception as exc:  # a bug must not stop the other effects
            ref = uuid.uuid4().hex[:8]  # what the person can quote; the details stay in the log
            log.error("effect %s (%s) failed (ref %s)", effect.id, effect.kind, ref, exc_info=exc)
            await self._failed(effect, f"bug: {exc.__class__.__name__} ref {ref}", None)
        else:
            await outbox.settle_sent(uow=deps.storage.uow(), effect=effect, now=deps.clock())
        finally:
            self._delivering.discard(effect.id)

    async def _failed(self, effect: Effect, error: str, retry_after: timedelta | None) -> None:
        deps = self._deps
        now = deps.clock()
        settled, should_tell = await outbox.settle_failure(
            uow=deps.storage.uow(),
            effect=effect,
            error=error,
            now=now,
            base=self._base,
            retry_after=retry_after,
            waiting=effect.kind == "channel_setup",  # the declarer waits for their channel
        )
        log.warning("effect %s (%s): %s → %s", effect.id, effect.kind, error, settled.state)
        if settled.state == "pending" and not self._closing:
            wait = max((settled.due_at - now).total_seconds(), 0.0) if settled.due_at else 0.0
            if wait <= self._lease.total_seconds():  # later ones: the poll picks them up
                timer = asyncio.get_running_loop().call_later(wait, self.kick)
                self._timers.add(timer)
        if should_tell:
            await self._tell(settled)

    async def _tell(self, effect: Effect) -> None:
        """Say what went wrong and what to do: to the person who acted while their command's
        response URL lasts, else in the incident channel to its commander (by DM when the
        incident channel is what fails)."""
        deps, t = self._deps, self._deps.translator
        try:
            incident, commander = await effect_svc.commander(
                uow=deps.storage.uow(), incident_id=effect.subject_id
            )
            if incident is None:
                return
            target = target_channel(deps, effect, incident)
            text = failure_text(t, effect, incident, target)
            user = str(effect.payload.get("user") or commander or incident.declared_by)
            if effect.payload.get("response_url"):
                where = incident.channel_id or incident.declared_in
                await tell(self._slack, effect.payload["response_url"], user, where, text)
                return
            posted_in = incident.channel_id if incident.channel_id != target else commander
            await self._slack.client.chat_postMessage(
                channel=posted_in or incident.declared_in,
                text=text,
                blocks=failure_blocks(t, effect, incident, target, commander),
            )
        except Exception as exc:  # telling is best effort; the row shows the state
            log.warning("could not tell about effect %s: %s", effect.id, exc.__class__.__name__)


def _retry_after(exc: SlackApiError) -> timedelta | None:
    if exc.response.status_code != 429:
        return None
    value = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
    try:
        return timedelta(seconds=int(value)) if value else None
    except ValueError:
        return None
