"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database, per test.

PostgreSQL tests run when ``LIHUI_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it,
e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); without it they are skipped,
so a newcomer's machine without PostgreSQL still passes.

Most tests want a database at the schema's head. Migrating costs about 0.1 s on SQLite and
0.25 s on PostgreSQL, once per test; instead each test process migrates one template once
and every test gets a copy of it (a file copy; ``CREATE DATABASE … TEMPLATE``). The
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
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

from storage.db import Database
from storage.migrate import upgrade

POSTGRES_ENV = "LIHUI_TEST_POSTGRES_URL"

# This process's migrated templates: a SQLite file, and PostgreSQL databases by server.
_sqlite_template: Path | None = None
_postgres_templates: dict[str, str] = {}


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


@asynccontextmanager
async def fresh_postgres(
    server: str | None = None, prefix: str = "lihui_test", migrated: bool = False
) -> AsyncIterator[str]:
    """A new database on ``server`` (the test server by default), dropped afterwards:
    empty, or with ``migrated`` a copy of this process's template at the schema's head.

    The benchmarks use it too (``bench/seed.py``), with a server of their own naming.
    """
    server = server or postgres_server()
    assert server, f"{POSTGRES_ENV} is not set"
    url = make_url(server)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    template = await _postgres_template(url) if migrated else None
    copy = f' TEMPLATE "{template}"' if template else ""
    await _admin(url, f'CREATE DATABASE "{name}"{copy}')
    try:
        yield _named(url, name)
    finally:
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def drop_postgres_templates() -> None:
    """At the end of the run: this process's PostgreSQL templates go."""
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


async def _admin(url: URL, statement: str) -> None:
    connection = await asyncpg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
