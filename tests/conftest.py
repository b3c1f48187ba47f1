"""Shared fixtures: databases on SQLite and (when available) PostgreSQL, the sandbox, a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot import clock
from sandbox.driver import SandboxDriver
from sandbox.server import ThreadedSandbox, start_in_thread
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


FROZEN_NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    """This process's clock stopped at Saturday 2026-11-28 16:00 in Shanghai."""
    clock.set_clock(clock.FixedClock(FROZEN_NOW))
    yield FROZEN_NOW
    clock.set_clock(None)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[ThreadedSandbox]:
    """One local Telegram for the whole run, in a thread of its own (flood limits off)."""
    handle = start_in_thread(flood_limits=False)
    yield handle
    handle.stop()


@pytest.fixture
def sandbox(sandbox_server: ThreadedSandbox) -> ThreadedSandbox:
    """The shared sandbox, emptied: no users, no faults, no webhook, flood limits off."""
    httpx.post(f"{sandbox_server.url}/_sandbox/reset").raise_for_status()
    return sandbox_server


@pytest.fixture
async def driver(sandbox: ThreadedSandbox) -> AsyncIterator[SandboxDriver]:
    async with SandboxDriver(sandbox.url, poll=0.1) as d:
        yield d
