"""A small office, written straight into the bot's database before it starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.migrate import upgrade
from storage.models import Contact, Exemption, Indicator, Membership, Person, TaskGroup, Workspace


@dataclass
class GroupSpec:
    code: str
    name: str
    contacts: list[tuple[str, str]]  # (username, "primary" | "deputy")
    indicators: list[tuple[str, str]] = field(default_factory=list)  # (name, unit)


async def seed_office(
    database_url: str,
    chat_id: int,
    groups: list[GroupSpec],
    staff: dict[str, str] | None = None,
    title: str = "温暖二七领导小组办公室",
) -> None:
    """A workspace for ``chat_id`` with ``groups``; people are named by @username only,
    exactly as a roster names them before they ever write to the bot. Called again for a
    second office, a username already seeded is the same person (one person, two offices)."""
    database = Database(database_url)
    await upgrade(database)
    now = datetime.now(UTC)
    async with database.session() as session:
        workspace = Workspace(chat_id=chat_id, title=title, settings={}, created_at=now)
        session.add(workspace)
        await session.flush()
        known = await session.scalars(select(Person).where(Person.username.is_not(None)))
        people: dict[str, Person] = {p.username: p for p in known if p.username}

        def person(username: str) -> Person:
            if username not in people:
                people[username] = Person(username=username, display_name=username)
                session.add(people[username])
            return people[username]

        for position, spec in enumerate(groups, start=1):
            group = TaskGroup(
                workspace_id=workspace.id, code=spec.code, name=spec.name, position=position
            )
            group.indicators = [
                Indicator(name=name, unit=unit, position=i)
                for i, (name, unit) in enumerate(spec.indicators)
            ]
            group.contacts = [Contact(person=person(u), kind=kind) for u, kind in spec.contacts]
            session.add(group)
        await session.flush()
        for username in staff or {}:
            person(username)
        await session.flush()
        for username, role in (staff or {}).items():
            session.add(
                Membership(workspace_id=workspace.id, person_id=person(username).id, role=role)
            )
    await database.dispose()


async def exempt(database_url: str, chat_id: int, code: str, period_key: str, reason: str) -> None:
    from bot.periods import parse_period
    from bot.reporting import period_row

    database = Database(database_url)
    async with database.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
        group = await session.scalar(select(TaskGroup).where(TaskGroup.code == code))
        assert workspace and group
        period = await period_row(session, workspace, parse_period(period_key))
        session.add(
            Exemption(
                group_id=group.id, period_id=period.id, reason=reason, created_at=datetime.now(UTC)
            )
        )
    await database.dispose()


@asynccontextmanager
async def open_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A unit of work on the bot's database, from the test's side (to look, or to set up)."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            yield session
    finally:
        await database.dispose()
