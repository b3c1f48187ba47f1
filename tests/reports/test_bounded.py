"""A week is read in the same few statements however large the office or its history.

Not a timing test: it counts the SQL statements the loader sends, for a small office with
a short history and for a larger one with a longer history. Per-group or per-week queries
would make the second count grow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, select

from bot import clock
from bot.reports import service
from bot.sample import load_sample
from storage.db import Database
from storage.models import Workspace

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)


async def statements_for(database: Database, chat_id: int, indicators: bool) -> int:
    async with database.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
        assert workspace is not None
        with counting(database) as statements:
            data = await service.week_data(
                session, workspace, "2026-W48", NOW, indicators=indicators
            )
        assert data.groups and data.trend
    return len(statements)


async def test_statements_do_not_grow_with_groups_or_weeks(database: Database) -> None:
    clock.set_clock(clock.FixedClock(NOW))
    try:
        async with database.session() as session:
            await load_sample(session, -1, weeks=2, groups=3, end_period="2026-W48")
            await load_sample(session, -2, weeks=10, groups=15, end_period="2026-W48", seed=5)
    finally:
        clock.set_clock(None)
    for indicators in (True, False):
        small = await statements_for(database, -1, indicators)
        large = await statements_for(database, -2, indicators)
        assert small == large <= 16, (indicators, small, large)
