"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database, per test.

PostgreSQL tests run when ``LIHUI_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it,
e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``); without it they are skipped,
so a newcomer's machine without PostgreSQL still passes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

POSTGRES_ENV = "LIHUI_TEST_POSTGRES_URL"


def postgres_server() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'lihui.sqlite3'}"


@asynccontextmanager
async def fresh_postgres(
    server: str | None = None, prefix: str = "lihui_test"
) -> AsyncIterator[str]:
    """A new, empty database on ``server`` (the test server by default), dropped afterwards.

    The benchmarks use it too (``bench/seed.py``), with a server of their own naming.
    """
    server = server or postgres_server()
    assert server, f"{POSTGRES_ENV} is not set"
    url = make_url(server)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
