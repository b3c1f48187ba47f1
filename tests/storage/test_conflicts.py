"""Two transactions that deadlock on PostgreSQL: the server fails one, and it runs again.

The fuzz day found it: a group's contact and its deputy acting on the same draft at the
same moment, each locking what the other needs next. ``retry_conflicts`` (which every
update's unit of work runs under, ``handlers.turn.on_update``) takes the failure as
"try again", as PostgreSQL means it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from storage.db import Database, is_conflict, retry_conflicts
from storage.models import Workspace

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


async def two_offices(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        first = Workspace(chat_id=-1001, title="一", settings={}, created_at=NOW)
        second = Workspace(chat_id=-1002, title="二", settings={}, created_at=NOW)
        session.add_all([first, second])
        await session.flush()
        return first.id, second.id


async def lock_in_order(
    database: Database, ids: tuple[int, int], barrier: asyncio.Barrier, tries: list[int]
) -> None:
    """Update one row, wait for the other side to do the same, then update the other."""
    tries.append(1)
    async with database.session() as session:
        for number, workspace_id in enumerate(ids):
            change = update(Workspace).where(Workspace.id == workspace_id)
            await session.execute(change.values(title=f"{workspace_id}-{len(tries)}"))
            if number == 0 and len(tries) <= 2:  # only the first attempts meet head on
                await asyncio.wait_for(barrier.wait(), 10)


async def test_a_deadlock_is_run_again_and_both_sides_commit(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers queue behind BEGIN IMMEDIATE and never deadlock")
    a, b = await two_offices(database)
    barrier = asyncio.Barrier(2)
    tries: list[int] = []
    await asyncio.gather(
        retry_conflicts(lambda: lock_in_order(database, (a, b), barrier, tries)),
        retry_conflicts(lambda: lock_in_order(database, (b, a), barrier, tries)),
    )
    assert len(tries) == 3  # one side was failed by the server and ran once more
    async with database.session() as session:
        titles = list(await session.scalars(select(Workspace.title).order_by(Workspace.id)))
    assert all(title.endswith(("-1", "-2", "-3")) for title in titles)


async def test_other_database_errors_are_not_taken_for_a_conflict(database: Database) -> None:
    async def broken() -> None:
        async with database.session() as session:
            await session.execute(text("SELECT * FROM no_such_table"))

    calls: list[int] = []

    async def counted() -> None:
        calls.append(1)
        await broken()

    with pytest.raises(DBAPIError) as raised:
        await retry_conflicts(counted)
    assert not is_conflict(raised.value) and len(calls) == 1  # not run again
