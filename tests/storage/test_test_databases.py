"""The PostgreSQL test databases: a copy handed to the next test is as good as a fresh one.

``tests.databases.postgres_for_test`` empties a test's database for the next test rather
than dropping it; these check that what the next test gets is empty, counts its ids from
the start again, and that a database whose schema a test changed is never handed on.
"""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import at_head
from storage.models import Workspace
from tests.conftest import FROZEN_NOW
from tests.databases import asyncpg_dsn, postgres_for_test, postgres_server

pytestmark = pytest.mark.skipif(postgres_server() is None, reason="LIHUI_TEST_POSTGRES_URL not set")


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(make_url(url)))


async def _add_workspace(url: str, chat_id: int) -> int:
    database = Database(url)
    try:
        async with database.session() as session:
            workspace = Workspace(chat_id=chat_id, title=str(chat_id), created_at=FROZEN_NOW)
            session.add(workspace)
            await session.commit()
            return workspace.id
    finally:
        await database.dispose()


async def test_the_next_test_gets_the_same_database_emptied_with_ids_from_the_start() -> None:
    async with postgres_for_test() as url:
        first = await _add_workspace(url, -1)
        await _add_workspace(url, -2)
    async with postgres_for_test() as again:
        assert make_url(again).database == make_url(url).database  # handed on, not dropped
        connection = await _connect(again)
        assert await connection.fetchval("SELECT count(*) FROM workspace") == 0
        await connection.close()
        assert await _add_workspace(again, -3) == first
        database = Database(again)
        try:
            assert await at_head(database)
        finally:
            await database.dispose()


async def test_a_database_whose_schema_changed_is_dropped_not_handed_on() -> None:
    async with postgres_for_test() as url:
        connection = await _connect(url)
        await connection.execute("CREATE TABLE stray (id integer)")
        await connection.close()
    async with postgres_for_test() as fresh:
        assert make_url(fresh).database != make_url(url).database
        connection = await _connect(fresh)
        assert await connection.fetchval("SELECT to_regclass('stray')") is None
        await connection.close()
    admin = await asyncpg.connect(asyncpg_dsn(make_url(postgres_server() or "")))
    try:
        name = make_url(url).database
        assert await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None
    finally:
        await admin.close()
