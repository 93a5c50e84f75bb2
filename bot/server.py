"""HTTP mode: Slack's requests at POST /slack/events, and the probes (bot/health.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot import metrics
from bot.app import Runtime
from bot.health import add_probes
from bot.request_shape import Body, parse
from bot.services import stats

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 256 * 1024  # Slack's payloads are far smaller; refuse anything bigger early


def build_web_app(runtime: Runtime) -> web.Application:
    replays = runtime.replays
    verifier = SignatureVerifier(runtime.settings.signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        signature = request.headers.get("X-Slack-Signature", "")
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            # Slack sends Unix seconds; anything else is refused before Bolt tries to read it.
            return web.json_response({"error": "invalid request timestamp"}, status=401)
        body = await request.read()
        parsed = parse(body, request.content_type)
        if parsed is None:
            return web.json_response({"error": "malformed request body"}, status=400)
        if not verifier.is_valid(body, stamp, signature):
            return web.json_response({"error": "invalid signature"}, status=401)
        # Only a genuine request is remembered, so a forged copy can't spoil the real one.
        if not await replays.check(stamp, signature):
            return web.json_response({"error": "replayed request"}, status=401)
        bolt_response = await runtime.bolt.async_dispatch(bolt_request(request, parsed))
        return await to_aiohttp_response(bolt_response)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(SLACK_PATH, slack_events)
    add_operations(app, runtime)
    return app


def add_operations(app: web.Application, runtime: Runtime) -> None:
    """The probes (bot/health.py) and GET /metrics (bot/metrics.py)."""
    add_probes(app, runtime.health)

    async def metrics_view(_: web.Request) -> web.Response:
        now = datetime.now(UTC)
        try:
            metrics.record(await stats.counts(uow=runtime.deps.storage.uow(), now=now), now)
        except Exception as exc:  # the database away: the counters are still worth serving
            log.warning("metrics: could not read the database (%s)", exc.__class__.__name__)
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    app.router.add_get("/metrics", metrics_view)


def operations_app(runtime: Runtime) -> web.Application:
    """The probes and metrics alone (Socket Mode, on HEALTH_PORT)."""
    app = web.Application()
    add_operations(app, runtime)
    return app


def bolt_request(request: web.Request, body: Body) -> AsyncBoltRequest:
    """Bolt's request for a verified body, carrying our parse of it (see bot/request_shape.py).

    Bolt takes a ready dict only in Socket Mode, so the request is built that way and then
    marked as the HTTP request it is."""
    bolt = AsyncBoltRequest(
        body=body.fields,
        query=request.query_string,
        headers=dict(request.headers),
        mode="socket_mode",
    )
    bolt.raw_body, bolt.mode = body.text, "http"
    return bolt


async def serve(runtime: Runtime, host: str, port: int) -> web.AppRunner:
    """Start serving; the caller keeps the runner and calls `cleanup()` to stop."""
    runner = web.AppRunner(build_web_app(runtime), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually bound (useful with port 0)."""
    return int(runner.addresses[0][1])
