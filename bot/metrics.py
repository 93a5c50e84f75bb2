"""Prometheus metrics (`GET /metrics`): counters and histograms updated as things happen, and
gauges read from the database when scraped (open incidents, postmortems by state, nudges and
outbox effects by state, and how late the oldest due one is).

One registry per process, not the library's global one, so nothing else's metrics leak in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.services.ports import Counts

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "furikaeri_requests",
    "Slack requests handled, by surface (command, action, view, shortcut, event), name and outcome",
    ["surface", "name", "outcome"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "furikaeri_ack_seconds",
    "Time from a request's arrival at its listener to its acknowledgement",
    ["surface"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0),
    registry=REGISTRY,
)
NOTES = Counter(
    "furikaeri_notes_acknowledged", "Notes committed and acknowledged", registry=REGISTRY
)
NOTE_BATCH = Histogram(
    "furikaeri_note_batch_size",
    "Notes written per group commit",
    buckets=(1, 2, 4, 8, 16, 32, 64),
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "furikaeri_slack_api_calls",
    "Slack Web API calls, by method and error ('ok' when none)",
    ["method", "error"],
    registry=REGISTRY,
)
OPEN_INCIDENTS = Gauge("furikaeri_open_incidents", "Incidents not closed", registry=REGISTRY)
POSTMORTEMS = Gauge(
    "furikaeri_postmortems", "Postmortems by state", ["state"], registry=REGISTRY
)
NUDGES = Gauge("furikaeri_nudges", "Nudges (reminders) by state", ["state"], registry=REGISTRY)
EFFECTS = Gauge(
    "furikaeri_outbox_effects", "Outbox effects by kind and state", ["kind", "state"],
    registry=REGISTRY,
)
LAG = Gauge(
    "furikaeri_lag_seconds",
    "How long the oldest due, unsent nudge or effect has waited past its due time",
    ["queue"],
    registry=REGISTRY,
)


def notes_written(batch: int) -> None:
    """A group commit of `batch` notes (each is acknowledged to its writer next)."""
    NOTE_BATCH.observe(batch)
    NOTES.inc(batch)


def record(counts: Counts, now: datetime) -> None:
    """Set the gauges read from the database (labels no longer present drop to nothing)."""
    OPEN_INCIDENTS.set(counts.open_incidents)
    for gauge, values in ((POSTMORTEMS, counts.postmortems), (NUDGES, counts.nudges)):
        gauge.clear()
        for state, n in values.items():
            gauge.labels(state).set(n)
    EFFECTS.clear()
    for (kind, state), n in counts.effects.items():
        EFFECTS.labels(kind, state).set(n)
    for queue, due in counts.oldest_due.items():
        LAG.labels(queue).set(0 if due is None else max((now - due).total_seconds(), 0))


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class MeteredWebClient(AsyncWebClient):
    """Slack's Web API client, counting each call by method and outcome."""

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:  # its answer may be an error page, not JSON
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            SLACK_CALLS.labels(api_method, str(data.get("error") or "error")[:40]).inc()
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            SLACK_CALLS.labels(api_method, exc.__class__.__name__).inc()
            raise
        SLACK_CALLS.labels(api_method, "ok").inc()
        return response
