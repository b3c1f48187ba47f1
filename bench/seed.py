"""Offices for the benchmarks, written straight through the models (fast, and no Telegram).

Each office is one workspace with one task group per contact; every contact is already bound
to a sandbox user (as after their first message), and every group has two indicators, so
the dialog step measured (the done text, then « back) is the one every contact meets.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Contact, Indicator, Person, TaskGroup, Workspace

POSTGRES_ENVS = ("LIHUI_BENCH_POSTGRES_URL", "LIHUI_TEST_POSTGRES_URL")


def postgres_server() -> str | None:
    return next((os.environ[name] for name in POSTGRES_ENVS if os.environ.get(name)), None)


@contextlib.asynccontextmanager
async def fresh_postgres(server: str) -> AsyncIterator[str]:
    """A new empty database on ``server``, dropped afterwards."""
    url = make_url(server)
    name = f"lihui_bench_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


async def seed_offices(database_url: str, offices: list[list[tuple[int, str]]]) -> None:
    """One workspace per entry of ``offices``; each (user id, username) reports for a group."""
    database = Database(database_url)
    await upgrade(database)
    now = datetime.now(UTC)
    try:
        async with database.session() as session:
            for number, contacts in enumerate(offices, start=1):
                workspace = Workspace(
                    chat_id=-1_000_000_000 - number, title=f"基准办公室{number}", created_at=now
                )
                session.add(workspace)
                await session.flush()
                for position, (user_id, username) in enumerate(contacts, start=1):
                    person = Person(
                        telegram_user_id=user_id,
                        username=username,
                        display_name=username,
                        started_bot=True,
                    )
                    group = TaskGroup(
                        workspace_id=workspace.id,
                        code=f"G{position}",
                        name=f"第{position}专项组",
                        position=position,
                    )
                    group.indicators = [
                        Indicator(name="服务人次", unit="人次", position=0),
                        Indicator(name="新增岗位", unit="个", position=1),
                    ]
                    group.contacts = [Contact(person=person, kind="primary")]
                    session.add(group)
                await session.flush()
    finally:
        await database.dispose()
