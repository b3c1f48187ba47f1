"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database, per test.

PostgreSQL tests run when ``LIHUI_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it,
e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); without it they are skipped,
so a newcomer's machine without PostgreSQL still passes.

Most tests want a database at the schema's head. Migrating costs about 0.1 s on SQLite and
0.25 s on PostgreSQL, once per test; instead each test process migrates one template once
and every test gets a copy of it (a file copy; ``CREATE DATABASE … TEMPLATE``). A
PostgreSQL copy is then emptied after its test and handed to the next one of the same
process (:func:`postgres_for_test`): the copy and the drop cost the server about 0.17 s
of CPU per test (the copy goes through the WAL), emptying it about 0.015 s. The
migrations themselves are still run, on the templates, and tested on an empty database by
``tests/storage/test_migrate_head.py``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from storage.db import Database
from storage.migrate import upgrade

POSTGRES_ENV = "LIHUI_TEST_POSTGRES_URL"

# This process's migrated templates: a SQLite file, and PostgreSQL databases by server.
_sqlite_template: Path | None = None
_postgres_templates: dict[str, str] = {}
# Emptied copies of a template, ready for the next test: (server, name, fingerprint).
_idle_postgres: list[tuple[str, str, str]] = []

# The tables a test writes to: all but the migrations' own record of where they are.
_DATA_TABLES = (
    "SELECT {} FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)
# What must be as the template left it for an emptied database to stand in for a fresh
# copy: the columns, indexes and constraints, and the migration it is at.
_FINGERPRINT = """
SELECT md5(string_agg(part, E'\\n' ORDER BY part)) FROM (
    SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' ' || a.attnotnull AS part
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'at ' || version_num FROM alembic_version
) parts
"""


def postgres_server() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def sqlite_url(directory: Path) -> str:
    """A SQLite file in ``directory`` (empty until something migrates it)."""
    return f"sqlite+aiosqlite:///{directory / 'lihui.sqlite3'}"


async def migrated_sqlite_url(directory: Path) -> str:
    """A SQLite file in ``directory`` already at the schema's head."""
    global _sqlite_template
    if _sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="lihui-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        await _migrate(sqlite_url(folder))
        _sqlite_template = folder / "lihui.sqlite3"
    shutil.copyfile(_sqlite_template, directory / "lihui.sqlite3")
    return sqlite_url(directory)


def sample_sqlite(folder: Path, chat: str, weeks: int, now: datetime) -> Path:
    """A SQLite file in ``folder`` holding ``lihui sample --chat CHAT --weeks WEEKS`` as
    written at ``now``: for a module's tests to copy, rather than each loading it again."""
    from bot import clock
    from bot.cli import main

    database = folder / "cli.sqlite3"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
        env.setenv("LIHUI_LOG_LEVEL", "WARNING")
        clock.set_clock(clock.FixedClock(now))
        try:
            assert main(["sample", "--chat", chat, "--weeks", str(weeks)]) == 0
        finally:
            clock.set_clock(None)
    return database


@asynccontextmanager
async def fresh_postgres(
    server: str | None = None, prefix: str = "lihui_test"
) -> AsyncIterator[str]:
    """A new, empty database on ``server`` (the test server by default), dropped afterwards.

    The benchmarks use it (``bench/seed.py``), with a server of their own naming; tests
    take theirs at the schema's head from :func:`postgres_for_test`.
    """
    server = server or postgres_server()
    assert server, f"{POSTGRES_ENV} is not set"
    url = make_url(server)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    try:
        yield _named(url, name)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def postgres_for_test() -> AsyncIterator[str]:
    """A database at the schema's head on the test server, as good as a fresh copy of the
    template: an emptied one from an earlier test of this process where there is one."""
    server = postgres_server()
    assert server, f"{POSTGRES_ENV} is not set"
    url = make_url(server)
    idle = [entry for entry in _idle_postgres if entry[0] == server]
    if idle:
        _idle_postgres.remove(idle[-1])
        _, name, fingerprint = idle[-1]
    else:
        name = f"lihui_test_{uuid.uuid4().hex[:12]}"
        await _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{await _postgres_template(url)}"')
        fingerprint = await _fingerprint_if_empty(url, name)
    try:
        yield _named(url, name)
    finally:
        if await _emptied(url, name, fingerprint):
            _idle_postgres.append((server, name, fingerprint))
        else:
            await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _fingerprint_if_empty(url: URL, name: str) -> str:
    """The schema's fingerprint of a fresh copy; "" (never reused) if the migrations left
    rows in it besides their own version: emptying it would take those away too."""
    connection = await asyncpg.connect(asyncpg_dsn(url, name))
    try:
        counts = await connection.fetchval(
            _DATA_TABLES.format(
                "string_agg(format('SELECT count(*) FROM %I', tablename), ' UNION ALL ')"
            )
        )
        if counts and any(row[0] for row in await connection.fetch(counts)):
            return ""
        return str(await connection.fetchval(_FINGERPRINT))
    finally:
        await connection.close()


async def _emptied(url: URL, name: str, fingerprint: str) -> bool:
    """Empty ``name`` for the next test; False where it cannot stand in for a fresh copy
    (its schema changed, or the server would not let us empty it) and must be dropped."""
    if not fingerprint:
        return False
    try:
        connection = await asyncpg.connect(asyncpg_dsn(url, name))
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        # A bot the test killed may still hold a session (and its locks) for a moment.
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if await connection.fetchval(_FINGERPRINT) != fingerprint:
            return False
        tables = await connection.fetch(_DATA_TABLES.format("quote_ident(tablename)"))
        async with connection.transaction():
            # Foreign keys are not checked while everything goes (superuser only; a server
            # that refuses it gets its databases dropped instead).
            await connection.execute("SET LOCAL session_replication_role = replica")
            await connection.execute("; ".join(f"DELETE FROM {row[0]}" for row in tables))
            await connection.execute("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence")
        return True
    except asyncpg.PostgresError:
        return False
    finally:
        await connection.close()


async def drop_postgres_templates() -> None:
    """At the end of the run: this process's PostgreSQL templates and idle copies go."""
    while _idle_postgres:
        server, name, _ = _idle_postgres.pop()
        await _admin(make_url(server), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for server, template in list(_postgres_templates.items()):
        await _admin(make_url(server), f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        del _postgres_templates[server]


async def _postgres_template(url: URL) -> str:
    server = url.render_as_string(hide_password=False)
    if server not in _postgres_templates:
        name = f"lihui_template_{uuid.uuid4().hex[:12]}"
        await _admin(url, f'CREATE DATABASE "{name}"')
        await _migrate(_named(url, name))  # disposed after: a template must have no session
        _postgres_templates[server] = name
    return _postgres_templates[server]


async def _migrate(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


def _named(url: URL, name: str) -> str:
    return url.set(database=name).render_as_string(hide_password=False)


def asyncpg_dsn(url: URL, name: str | None = None) -> str:
    """asyncpg's own form of ``url`` (on database ``name``, where given)."""
    if name is not None:
        url = url.set(database=name)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: URL, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
