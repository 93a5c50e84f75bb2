"""PostgreSQL databases for the tests of one process (each xdist worker has its own pool).

CREATE DATABASE copies a template and DROP DATABASE removes its files: about a second
together, and migrating a new database takes half a second more. So a database a test is done
with is made ready for the next test instead of dropped:

- emptied (its other sessions ended, its `public` schema dropped with everything in it and
  created again as a new database has it): as empty as a new database;
- or, when it was handed out migrated and its schema is still exactly the one the migrations
  made, its tables truncated (identities restarted) and the rows the migrations wrote put
  back: as a freshly migrated database.

Either takes a few tens of milliseconds. A database that cannot be made ready is dropped; all
are dropped when the session ends (tests/conftest.py).
"""

from __future__ import annotations

import uuid

import asyncpg

from storage.db import create_engine
from storage.migrate import upgrade

# What the schema of `public` is: tables, columns, constraints, indexes, sequences, types.
_SCHEMA = """
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) FROM (
    SELECT 'r ' || relkind::text || ' ' || relname AS item FROM pg_class
        WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'c ' || table_name || '.' || column_name || ' ' || data_type || ' '
        || is_nullable || ' ' || coalesce(column_default, '') || ' '
        || coalesce(character_maximum_length::text, '')
        FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'k ' || conrelid::regclass::text || ' ' || conname || ' '
        || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 't ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
) AS schema
"""
_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


class Databases:
    def __init__(self, admin_dsn: str) -> None:
        self._admin_dsn = admin_dsn
        self._free: dict[bool, list[str]] = {False: [], True: []}  # migrated? → names
        self._made: set[str] = set()
        self._migrated_schema: str | None = None
        self._migrated_rows: dict[str, list[asyncpg.Record]] = {}

    def url(self, name: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"

    async def take(self, *, migrated: bool) -> str:
        if self._free[migrated]:
            return self._free[migrated].pop()
        if self._free[not migrated]:
            name = self._free[not migrated].pop()
            if not migrated:
                await self._empty(name)
                return name
        else:
            name = await self._create()
        if migrated:
            await self._migrate(name)
        return name

    async def give_back(self, name: str, *, migrated: bool) -> None:
        try:
            if migrated and await self._as_migrated(name):
                self._free[True].append(name)
                return
            await self._empty(name)
        except (OSError, asyncpg.PostgresError):
            await self._drop(name)
        else:
            self._free[False].append(name)

    async def drop_all(self) -> None:
        self._free = {False: [], True: []}
        for name in list(self._made):
            await self._drop(name)

    # ---- steps ------------------------------------------------------------------------------
    async def _create(self) -> str:
        name = f"furikaeri_t_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(self._admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self._made.add(name)
        return name

    async def _drop(self, name: str) -> None:
        admin = await asyncpg.connect(self._admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        self._made.discard(name)

    async def _migrate(self, name: str) -> None:
        engine = create_engine(self.url(name))
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        if self._migrated_schema is None:  # what a freshly migrated database looks like
            conn = await self._connect(name)
            try:
                self._migrated_schema = await conn.fetchval(_SCHEMA)
                for (table,) in await conn.fetch(_TABLES):
                    self._migrated_rows[table] = await conn.fetch(f'SELECT * FROM "{table}"')
            finally:
                await conn.close()

    async def _alone(self, name: str) -> None:
        """End the database's other sessions (a bot's pool, a killed process's leftovers)."""
        admin = await asyncpg.connect(self._admin_dsn)
        try:
            # A test may have refused connections (and restored them); a crashed one may not.
            allowed = await admin.fetchval(
                "SELECT datallowconn FROM pg_database WHERE datname = $1", name
            )
            if not allowed:
                raise asyncpg.PostgresError(f"{name} refuses connections")
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await admin.close()

    async def _connect(self, name: str) -> asyncpg.Connection:
        return await asyncpg.connect(self._admin_dsn.rsplit("/", 1)[0] + f"/{name}")

    async def _empty(self, name: str) -> None:
        await self._alone(name)
        conn = await self._connect(name)
        try:
            # Only `public` is ever used; anything else and the database is dropped instead.
            others = await conn.fetchval(
                "SELECT count(*) FROM pg_namespace WHERE nspname <> 'public' "
                "AND nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'"
            )
            if others:
                raise asyncpg.PostgresError(f"{name} has schemas besides public")
            await conn.execute(
                "DROP SCHEMA public CASCADE;"
                " CREATE SCHEMA public AUTHORIZATION pg_database_owner;"
                " GRANT USAGE ON SCHEMA public TO PUBLIC;"
                " COMMENT ON SCHEMA public IS 'standard public schema'"
            )
        finally:
            await conn.close()

    async def _as_migrated(self, name: str) -> bool:
        """Back to freshly migrated, if its schema is still the migrations' own (else False)."""
        if self._migrated_schema is None:
            return False
        await self._alone(name)
        conn = await self._connect(name)
        try:
            if await conn.fetchval(_SCHEMA) != self._migrated_schema:
                return False
            tables = ", ".join(f'"{t}"' for t in self._migrated_rows)
            async with conn.transaction():
                await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                for table, rows in self._migrated_rows.items():
                    if rows:
                        await conn.copy_records_to_table(
                            table, records=rows, columns=list(rows[0].keys())
                        )
        finally:
            await conn.close()
        return True
