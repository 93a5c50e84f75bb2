"""Test tiers share these fixtures: a fake Slack, a real database, the real bot over HTTP."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from bot.app import Runtime, utcnow
from bot.domain.policy import Policy
from bot.render import Renderer
from bot.server import bound_port, serve
from bot.settings import Settings
from storage.db import create_engine
from storage.migrate import upgrade
from tests.support.databases import Databases
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackClient

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
PG_ADMIN_DSN = os.environ.get("FURIKAERI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


_pg_problem: list[str | None] = []  # asked once per process: is the server there?


async def _pg_reachable() -> str | None:
    if not _pg_problem:
        try:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError) as exc:
            _pg_problem.append(
                f"PostgreSQL at {PG_ADMIN_DSN} is not reachable ({exc.__class__.__name__}: {exc})"
            )
        else:
            await conn.close()
            _pg_problem.append(None)
    return _pg_problem[0]


_databases = Databases(PG_ADMIN_DSN)  # made ready for the next test, not dropped each time


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the tests sharing a fixture built once per
    module (a wheel, the extracted messages) run in one worker, which builds it once."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        shared = info is not None and any(
            fixture.scope in ("class", "module", "package")
            for fixtures in info.name2fixturedefs.values()
            for fixture in fixtures
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def pytest_sessionfinish(session) -> None:
    asyncio.run(_databases.drop_all())
    if _templates:
        shutil.rmtree(Path(_templates[0]).parent, ignore_errors=True)


@asynccontextmanager
async def fresh_postgres_database(*, migrated: bool = False) -> AsyncIterator[str]:
    """A PostgreSQL database of its own, empty (or freshly migrated); skips (or fails in CI)
    without the server."""
    problem = await _pg_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}; CI must run the PostgreSQL tests")
        pytest.skip(f"{problem}; these tests run in CI")
    name = await _databases.take(migrated=migrated)
    try:
        yield _databases.url(name)
    finally:
        await _databases.give_back(name, migrated=migrated)


_templates: list[str] = []  # the migrated SQLite file this process copies


async def migrated(database_url: str) -> None:
    """Give a bot about to start on a SQLite file not yet made a copy of one the migrations
    made once, instead of migrating it again (a tenth of a second, each time): it starts on the
    schema it would have made, and its own upgrade finds nothing to do. (On PostgreSQL, the
    `any_db_bot` tests are handed a freshly migrated database: tests/support/databases.py.)
    Migrating an empty database is what tests/storage and the tests running `furikaeri` as a
    process do."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    if not _templates:
        _templates.append(await _migrated_template())
    await asyncio.to_thread(_copy_unless_there, _templates[0], url.database)


async def _migrated_template() -> str:
    template = Path(tempfile.mkdtemp(prefix="furikaeri-migrated-")) / "migrated.db"
    engine = create_engine(f"sqlite+aiosqlite:///{template}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()  # the last connection closed: the WAL is checkpointed away
    return str(template)


def _copy_unless_there(template: str, target: str) -> None:
    try:
        with open(template, "rb") as source, open(target, "xb") as copy:
            shutil.copyfileobj(source, copy)
    except FileExistsError:  # a restart, or a test that made the file itself
        pass


_renderers: list[Renderer] = []  # the built-in templates' renderer of this process


def one_renderer(runtime: Runtime) -> None:
    """One renderer of the built-in templates per test process, as a bot process has one: a
    renderer compiles each template the first time it renders it (a tenth of a second for the
    postmortem's), and the tests build a Runtime, so a renderer, per test. A policy naming its
    own template directory keeps the renderer its Runtime built."""
    if runtime.policy.template_dir is not None:
        return
    if not _renderers:
        _renderers.append(runtime.deps.renderer)
    runtime.deps.renderer = _renderers[0]


@pytest_asyncio.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'furikaeri.db'}"


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request, sqlite_url: str) -> AsyncIterator[str]:
    """Each storage-level test runs on a SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    # The bot would migrate it first thing: a test of the bot gets it freshly migrated.
    async with fresh_postgres_database(migrated="any_db_bot" in request.fixturenames) as url:
        yield url


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack; the test fails if the bot sent it a payload Slack would refuse."""
    async with FakeSlack() as fake:
        yield fake
    fake.assert_valid_payloads()


@pytest.fixture
def policy() -> Policy:
    """Override in a test module (or with `@pytest.mark.parametrize`) for another policy."""
    return Policy.default()


@dataclass
class Bot:
    """The real bot serving HTTP on 127.0.0.1, talking to the fake Slack."""

    runtime: Runtime
    slack: SlackClient
    fake: FakeSlack
    url: str


async def start_bot(
    database_url: str, fake: FakeSlack, policy: Policy, clock=utcnow
) -> tuple[Runtime, object, str]:
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        app_token=None,
        api_url=fake.base_url,
        database_url=database_url,
        policy_path=None,
    )
    runtime = Runtime(settings, policy, clock=clock)
    one_renderer(runtime)
    await migrated(database_url)
    await runtime.start()
    runner = await serve(runtime, "127.0.0.1", 0)
    return runtime, runner, f"http://127.0.0.1:{bound_port(runner)}"


@pytest.fixture
def clock():
    """The bot's clock: the real one, unless a test module overrides this fixture."""
    return utcnow


@pytest_asyncio.fixture
async def bot(sqlite_url: str, fake_slack: FakeSlack, policy: Policy, clock) -> AsyncIterator[Bot]:
    """The bot on a SQLite file (the front-door tests' default)."""
    async for b in _bot(sqlite_url, fake_slack, policy, clock):
        yield b


@pytest_asyncio.fixture
async def any_db_bot(
    database_url: str, fake_slack: FakeSlack, policy: Policy, clock
) -> AsyncIterator[Bot]:
    """The bot on each database in turn."""
    async for b in _bot(database_url, fake_slack, policy, clock):
        yield b


async def _bot(database_url: str, fake: FakeSlack, policy: Policy, clock) -> AsyncIterator[Bot]:
    runtime, runner, base = await start_bot(database_url, fake, policy, clock)
    client = SlackClient(
        None,
        f"{base}/slack/events",
        SIGNING_SECRET,
        response_url=fake.response_url,
        check=fake.check,
    )
    try:
        yield Bot(runtime=runtime, slack=client, fake=fake, url=base)
    finally:
        await client.close()
        await runner.cleanup()
        await runtime.aclose()
