"""The three flows the outbox must keep short, with Slack answering every call after 150 ms:
`start` → channel ready (summary pinned, declarer told), `close` → draft shared, and `ready` →
every reviewer asked. Reports the elapsed time and the sequential Slack round trips (the longest
chain of calls each made after the one before it was answered) against the issue's limits.

The bot runs in this process (like the front-door tests), on a SQLite file or a PostgreSQL
database, with the fake Web API beside it. Run just this phase with:

    .venv/bin/python -m bench.flows [--backends sqlite,postgres]   (half a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from pathlib import Path

from bench.data import database, pg_problem
from bot.app import Runtime
from bot.domain.policy import Policy
from bot.server import bound_port, serve
from bot.settings import Settings
from storage.uow import Storage
from tests.support.fake_slack import Call, FakeSlack, round_trips
from tests.support.review import write_required
from tests.support.slack_requests import SlackClient

DELAY = 0.150  # seconds Slack takes to answer every call
LIMITS = {"start": 3, "close": 4, "ready": 2}
REVIEWERS = ("U5", "U6", "U7", "U8", "U9")
CLOSE = "close --impact 45m --data-loss no --intervention rollback --detected-by monitoring"
SECRET = "bench-signing-secret"
WITHIN = 30.0


async def measure(database_url: str) -> list[dict]:
    """One run of each flow; a row per flow."""
    policy = Policy.from_mapping(
        {"reminders": {"business_days": False}, "review": {"publish_channel": "CPUBLIC"}}
    )
    async with FakeSlack() as fake:
        settings = Settings(
            bot_token="xoxb-bench",
            signing_secret=SECRET,
            app_token=None,
            api_url=fake.base_url,
            database_url=database_url,
            policy_path=None,
        )
        runtime = Runtime(settings, policy)
        await runtime.start(nudges=False)
        runner = await serve(runtime, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{bound_port(runner)}/slack/events"
        slack = SlackClient(None, url, SECRET, response_url=fake.response_url)
        try:
            await slack.command("help")  # Bolt's one-off auth.test is not part of a flow
            fake.delay("*", DELAY)
            return await _flows(slack, fake, runtime.deps.storage)
        finally:
            await slack.close()
            await runner.cleanup()
            await runtime.aclose()


async def _flows(slack: SlackClient, fake: FakeSlack, storage: Storage) -> list[dict]:
    loop = asyncio.get_running_loop()
    fake.clear()
    began = loop.time()
    await slack.command("start Bench flows")
    told = await fake.wait_for("response_url", lambda c: "<#C" in c.args.get("text", ""), WITHIN)
    pinned = await fake.wait_for("pins.add", timeout=WITHIN)
    rows = [await _row("start", began, [told, pinned], fake)]
    channel = re.search(r"<#(C\w+)>", told.args["text"]).group(1)

    fake.clear()
    began = loop.time()
    reviewers = " ".join(f"<@{r}>" for r in REVIEWERS)
    await slack.command(f"{CLOSE} --reviewers {reviewers}", channel_id=channel)
    draft = await fake.wait_for(
        "chat.postMessage", lambda c: "postmortem draft" in (c.args.get("text") or ""), WITHIN
    )
    rows.append(await _row("close", began, [draft], fake))
    await asyncio.sleep(2 * DELAY * 4)  # the retro invitation's upload finishes
    await write_required(storage, 1)  # what must be written before review (no Slack call)

    fake.clear()
    began = loop.time()
    await slack.command("postmortem ready", channel_id=channel)
    asked = await fake.wait_for(
        "chat.postMessage",
        lambda c: c.args.get("channel") in {fake.dms.get(r) for r in REVIEWERS},
        WITHIN,
        count=len(REVIEWERS),
    )
    rows.append(await _row("ready", began, list(asked), fake))
    return rows


async def _row(flow: str, began: float, targets: list[Call], fake: FakeSlack) -> dict:
    async with asyncio.timeout(WITHIN):  # a call is seen on arrival; the flow ends at its answer
        while any(c.done is None for c in targets):  # noqa: ASYNC110 - no event for answers
            await asyncio.sleep(0.005)
    answered = [c.done for c in targets if c.done is not None]
    trips = max(round_trips(fake.calls, c) for c in targets)
    return {
        "flow": flow,
        "elapsed_s": max(answered) - began,
        "round_trips": trips,
        "limit": LIMITS[flow],
        "ok": trips <= LIMITS[flow],
    }


def markdown(results: dict[str, list[dict]]) -> str:
    """The section of bench/RESULTS.md."""
    lines = [
        "## Flows (Slack answering every call after 150 ms)",
        "",
        "`start` → channel ready (summary pinned, declarer told); `close` → draft shared; "
        f"`ready` → every one of {len(REVIEWERS)} reviewers asked. Round trips: the longest "
        "chain of Slack calls made one after another.",
        "",
        "| backend | flow | elapsed s | sequential round trips | limit | |",
        "|---|---|---|---|---|---|",
    ]
    for backend, rows in results.items():
        for r in rows:
            mark = "ok" if r["ok"] else "**over**"
            lines.append(
                f"| {backend} | {r['flow']} | {r['elapsed_s']:.2f} | {r['round_trips']} "
                f"| ≤ {r['limit']} | {mark} |"
            )
    return "\n".join(lines) + "\n"


async def run(backends: list[str], tmp: Path) -> dict[str, list[dict]]:
    """Each flow on each backend, each on a fresh database."""
    results = {}
    for backend in backends:
        if backend == "postgres" and await pg_problem():
            continue
        async with database(backend, tmp, "flows") as url:
            results[backend] = await measure(url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", type=lambda t: t.split(","), default=["sqlite", "postgres"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="furikaeri-flows-") as tmp:
        results = asyncio.run(run(args.backends, Path(tmp)))
    print(markdown(results))


if __name__ == "__main__":
    main()
