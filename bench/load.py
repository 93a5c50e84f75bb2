"""The closed-loop load generator and the process probes (RSS, CPU) used while it runs."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from tests.support.slack_requests import FORM, sign, slash_command_body

REQUEST_TIMEOUT = 10.0  # seconds; Slack itself gives up after 3
TICKS = os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` in MiB (psutil when installed, else /proc/PID/status)."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        pass
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, all cores, from /proc/stat."""
    with open("/proc/stat") as stat:
        ticks = [int(x) for x in stat.readline().split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


@dataclass
class LoadResult:
    concurrency: int
    requests: int = 0  # timed requests sent
    ok: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged requests
    errors: Counter = field(default_factory=Counter)
    acked: list[str] = field(default_factory=list)  # note texts acknowledged (warm-up included)
    cpu_pct: float = 0.0  # the server's CPU use during the timed part (100 = one core)
    client_pct: float = 0.0  # this process's (the load generator's)
    machine_pct: float = 0.0  # the whole machine's, all processes (200 = two cores busy)
    rss_max: float = 0.0

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        """The p-th percentile latency in ms (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def closed_loop(
    url: str,
    *,
    secret: str,
    channel: str,
    response_url: str,
    label: str,
    requests: int,
    concurrency: int,
    max_seconds: float,
    pid: int,
) -> LoadResult:
    """`concurrency` workers, each sending `/incident note` and waiting for the answer before
    the next, until `requests` were sent or `max_seconds` passed. Every worker first sends one
    untimed warm-up note, so connections are open before the clock starts."""
    result = LoadResult(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def send(text: str) -> tuple[bool, float, str]:
            body = slash_command_body(
                f"note {text}", channel_id=channel, user_id="U1", response_url=response_url
            )
            headers = {"Content-Type": FORM, **sign(body, secret)}
            start = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as res:
                    payload = await res.read()
                    status = res.status
            except TimeoutError:
                return False, 0.0, "timeout"
            except aiohttp.ClientError as exc:
                return False, 0.0, exc.__class__.__name__
            latency = time.perf_counter() - start
            if status != 200:
                return False, latency, f"HTTP {status}"
            try:
                answer = json.loads(payload)
            except ValueError:
                return False, latency, "not JSON"
            if answer.get("response_type") != "in_channel":
                return False, latency, f"refused: {str(answer.get('text'))[:40]}"
            return True, latency, ""

        warm = await asyncio.gather(*(send(f"{label} warm{i}") for i in range(concurrency)))
        result.acked += [f"{label} warm{i}" for i, (ok, _, _) in enumerate(warm) if ok]
        numbers = itertools.count()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds

        async def worker() -> None:
            while loop.time() < deadline and (i := next(numbers)) < requests:
                text = f"{label} n{i}"
                ok, latency, error = await send(text)
                result.requests += 1
                if ok:
                    result.ok += 1
                    result.latencies.append(latency)
                    result.acked.append(text)
                else:
                    result.errors[error] += 1

        async def sample() -> None:
            while True:
                result.rss_max = max(result.rss_max, rss_mib(pid))
                await asyncio.sleep(0.25)

        sampler = asyncio.create_task(sample())
        cpu0, own0, (busy0, all0) = cpu_seconds(pid), time.process_time(), machine_busy()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - t0
        result.cpu_pct = 100 * (cpu_seconds(pid) - cpu0) / result.elapsed
        result.client_pct = 100 * (time.process_time() - own0) / result.elapsed
        busy1, all1 = machine_busy()
        result.machine_pct = 100 * os.cpu_count() * (busy1 - busy0) / max(1, all1 - all0)
        sampler.cancel()
        result.rss_max = max(result.rss_max, rss_mib(pid))
    return result
