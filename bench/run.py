"""Run the whole benchmark: the floor, furikaeri on SQLite and on PostgreSQL, side by side.

    .venv/bin/python -m bench.run            # full run, writes bench/RESULTS.md (6–10 min)
    .venv/bin/python -m bench.run --quick --output /tmp/r.md   # a short one, to try things

Every process (fake Slack, floor, bot, exports) is a child of this one; all traffic goes to
127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench import flows, report
from bench.data import (
    FURIKAERI,
    ROOT,
    database,
    pg_problem,
    seed_reminders,
    seed_timeline,
    stored_notes,
    time_render,
)
from bench.load import LoadResult, closed_loop, cpu_seconds, rss_mib
from tests.support.slack_requests import FORM, sign, slash_command_body

SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench-token"
CLOSE = "close --impact 45m --data-loss no --intervention rollback --detected-by monitoring"
STARTED: list[asyncio.subprocess.Process] = []  # ours, stopped on the way out


# --- processes ------------------------------------------------------------------------------


async def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None, **kw):
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, env={**os.environ, **(env or {})}, stderr=log.open("ab"), **kw
    )
    STARTED.append(proc)
    return proc


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fake:
    """The fake Slack Web API, in its own process (bench/fake_server.py)."""

    @classmethod
    async def start(cls, http: aiohttp.ClientSession, logs: Path) -> Fake:
        fake = cls()
        fake.http = http
        fake.proc = await spawn(
            [sys.executable, "-m", "bench.fake_server"],
            logs / "fake.log",
            stdout=asyncio.subprocess.PIPE,
        )
        urls = json.loads(await asyncio.wait_for(fake.proc.stdout.readline(), 30))
        fake.base_url, fake.control = urls["base_url"], urls["control"]
        fake.response_url = f"{urls['origin']}/response/bench"
        return fake

    async def wait(self, method: str, count: int = 1, within: float = 30) -> list[dict]:
        params = {"method": method, "count": str(count), "timeout": str(within)}
        async with self.http.get(f"{self.control}/wait", params=params) as res:
            answer = await res.json()
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        return answer["calls"]

    async def clear(self) -> None:
        async with self.http.post(f"{self.control}/clear") as res:
            await res.read()


class Server:
    """The floor or `furikaeri run --http`, started and timed until GET /healthz says 200."""

    def __init__(
        self, kind: str, fake: Fake, logs: Path, database_url: str | None = None, *flags: str
    ):
        self.kind, self.fake, self.logs, self.database_url = kind, fake, logs, database_url
        self.flags = flags

    async def start(self, http: aiohttp.ClientSession, log_name: str) -> Server:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log = self.logs / f"{log_name}.log"
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.fake.base_url,
        }
        if self.kind == "floor":
            argv = [sys.executable, "-m", "bench.floor", "--port", str(port), *self.flags]
        else:
            argv = [FURIKAERI, "run", "--http", "--host", "127.0.0.1", "--port", str(port)]
            env["DATABASE_URL"] = self.database_url
        t0 = time.perf_counter()
        self.proc = await spawn(argv, self.log, env, stdout=asyncio.subprocess.DEVNULL)
        self.pid = self.proc.pid
        for _ in range(6000):  # 60 s at most
            if self.proc.returncode is not None:
                raise RuntimeError(f"{self.kind} exited; see {self.log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{self.base}/healthz") as res:
                    if res.status == 200:
                        self.startup = time.perf_counter() - t0
                        return self
            await asyncio.sleep(0.01)
        raise RuntimeError(f"{self.kind} not healthy after 60 s; see {self.log}")

    async def command(self, http: aiohttp.ClientSession, text: str, channel: str) -> dict:
        body = slash_command_body(text, channel_id=channel, response_url=self.fake.response_url)
        headers = {"Content-Type": FORM, **sign(body, SECRET)}
        async with http.post(f"{self.base}/slack/events", data=body, headers=headers) as res:
            return json.loads(await res.read() or b"{}") | {"status": res.status}

    def errors_logged(self) -> int:
        return sum(" ERROR " in line for line in self.log.read_text().splitlines())


# --- the phases --------------------------------------------------------------------------------


async def declare(http, srv: Server, title: str, at: str = "") -> str:
    """`/incident start` through the front door; the channel id the fake handed out."""
    await srv.fake.clear()
    answer = await srv.command(http, f"start {title}{at}", "CGENERAL")
    assert answer["status"] == 200, answer
    return (await srv.fake.wait("pins.add", within=30))[0]["args"]["channel"]


async def load(srv: Server, channel: str, label: str, c: int, n: int, args) -> LoadResult:
    """One closed-loop run against `srv`; with --profile, py-spy records furikaeri meanwhile."""
    spy = None
    if args.profile and srv.kind != "floor" and c in args.profile_at:
        out = Path(args.logs) / f"profile-{label}-c{c}.txt"
        argv = [str(Path(sys.executable).parent / "py-spy"), "record", "-f", "raw", "-r", "100"]
        argv += [*args.profile_flags.split(), "-p", str(srv.pid), "-o", str(out)]
        spy = await spawn(argv, Path(args.logs) / "py-spy.log", stdout=asyncio.subprocess.DEVNULL)
        await asyncio.sleep(1)
    run = await closed_loop(
        f"{srv.base}/slack/events",
        secret=SECRET,
        channel=channel,
        response_url=srv.fake.response_url,
        label=f"{label}-c{c}",
        requests=n,
        concurrency=c,
        max_seconds=args.max_seconds,
        pid=srv.pid,
    )
    if spy:
        spy.send_signal(signal.SIGINT)
        await asyncio.wait_for(spy.wait(), 60)
    print(
        f"  {label} c={c}: {run.ok}/{run.requests} acked, {run.rps:.0f} req/s, p99 "
        f"{run.pct(99):.0f} ms, max {run.pct(100):.0f} ms, errors {dict(run.errors)}",
        flush=True,
    )
    return run


async def settle(pid: int, limit: float = 120) -> float:
    """Wait (at most `limit` s) until the server is idle: listeners Bolt stopped waiting for
    (ack timeouts) may still be running after the load generator is done."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        cpu = cpu_seconds(pid)
        await asyncio.sleep(0.5)
        if cpu_seconds(pid) - cpu < 0.03:
            break
    return time.perf_counter() - t0


