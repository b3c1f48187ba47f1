"""Shared fixtures: databases on SQLite and (when available) PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from storage.migrate import upgrade
from tests.databases import fresh_postgres, postgres_server, sqlite_url

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            postgres_server() is None, reason="LIHUI_TEST_POSTGRES_URL not set"
        ),
    ),
]


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL, once per backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database, once per backend."""
    db = Database(database_url)
    await upgrade(db)
    yield db
    await db.dispose()
