"""Engine and sessions: the one way to open a database session.

``Database(url).session()`` is a unit of work: it begins a transaction, commits when the
block ends and rolls back on any exception, so a write either happens whole or not at all.

The same code serves SQLite (embedded default) and PostgreSQL (production, several
instances). SQLite needs three things to behave under concurrency: WAL (readers do not
block the writer), a busy timeout (a second writer waits instead of failing), and
``BEGIN IMMEDIATE`` (a transaction takes the write lock up front, so it cannot fail half
way when it upgrades from reading to writing).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000
# PostgreSQL's "try again" answers: a deadlock the server broke by failing one side, and a
# serialization failure. The failed transaction was rolled back whole, so running the unit
# of work again is safe; SQLite's writers queue behind BEGIN IMMEDIATE and never deadlock.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_ATTEMPTS = 4

log = logging.getLogger(__name__)
T = TypeVar("T")


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``, with SQLite's directory created and its pragmas set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            # Every session ends its transaction (commit, or rollback on error) before the
            # connection goes back, so the pool's extra ROLLBACK on return (a round trip to
            # aiosqlite's thread on every update) has nothing to undo.
            pool_reset_on_return=None,
        )
        _prepare_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


class Database:
    """The database of one lihui process: an engine and a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit at the end of the block, roll back on an exception."""
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def is_conflict(error: BaseException) -> bool:
    """Whether ``error`` is a transaction the server failed only because another one ran
    at the same moment (two people acting on one group's draft, say)."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code is None:  # asyncpg's own exception, under SQLAlchemy's adapter
        code = getattr(getattr(original, "__cause__", None), "sqlstate", None)
    return code in CONFLICT_SQLSTATES


async def retry_conflicts(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` (one whole unit of work), again if it meets a concurrent transaction."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return await work()
        except DBAPIError as error:
            if attempt == CONFLICT_ATTEMPTS or not is_conflict(error):
                raise
            log.info("a concurrent transaction got in the way (attempt %d); again", attempt)
            await asyncio.sleep(0.02 * attempt)
    raise AssertionError("unreachable")