async def close_phase(http, srv: Server, url: str, entries: int) -> dict:
    """INC-2 with `entries` entries: time the render in-process, then the close end to end."""
    at = (datetime.now(UTC) - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%MZ")
    channel = await declare(http, srv, "bench close", f" --at {at}")
    t0 = time.perf_counter()
    await seed_timeline(url, 2, entries)
    out = {"seed_s": time.perf_counter() - t0}
    try:
        out |= await time_render(url, 2)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal: the close is timed anyway
        out["render_error"] = f"{exc.__class__.__name__}: {exc}"
    await srv.fake.clear()
    canvas = asyncio.create_task(srv.fake.wait("canvases.create", within=60))
    await asyncio.sleep(0.2)  # the wait is registered in the fake before the command goes
    t0 = time.perf_counter()
    answer = await srv.command(http, CLOSE, channel)
    out["close_ack_s"] = time.perf_counter() - t0
    out["close_ok"] = answer["status"] == 200 and "text" not in answer  # a bare ack
    try:
        await canvas
        out["close_canvas_s"] = time.perf_counter() - t0
        await srv.fake.wait("files.completeUploadExternal", within=30)  # the retro invite
    except RuntimeError as exc:
        out.setdefault("canvas_error", str(exc)[:200])
    return out


async def startup_phase(http, fake: Fake, backend: str, tmp: Path, logs: Path, n: int) -> list:
    rows = []
    for pending in (0, n):
        async with database(backend, tmp, f"startup{pending}") as url:
            await seed_reminders(url, pending)
            srv = Server("furikaeri", fake, logs, url)
            await srv.start(http, f"{backend}-start{pending}")
            rss_healthy = rss_mib(srv.pid)
            await asyncio.sleep(3)  # the first nudge tick has run
            rows.append(
                {
                    "pending": pending,
                    "startup_s": srv.startup,
                    "rss_healthy": rss_healthy,
                    "rss_settled": rss_mib(srv.pid),
                    "cpu_s": cpu_seconds(srv.pid),
                }
            )
            await stop(srv.proc)
    return rows


async def backend_phase(
    http, fake: Fake, floors: tuple[Server, Server], backend: str, tmp: Path, args
) -> dict:
    """furikaeri on one database: load (each level right after both floors at the same level),
    stored-vs-acknowledged, close with many entries, start-up with many nudges."""
    floor, ack_first = floors
    logs = Path(args.logs)
    async with database(backend, tmp, "load") as url:
        srv = await Server("furikaeri", fake, logs, url).start(http, backend)
        channel = await declare(http, srv, f"bench {backend}")
        await settle(srv.pid)
        out = {"rss_idle": rss_mib(srv.pid), "runs": [], "floor_runs": [], "ack_first_runs": []}
        for c, n in zip(args.concurrency, args.requests, strict=True):
            out["floor_runs"].append(await load(floor, "CFLOOR", "floor", c, n, args))
            run = await load(ack_first, "CFLOOR", "floor-ack-first", c, n, args)
            out["ack_first_runs"].append(run)
            out["runs"].append(await load(srv, channel, backend, c, n, args))
            out.setdefault("settle_s", []).append(await settle(srv.pid))
        out["rss_after"] = rss_mib(srv.pid)
        out["close"] = await close_phase(http, srv, url, args.entries)
        await stop(srv.proc)
        out["errors_logged"] = srv.errors_logged()
        acked = [t for run in out["runs"] for t in run.acked]
        stored = set(await stored_notes(url))
        out["acked"], out["stored"] = len(acked), len(stored)
        out["missing"] = sorted(set(acked) - stored)
    out["startup"] = await startup_phase(http, fake, backend, tmp, logs, args.reminders)
    return out


async def bench(args, tmp: Path) -> dict:
    logs = Path(args.logs)
    results: dict = {"args": args, "started": datetime.now(UTC), "skipped": {}, "close": CLOSE}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180)) as http:
            fake = await Fake.start(http, logs)
            floor = await Server("floor", fake, logs).start(http, "floor")
            results["floor"] = {"startup_s": floor.startup, "rss_idle": rss_mib(floor.pid)}
            floors = (floor, await Server("floor", fake, logs, None, "--ack-first").start(
                http, "floor-ack-first"
            ))
            for backend in args.backends:
                if backend == "postgres" and (problem := await pg_problem()):
                    results["skipped"][backend] = problem
                    print(f"  skipping postgres: {problem}", flush=True)
                    continue
                results[backend] = await backend_phase(http, fake, floors, backend, tmp, args)
            results["floor"]["rss_after"] = rss_mib(floor.pid)
        live = [b for b in args.backends if b not in results["skipped"]]
        print("  flows: start, close, ready with Slack answering after 150 ms", flush=True)
        results["flows"] = await flows.run(live, tmp)
    finally:
        for proc in STARTED:
            await stop(proc)
    results["finished"] = datetime.now(UTC)
    return results


