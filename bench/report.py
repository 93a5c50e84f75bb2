"""bench/RESULTS.md from the results: machine facts, the command, the tables, the targets.
A "## Findings" section already in the file (written by hand) is carried over unchanged."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path

TARGET_RATIO, TARGET_MAX_ACK_S, TARGET_RENDER_S = 0.75, 2.5, 1.0


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _f(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def markdown(r: dict, output: Path) -> str:
    args, floor = r["args"], r["floor"]
    backends = [b for b in ("sqlite", "postgres") if b in r]
    floor_rps = {run.concurrency: run.rps for run in floor["runs"]}
    pkgs = ", ".join(
        f"{p} {version(p)}" for p in ("slack_bolt", "aiohttp", "SQLAlchemy", "aiosqlite", "asyncpg")
    )
    cmd = " ".join([".venv/bin/python -m bench.run", *sys.argv[1:]])
    out = [
        "# Benchmark results",
        "",
        f"- date: {r['started']:%Y-%m-%d %H:%M} – {r['finished']:%H:%M} UTC",
        f"- machine: {os.cpu_count()} cores (nproc), {_cpu()}, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; {pkgs}",
        f"- command: `{cmd}`",
        f"- load: closed loop, concurrency {args.concurrency}, timed requests {args.requests} "
        f"(each run bounded to {args.max_seconds:.0f} s), plus one untimed warm-up request per "
        "connection; signed `/incident note <text>` slash commands to one incident channel; "
        "latency = request sent → acknowledgement read (aiohttp client, keep-alive, same "
        "process tree, 127.0.0.1).",
        "- the floor: `bench/floor.py`, a bare Bolt AsyncApp on the same aiohttp stack whose "
        "`/incident` only acks. furikaeri: `furikaeri run --http` as a subprocess; fake Slack "
        "(tests/support/fake_slack.py) in a process of its own.",
        *[f"- **{b} skipped**: {why}" for b, why in r["skipped"].items()],
        "",
        "## Note acknowledgement under load",
        "",
        "| target | concurrency | timed requests | acked | errors | req/s | ratio to floor "
        "| p50 ms | p95 ms | p99 ms | max ms | server CPU % | RSS max MiB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, res in [("floor", floor)] + [(f"furikaeri {b}", r[b]) for b in backends]:
        for run in res["runs"]:
            ratio = run.rps / floor_rps[run.concurrency] if floor_rps.get(run.concurrency) else 0
            errors = sum(run.errors.values())
            detail = "; ".join(f"{k} ×{v}" for k, v in run.errors.most_common(3))
            out.append(
                f"| {name} | {run.concurrency} | {run.requests} | {run.ok} | "
                f"{errors}{f' ({detail})' if detail else ''} | {_f(run.rps)} | "
                f"{'—' if name == 'floor' else f'{ratio:.2f}×'} | {_f(run.pct(50), 1)} | "
                f"{_f(run.pct(95), 1)} | {_f(run.pct(99), 1)} | {_f(run.pct(100), 1)} | "
                f"{_f(run.cpu_pct)} | {_f(run.rss_max, 1)} |"
            )
    out += [
        "",
        "## Every acknowledged note stored?",
        "",
        "Counted after each furikaeri run with `furikaeri export INC-1 --format json`: "
        "each acknowledged note's text (warm-ups included) must be among the stored notes.",
        "",
        "| backend | acknowledged | stored notes | acknowledged but missing "
        "| errors in the bot's log |",
        "|---|--:|--:|--:|--:|",
    ]
    for b in backends:
        x = r[b]
        out.append(
            f"| {b} | {x['acked']} | {x['stored']} | {len(x['missing'])} | {x['errors_logged']} |"
        )
    out += [
        "",
        f"## Close and postmortem render with {args.entries:,} timeline entries",
        "",
        "Entries inserted through the storage layer (`uow.timeline.add`, 1,000 per "
        "transaction) into INC-2, declared through the front door with `--at` 12 h ago. "
        "Render: `Renderer.postmortem_markdown` in-process on the entries read back, 5 times. "
        f"Close: `/incident {r['close']}` → acknowledgement, and → "
        "`canvases.create` arriving at the fake.",
        "",
        "| backend | insert entries s | read entries s | render best s | render median s "
        "| draft chars | close ack ms | command → canvases.create s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for b in backends:
        c = r[b]["close"]
        render = [
            _g(c, "read_s", "{:.3f}"),
            _g(c, "render_best_s", "{:.3f}"),
            _g(c, "render_median_s", "{:.3f}"),
            _g(c, "chars", "{:,}"),
        ]
        if "render_error" in c:
            render[-1] += f" (render failed: {c['render_error'][:120]})"
        ack = f"{1000 * c['close_ack_s']:.0f}{'' if c['close_ok'] else ' (not a bare ack!)'}"
        canvas = _g(c, "close_canvas_s", "{:.2f}")
        if "canvas_error" in c:
            canvas += f" ({c['canvas_error'][:120]})"
        out.append(f"| {b} | {c['seed_s']:.2f} | {' | '.join(render)} | {ack} | {canvas} |")
    out += [
        "",
        "## Start-up and memory",
        "",
        "Start-up: process spawned → first `GET /healthz` 200 (Python start and imports, "
        "migrations, scheduler). RSS from /proc/PID/status (VmRSS).",
        "",
        "| target | pending nudges | start-up s | RSS at healthy MiB | RSS 3 s later MiB |",
        "|---|--:|--:|--:|--:|",
        f"| floor | – | {floor['startup_s']:.2f} | {floor['rss_idle']:.1f} | – |",
    ]
    for b in backends:
        for s in r[b]["startup"]:
            out.append(
                f"| furikaeri {b} | {s['pending']:,} | {s['startup_s']:.2f} | "
                f"{s['rss_healthy']:.1f} | {s['rss_settled']:.1f} |"
            )
    out += [
        "",
        "| target | RSS idle before load MiB | RSS max under load MiB | RSS idle after load MiB |",
        "|---|--:|--:|--:|",
    ]
    for name, res in [("floor", floor)] + [(f"furikaeri {b}", r[b]) for b in backends]:
        peak = max(run.rss_max for run in res["runs"])
        out.append(f"| {name} | {res['rss_idle']:.1f} | {peak:.1f} | {res['rss_after']:.1f} |")
    out += ["", "## Targets", "", "| target | backend | value | |", "|---|---|--:|---|"]
    for b in backends:
        runs = {run.concurrency: run for run in r[b]["runs"]}
        if 20 in runs and floor_rps.get(20):
            ratio = runs[20].rps / floor_rps[20]
            out.append(
                f"| throughput ≥ {TARGET_RATIO}× floor at concurrency 20 | {b} | "
                f"{ratio:.2f}× | {_met(ratio >= TARGET_RATIO)} |"
            )
        if 200 in runs:
            run = runs[200]
            worst = run.pct(100) / 1000 if run.latencies else float("inf")
            ok = worst <= TARGET_MAX_ACK_S and not run.errors
            out.append(
                f"| no ack over {TARGET_MAX_ACK_S} s at concurrency 200 (and no errors) | "
                f"{b} | max {worst:.2f} s, {sum(run.errors.values())} errors | "
                f"{_met(ok)} |"
            )
        render = r[b]["close"].get("render_best_s", float("inf"))
        out.append(
            f"| render of {args.entries:,} entries < {TARGET_RENDER_S} s | {b} | "
            f"{_g(r[b]['close'], 'render_best_s', '{:.3f} s')} | "
            f"{_met(render < TARGET_RENDER_S)} |"
        )
        missing = len(r[b]["missing"])
        out.append(
            f"| every acknowledged note stored | {b} | {missing} missing of "
            f"{r[b]['acked']} | {_met(missing == 0)} |"
        )
    previous = output.read_text() if output.exists() else ""
    findings = (
        previous[previous.find("## Findings") :]
        if "## Findings" in previous
        else ("## Findings\n\n(none written yet)\n")
    )
    return "\n".join(out) + "\n\n" + findings


def _g(d: dict, key: str, fmt: str) -> str:
    return fmt.format(d[key]) if d.get(key) is not None else "failed"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"
