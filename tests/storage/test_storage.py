"""The storage layer on SQLite and PostgreSQL alike (the ``database`` fixture runs both)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base, Period, ProcessedUpdate, StepClaim, Workspace
from storage.updates import claim_update, forget_updates_before
from storage.upsert import insert_or_ignore

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


async def test_migrations_create_every_table_and_are_idempotent(database: Database) -> None:
    await upgrade(database)  # a second time: nothing to do
    assert await current_revision(database) == head_revision()
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    assert set(Base.metadata.tables) <= tables


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []


async def workspace(database: Database) -> int:
    async with database.session() as session:
        row = Workspace(chat_id=-1001, title="办公室", settings={}, created_at=NOW)
        session.add(row)
        await session.flush()
        return row.id


async def test_instants_come_back_aware_in_utc(database: Database) -> None:
    workspace_id = await workspace(database)
    shanghai = timezone(timedelta(hours=8))
    async with database.session() as session:
        session.add(
            Period(
                workspace_id=workspace_id,
                key="2026-W48",
                starts_on=date(2026, 11, 23),
                ends_on=date(2026, 11, 29),
                deadline_at=datetime(2026, 11, 27, 18, tzinfo=shanghai),
            )
        )
    async with database.session() as session:
        period = await session.scalar(select(Period))
    assert period is not None and period.deadline_at == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert period.deadline_at.tzinfo is not None


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with database.session() as session:
            session.add(Workspace(chat_id=1, settings={}, created_at=datetime(2026, 1, 1)))


async def test_an_update_is_claimed_once(database: Database) -> None:
    async with database.session() as session:
        assert await claim_update(session, 1, 700, NOW)
    async with database.session() as session:
        assert not await claim_update(session, 1, 700, NOW)
        assert await claim_update(session, 2, 700, NOW)  # another bot, another update


async def test_a_failed_unit_of_work_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await claim_update(session, 1, 800, NOW)
            raise RuntimeError("the handler failed")
    async with database.session() as session:
        assert await claim_update(session, 1, 800, NOW)  # so a redelivery is handled


async def test_concurrent_claims_of_one_step_let_exactly_one_win(database: Database) -> None:
    workspace_id = await workspace(database)

    async def claim(instance: str) -> bool:
        async with database.session() as session:
            return await insert_or_ignore(
                session,
                StepClaim,
                workspace_id=workspace_id,
                step="open",
                period_key="2026-W48",
                instance=instance,
                claimed_at=NOW,
            )

    results = await asyncio.gather(*(claim(f"instance-{i}") for i in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_unique_keys_hold(database: Database) -> None:
    await workspace(database)
    with pytest.raises(IntegrityError):
        async with database.session() as session:
            session.add(Workspace(chat_id=-1001, settings={}, created_at=NOW))


async def test_old_update_marks_are_pruned(database: Database) -> None:
    async with database.session() as session:
        await claim_update(session, 1, 1, NOW - timedelta(days=10))
        await claim_update(session, 1, 2, NOW)
    async with database.session() as session:
        assert await forget_updates_before(session, NOW - timedelta(days=7)) == 1
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1


async def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    async with database.engine.connect() as connection:
        mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
        foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    await database.dispose()
    assert mode == "wal" and foreign_keys == 1