def main(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="furikaeri-bench-"))
    args.logs = args.logs or str(tmp)
    Path(args.logs).mkdir(parents=True, exist_ok=True)
    print(f"logs in {args.logs}", flush=True)
    try:
        results = asyncio.run(bench(args, tmp))
    finally:
        if not args.keep and args.logs != str(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
        elif not args.keep:  # the logs stay, the SQLite files go
            for db in tmp.glob("*.db*"):
                db.unlink()
    Path(args.output).write_text(report.markdown(results, Path(args.output)))
    print(f"wrote {args.output}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ints = lambda text: [int(x) for x in text.split(",")]  # noqa: E731
    p = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--concurrency", type=ints, default=[1, 20, 200])
    p.add_argument(
        "--requests",
        type=ints,
        default=[2000, 5000, 5000],
        help="timed requests per concurrency level (one number each)",
    )
    p.add_argument("--max-seconds", type=float, default=120, help="time bound of one load run")
    p.add_argument("--entries", type=int, default=10_000, help="timeline entries to render")
    p.add_argument("--reminders", type=int, default=10_000, help="pending nudges at start-up")
    p.add_argument("--backends", type=lambda t: t.split(","), default=["sqlite", "postgres"])
    p.add_argument("--quick", action="store_true", help="small counts, to try the benchmark")
    p.add_argument(
        "--profile",
        action="store_true",
        help="py-spy record (raw stacks) furikaeri during the load at --profile-at",
    )
    p.add_argument("--profile-at", type=ints, default=[20, 200])
    p.add_argument("--profile-flags", default="--gil", help="more py-spy flags (e.g. --idle)")
    p.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    p.add_argument("--logs", help="where logs and profiles go (default: a temp directory)")
    p.add_argument("--keep", action="store_true", help="keep the SQLite files")
    args = p.parse_args(argv)
    if args.quick:
        args.requests = [200, 500, 1000][: len(args.concurrency)]
        args.entries, args.reminders = 2000, 2000
    if len(args.requests) != len(args.concurrency):
        p.error("--requests needs one number per --concurrency level")
    return args


if __name__ == "__main__":
    main(parse_args())
