"""bench/RESULTS.md from the results: machine facts, the command, the tables, the targets.
A "## Findings" section already in the file (written by hand) is carried over unchanged."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path

TARGET_RATIO, TARGET_MAX_ACK_S, TARGET_RENDER_S = 0.75, 2.5, 1.0
PACKAGES = ("slack_bolt", "aiohttp", "SQLAlchemy", "aiosqlite", "asyncpg")


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _g(d: dict, key: str, fmt: str) -> str:
    return fmt.format(d[key]) if d.get(key) is not None else "failed"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _ratio(run, floor) -> str:
    return f"{run.rps / floor.rps:.2f}×" if floor and floor.rps else "—"


def _row(name: str, run, floor=None, ack_first=None) -> str:
    errors = sum(run.errors.values())
    detail = "; ".join(f"{k} ×{v}" for k, v in run.errors.most_common(2))
    cells = [name, run.concurrency, run.requests, run.ok, f"{errors} ({detail})" if errors else 0]
    cells += [f"{run.rps:,.0f}", _ratio(run, floor), _ratio(run, ack_first)]
    cells += [f"{run.pct(p):,.1f}" for p in (50, 95, 99, 100)]
    cpu_ms = run.cpu_pct * 10 / run.rps if run.rps else 0  # server CPU time per request
    cells += [f"{run.cpu_pct:.0f}", f"{cpu_ms:.2f}"]
    cells += [f"{x:.0f}" for x in (run.client_pct, run.machine_pct, run.rss_max)]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(r: dict, output: Path) -> str:
    args = r["args"]
    backends = [b for b in ("sqlite", "postgres") if b in r]
    out = [
        "# Benchmark results",
        "",
        f"- date: {r['started']:%Y-%m-%d %H:%M} – {r['finished']:%H:%M} UTC",
        f"- machine: {os.cpu_count()} cores (nproc), {_cpu()}, Linux {platform.release()}; "
        f"Python {platform.python_version()}; " + ", ".join(f"{p} {version(p)}" for p in PACKAGES),
        f"- command: `{' '.join(['.venv/bin/python -m bench.run', *sys.argv[1:]])}`",
        f"- load: closed loop at concurrency {args.concurrency} with {args.requests} timed "
        f"requests (a run stops after {args.max_seconds:.0f} s), after one untimed warm-up "
        "request per connection: signed `/incident note <text>` slash commands to one incident "
        "channel. Latency: request sent → acknowledgement read, aiohttp client with keep-alive.",
        "- side by side: the floor (`bench/floor.py`, a bare Bolt AsyncApp on the same aiohttp "
        "stack whose `/incident` only acks) runs at each level just before furikaeri "
        "(`furikaeri run --http`, a subprocess); the ratio compares the two. Fake Slack "
        "(tests/support/fake_slack.py) runs in its own process.",
        "- furikaeri runs Bolt with `process_before_response` and answers Slack as soon as a "
        "listener calls `ack()` (handlers/background.py); the floor keeps Bolt's default, which "
        "notices an `ack()` by polling every 10 ms. So that the ratio isn't flattered by that "
        "alone, a second floor, *ack-first* (`bench/floor.py --ack-first`: "
        "`process_before_response=True`, the handler still only acks), runs beside it; the "
        "targets are judged against the floor as the issue defines it (Bolt's default).",
        "- acked = HTTP 200 with an `in_channel` answer. HTTP 404 is Bolt giving up after its "
        "3 s ack timeout; `refused` is an ephemeral error answer.",
        "- CPU %: 100 = one core. machine = every process on the machine (furikaeri, load "
        "generator, fake Slack, PostgreSQL, and anything else running: other people's tests).",
        *[f"- **{b} skipped**: {why}" for b, why in r["skipped"].items()],
        "",
        "## Note acknowledgement under load",
        "",
        "| target | concurrency | timed requests | acked | errors | req/s | ratio to floor "
        "| ratio to ack-first floor | p50 ms | p95 ms | p99 ms | max ms | server CPU % "
        "| server CPU ms/request | load-gen CPU % | machine CPU % | RSS max MiB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for b in backends:
        runs = zip(r[b]["floor_runs"], r[b]["ack_first_runs"], r[b]["runs"], strict=True)
        for floor, ack_first, run in runs:
            out += [_row("floor", floor), _row("floor, ack-first", ack_first, floor)]
            out += [_row(f"**furikaeri {b}**", run, floor, ack_first)]
    out += [
        "",
        "## Every acknowledged note stored?",
        "",
        "After each furikaeri run, `furikaeri export INC-1 --format json`: every acknowledged "
        "note's text (warm-ups included) must be among the stored notes. Stored notes beyond "
        "the acknowledged ones were saved after Bolt had already answered 404 (or after a "
        "client timeout): Slack shows the person a failure for a note that was in fact kept.",
        "",
        "| backend | acknowledged | stored notes | acknowledged but missing "
        "| stored but not acknowledged | ERROR lines in the bot's log |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for b in backends:
        x = r[b]
        out.append(
            f"| {b} | {x['acked']} | {x['stored']} | {len(x['missing'])} "
            f"| {max(0, x['stored'] - x['acked'] + len(x['missing']))} | {x['errors_logged']} |"
        )
    out += [
        "",
        f"## Close and postmortem render with {args.entries:,} timeline entries",
        "",
        "INC-2 is declared through the front door (`--at` 12 h ago); the entries are inserted "
        "through the storage layer (`uow.timeline.add`, 1,000 per transaction). Render: "
        "`Renderer.postmortem_markdown` alone, in-process, called as the bot calls it "
        f"(best and median of 5). Close: `/incident {r['close']}` → its acknowledgement, and → "
        "`canvases.create` arriving at the fake.",
        "",
        "| backend | insert s | read entries s | render best s | render median s | draft chars "
        "| close ack ms | command → canvases.create s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for b in backends:
        c = r[b]["close"]
        cells = [_g(c, "read_s", "{:.3f}"), _g(c, "render_best_s", "{:.3f}")]
        cells += [_g(c, "render_median_s", "{:.3f}"), _g(c, "chars", "{:,}")]
        if "render_error" in c:
            cells[-1] += f" ({c['render_error'][:120]})"
        ack = f"{1000 * c['close_ack_s']:.0f}{'' if c['close_ok'] else ' (not a bare ack!)'}"
        canvas = _g(c, "close_canvas_s", "{:.2f}") + (
            f" ({c['canvas_error'][:120]})" if "canvas_error" in c else ""
        )
        out.append(f"| {b} | {c['seed_s']:.1f} | {' | '.join(cells)} | {ack} | {canvas} |")
    out += [
        "",
        "## Start-up and memory",
        "",
        "Start-up: process spawned → first `GET /healthz` 200 (interpreter, imports, migrations, "
        "scheduler), on a migrated database holding that many pending nudges (due in 1–30 days). "
        "RSS: VmRSS of the server process.",
        "",
        "| target | pending nudges | start-up s | RSS at healthy MiB | RSS 3 s later MiB |",
        "|---|--:|--:|--:|--:|",
        f"| floor | – | {r['floor']['startup_s']:.2f} | {r['floor']['rss_idle']:.1f} | – |",
    ]
    for b in backends:
        for s in r[b]["startup"]:
            out.append(
                f"| furikaeri {b} | {s['pending']:,} | {s['startup_s']:.2f} "
                f"| {s['rss_healthy']:.1f} | {s['rss_settled']:.1f} |"
            )
    out += [
        "",
        "| target | RSS idle before load MiB | RSS max under load MiB | RSS idle after load MiB |",
        "|---|--:|--:|--:|",
    ]
    floor_runs = [run for b in backends for run in r[b]["floor_runs"]]
    if floor_runs:
        peak = max(run.rss_max for run in floor_runs)
        f = r["floor"]
        out.append(f"| floor | {f['rss_idle']:.1f} | {peak:.1f} | {f['rss_after']:.1f} |")
    for b in backends:
        peak = max(run.rss_max for run in r[b]["runs"])
        out.append(
            f"| furikaeri {b} | {r[b]['rss_idle']:.1f} | {peak:.1f} | {r[b]['rss_after']:.1f} |"
        )
    out += ["", "## Targets", "", "| target | backend | value | |", "|---|---|--:|---|"]
    for b in backends:
        pairs = {
            run.concurrency: (fl, run)
            for fl, run in zip(r[b]["floor_runs"], r[b]["runs"], strict=True)
        }
        if 20 in pairs and pairs[20][0].rps:
            ratio = pairs[20][1].rps / pairs[20][0].rps
            out.append(
                f"| throughput ≥ {TARGET_RATIO}× floor at concurrency 20 | {b} "
                f"| {ratio:.2f}× | {_met(ratio >= TARGET_RATIO)} |"
            )
            ack_first = r[b]["ack_first_runs"][list(pairs).index(20)]
            out.append(
                f"| (for comparison) the same against the ack-first floor | {b} "
                f"| {_ratio(pairs[20][1], ack_first)} | |"
            )
        if 200 in pairs:
            run = pairs[200][1]
            worst = run.pct(100) / 1000 if run.latencies else float("inf")
            failed = sum(run.errors.values())
            out.append(
                f"| no ack over {TARGET_MAX_ACK_S} s at concurrency 200 (every request acked) "
                f"| {b} | max {worst:.2f} s, {failed} not acked "
                f"| {_met(worst <= TARGET_MAX_ACK_S and not failed)} |"
            )
        render = r[b]["close"].get("render_best_s") or float("inf")
        out.append(
            f"| render of {args.entries:,} entries < {TARGET_RENDER_S} s | {b} "
            f"| {_g(r[b]['close'], 'render_best_s', '{:.3f} s')} "
            f"| {_met(render < TARGET_RENDER_S)} |"
        )
        missing = len(r[b]["missing"])
        out.append(
            f"| every acknowledged note stored | {b} | {missing} missing of {r[b]['acked']} "
            f"| {_met(missing == 0)} |"
        )
    if r.get("flows"):
        from bench.flows import markdown as flows_markdown

        out += ["", flows_markdown(r["flows"])]
    previous = output.read_text() if output.exists() else ""
    at = previous.find("## Findings")
    findings = previous[at:] if at >= 0 else "## Findings\n\n(none written yet)\n"
    return "\n".join(out) + "\n\n" + findings
