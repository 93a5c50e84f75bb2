"""The databases: fresh ones for each phase, and what the benchmark puts into them or reads
back (timeline entries, pending nudges, the stored notes, the render of a long timeline)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
FURIKAERI = str(Path(sys.executable).parent / "furikaeri")
PG_ADMIN = os.environ.get("FURIKAERI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@asynccontextmanager
async def database(backend: str, tmp: Path, tag: str):
    """A fresh SQLite file, or a fresh PostgreSQL database that is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp / f'{tag}.db'}"
        return
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN, timeout=3)
    name = f"furikaeri_bench_{tag}_{uuid.uuid4().hex[:8]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlsplit(PG_ADMIN)._replace(scheme="postgresql+asyncpg", path=f"/{name}").geturl()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def pg_problem() -> str | None:
    import asyncpg

    try:
        await (await asyncpg.connect(PG_ADMIN, timeout=3)).close()
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {PG_ADMIN} unreachable ({exc.__class__.__name__}: {exc})"
    return None


@asynccontextmanager
async def storage(url: str):
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade
    from storage.uow import Storage

    engine = create_engine(url)
    try:
        await upgrade(engine)
        yield Storage(session_factory(engine)), engine
    finally:
        await engine.dispose()


def entry_text(i: int) -> str:
    if i % 10 == 0:  # some text takes the renderer's slow path (pipes, line breaks)
        return f"step {i}: dashboards | p99 back to normal\nwatching for 10 min"
    return f"step {i}: restarted replica {i % 17}, error rate {i % 7}%"


async def seed_timeline(url: str, number: int, n: int) -> None:
    """`n` timeline entries through the storage layer, 1,000 per transaction."""
    async with storage(url) as (store, _):
        async with store.uow() as uow:
            incident = await uow.incidents.by_number(number)
        span = datetime.now(UTC) - incident.started_at
        for first in range(0, n, 1000):
            async with store.uow() as uow:
                for i in range(first, min(n, first + 1000)):
                    at = incident.started_at + span * (i / n)
                    await uow.timeline.add(
                        incident_id=incident.id,
                        occurred_at=at,
                        recorded_at=at,
                        author=f"U{i % 7 + 1}",
                        text=entry_text(i),
                    )
                await uow.commit()


async def time_render(url: str, number: int, repeats: int = 5) -> dict:
    """Read the incident's timeline, then time Renderer.postmortem_markdown on it: called the
    way the bot calls it (bot.export_markdown.draft_markdown builds its arguments), timed alone."""
    from bot.domain.model import Postmortem, Trigger
    from bot.domain.policy import Policy
    from bot.export_markdown import draft_markdown
    from bot.render import Renderer
    from bot.services.reports import incident_report

    policy, times = Policy.default(), []
    async with storage(url) as (store, _):
        t0 = time.perf_counter()
        report_ = await incident_report(uow=store.uow(), number=number)
        read = time.perf_counter() - t0
    pm = Postmortem(
        id=0,
        incident_id=report_.incident.id,
        status="draft",
        author="U1",
        reviewers=("U2",),
        created_at=datetime.now(UTC),
        triggers=(Trigger("impact", {"impact": 2700, "threshold": 1200}),),
    )
    renderer = Renderer(policy.template_dir)
    render = renderer.postmortem_markdown

    def timed(**kw):
        t0 = time.perf_counter()
        doc = render(**kw)
        times.append(time.perf_counter() - t0)
        return doc

    renderer.postmortem_markdown = timed
    names = {f"U{i}": f"Person {i}" for i in range(1, 8)}
    for _ in range(repeats):
        doc = draft_markdown(report_, postmortem=pm, names=names, policy=policy, renderer=renderer)
    return {
        "entries": len(report_.timeline),
        "read_s": read,
        "render_best_s": min(times),
        "render_median_s": sorted(times)[len(times) // 2],
        "chars": len(doc),
    }


async def seed_reminders(url: str, n: int) -> None:
    """`n` pending nudges, due in 1–30 days, straight into storage.tables.reminders."""
    from sqlalchemy import insert

    from storage.tables import reminders

    now = datetime.now(UTC)
    rows = [
        dict(
            kind="author",
            subject_kind="postmortem",
            subject_id=i + 1,
            recipient=f"U{i:07d}",
            seq=1,
            nth=1,
            due_at=now + timedelta(days=1 + i % 30),
            state="pending",
            attempts=0,
            created_at=now,
        )
        for i in range(n)
    ]
    async with storage(url) as (_, engine), engine.begin() as conn:
        if rows:
            await conn.execute(insert(reminders), rows)


async def stored_notes(url: str) -> list[str]:
    """The note texts of INC-1, through `furikaeri export INC-1 --format json`."""
    proc = await asyncio.create_subprocess_exec(
        FURIKAERI,
        "export",
        "INC-1",
        "--format",
        "json",
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return [e["text"] for e in json.loads(out)["timeline"] if e["kind"] == "note"]
