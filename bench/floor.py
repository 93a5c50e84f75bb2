"""The floor: a bare Bolt AsyncApp on furikaeri's server stack whose `/incident` only acks.

Same as bot/server.py: an aiohttp web app, POST /slack/events through slack_bolt's aiohttp
adapter, request signatures verified, a single-workspace token (one auth.test, to the fake),
logging at INFO like `furikaeri run`. GET /healthz is there so start-up is timed the same way.
It deliberately imports nothing of furikaeri, so its memory is Bolt's and aiohttp's alone.
Run: SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=… SLACK_API_URL=… python -m bench.floor --port P
[--ack-first]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

MAX_BODY_BYTES = 256 * 1024  # as bot/server.py


def build_web_app(ack_first: bool = False) -> web.Application:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10
    )
    bolt = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        logger=logging.getLogger("floor"),
        # --ack-first: Bolt answers when the listener returns (as furikaeri runs it), instead of
        # polling every 10 ms for the ack() of a listener it runs in the background.
        process_before_response=ack_first,
    )

    @bolt.command("/incident")
    async def incident(ack: AsyncAck) -> None:
        # The same shape of answer as a note's acknowledgement, nothing else.
        await ack(text="noted", response_type="in_channel")

    async def slack_events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        bolt_response = await bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    return app


async def main(host: str, port: int, ack_first: bool) -> None:
    runner = web.AppRunner(build_web_app(ack_first), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    logging.info("floor is listening on http://%s:%d/slack/events", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ack-first", action="store_true", help="process_before_response")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(main(args.host, args.port, args.ack_first))
