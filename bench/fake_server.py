"""tests.support.fake_slack.FakeSlack in a process of its own, so that its work never shares a
core with the bot or the load generator. Prints one JSON line (its URLs), then serves until
SIGTERM. A small control app beside it lets the benchmark read and wait for recorded calls:

    GET  /wait?method=M&count=N&timeout=S  -> {"ok": true, "calls": [{"method", "args"}, ...]}
    POST /clear                            -> forget recorded calls
"""

from __future__ import annotations

import asyncio
import json
import signal

from aiohttp import web

from tests.support.fake_slack import FakeSlack


def _calls(calls) -> list[dict]:
    return [{"method": c.method, "args": c.args} for c in calls]


async def main() -> None:
    fake = await FakeSlack().start()

    async def wait(request: web.Request) -> web.Response:
        q = request.query
        try:
            found = await fake.wait_for(
                q["method"], count=int(q.get("count", 1)), timeout=float(q.get("timeout", 30))
            )
        except AssertionError as exc:
            return web.json_response({"ok": False, "error": str(exc)})
        found = found if isinstance(found, list) else [found]
        return web.json_response({"ok": True, "calls": _calls(found)}, dumps=_dumps)

    async def clear(_: web.Request) -> web.Response:
        fake.clear()
        return web.json_response({"ok": True})

    control = web.Application()
    control.router.add_get("/wait", wait)
    control.router.add_post("/clear", clear)
    runner = web.AppRunner(control, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    print(
        json.dumps(
            {
                "base_url": fake.base_url,
                "origin": fake.origin,
                "control": f"http://127.0.0.1:{port}",
            }
        ),
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await fake.stop()


def _dumps(value: object) -> str:
    return json.dumps(value, default=repr)  # uploads are bytes


if __name__ == "__main__":
    asyncio.run(main())
