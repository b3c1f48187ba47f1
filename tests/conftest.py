"""Shared fixtures: databases on SQLite and (when available) PostgreSQL, the sandbox, a clock."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot import clock
from sandbox.driver import SandboxDriver, shared_tls
from sandbox.server import ThreadedSandbox, start_in_thread
from storage.db import Database
from tests.databases import (
    drop_postgres_templates,
    migrated_sqlite_url,
    postgres_for_test,
    postgres_server,
)

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            postgres_server() is None, reason="LIHUI_TEST_POSTGRES_URL not set"
        ),
    ),
]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Three workers a core for ``-n auto``: an end-to-end test spends most of its time
    waiting for a bot process or the sandbox (CPU stays under half the wall time serially),
    so more workers than cores finish first; but each worker collects the suite, imports
    the bot for its fork server and migrates its templates again, so on the team's 2-core
    machine six did better than eight (docs/PERFORMANCE.md). Capped so that a large
    machine does not start dozens of bots at once."""
    return min(3 * (os.cpu_count() or 1), 12)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the ``long`` scenarios (mostly waiting) go first in the workers' shares,
    so that their waiting overlaps the others' work instead of ending the run with one or
    two workers busy. ``--dist worksteal`` hands worker *i* the *i*-th of equal contiguous
    runs of the collection (and steals from their ends), so each run starts with the long
    ones given to it, the longest to the least loaded by their ``seconds``; every worker
    computes the same order. Serially the order stays as written."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    long = [item for item in items if item.get_closest_marker("long")]
    if workers < 2 or not long:
        return
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for item in sorted(long, key=_long_seconds, reverse=True):
        least = load.index(min(load))
        shares[least].append(item)
        load[least] += _long_seconds(item)
    rest = [item for item in items if not item.get_closest_marker("long")]
    ordered: list[pytest.Item] = []
    remaining = len(items)
    for worker, first in enumerate(shares):
        share = remaining // (workers - worker)  # as worksteal's first distribution
        remaining -= share
        take = max(share - len(first), 0)
        ordered += sorted(first, key=items.index) + rest[:take]
        del rest[:take]
    items[:] = ordered + rest


def _long_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("long")
    return float(marker.kwargs.get("seconds", 20)) if marker else 0.0


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database at the schema's head (a copy of a migrated template), once per backend."""
    if request.param == "sqlite":
        yield await migrated_sqlite_url(tmp_path)
        return
    async with postgres_for_test() as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The same database, opened."""
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture(scope="session", autouse=True)
def _postgres_templates() -> Iterator[None]:
    """The PostgreSQL templates this test process made are dropped at its end."""
    yield
    if postgres_server() is not None:
        asyncio.run(drop_postgres_templates())


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
    httpx.post(f"{sandbox_server.url}/_sandbox/reset", verify=shared_tls()).raise_for_status()
    return sandbox_server


@pytest.fixture
async def driver(sandbox: ThreadedSandbox) -> AsyncIterator[SandboxDriver]:
    async with SandboxDriver(sandbox.url, poll=0.1) as d:
        yield d
