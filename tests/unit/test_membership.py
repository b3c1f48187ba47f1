"""Binding and roles in the core (bot/access/membership.py), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot import access
from bot.access import membership
from bot.access.membership import Bound, RoleError
from storage.db import Database
from storage.models import AuditLog, Membership, Person, Workspace

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CHAT = -1001


async def people(database: Database, *names: str) -> list[int]:
    async with database.session() as session:
        rows = [
            Person(username=name, display_name=name, telegram_user_id=i + 1)
            for i, name in enumerate(names)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def bind(database: Database, person_id: int, is_admin: bool, chat: int = CHAT) -> Bound:
    async with database.session() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        result = await membership.bind(
            session, chat_id=chat, title="办公室", person=person, is_admin=is_admin, now=NOW
        )
        return result.outcome


async def audit_count(database: Database, action: str) -> int:
    async with database.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action == action)
            )
            or 0
        )


async def test_bind_outcomes(database: Database) -> None:
    chief, other = await people(database, "chief", "other")
    assert await bind(database, other, is_admin=False) is Bound.NOT_ADMIN
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Workspace)) == 0
    assert await audit_count(database, "access.denied") == 1
    assert await bind(database, chief, is_admin=True) is Bound.CREATED
    assert await bind(database, chief, is_admin=True) is Bound.ALREADY
    assert await bind(database, other, is_admin=True) is Bound.HAS_DIRECTOR
    async with database.session() as session:
        roles = dict((await session.execute(select(Membership.person_id, Membership.role))).all())
    assert roles == {chief: "director"}


async def test_unbind_then_bind_again_by_another_admin(database: Database) -> None:
    chief, other = await people(database, "chief", "other")
    await bind(database, chief, is_admin=True)
    async with database.session() as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        intruder = await session.get(Person, other)
        assert intruder is not None
        assert (
            await membership.unbind(session, workspace_id=workspace.id, person=intruder, now=NOW)
            is None
        )
        director = await session.get(Person, chief)
        assert director is not None
        assert await membership.unbind(session, workspace_id=workspace.id, person=director, now=NOW)
    async with database.session() as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None and not workspace.active
        director = await session.get(Person, chief)
        assert director is not None
        assert await access.role_in(session, workspace.id, director) is None  # grants nothing
    assert await bind(database, other, is_admin=True) is Bound.REACTIVATED
    async with database.session() as session:
        roles = dict((await session.execute(select(Membership.person_id, Membership.role))).all())
    assert roles == {chief: "staff", other: "director"}


async def test_roles_change_only_by_the_director_and_the_director_stays(database: Database) -> None:
    chief, staff, outsider = await people(database, "chief", "staff", "outsider")
    await bind(database, chief, is_admin=True)
    async with database.session() as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        director, helper, stranger = [
            await session.get(Person, i) for i in (chief, staff, outsider)
        ]
        assert director and helper and stranger
        kwargs = {"workspace_id": workspace.id, "now": NOW}
        assert (
            await membership.change_role(
                session, actor=director, target=helper, role="staff", **kwargs
            )
            is None
        )
        with pytest.raises(RoleError, match=r"access\.denied"):
            await membership.change_role(
                session, actor=helper, target=stranger, role="member", **kwargs
            )
        with pytest.raises(RoleError, match="director_stays"):
            await membership.change_role(
                session, actor=director, target=director, role=None, **kwargs
            )
        with pytest.raises(RoleError, match="bad_role"):
            await membership.change_role(
                session, actor=director, target=stranger, role="director", **kwargs
            )
        await membership.hand_over(session, actor=director, target=helper, **kwargs)
        assert await access.role_in(session, workspace.id, helper) == "director"
        assert await access.role_in(session, workspace.id, director) == "staff"
    assert await audit_count(database, "roles.grant") == 1
    assert await audit_count(database, "roles.hand_over") == 1
    assert await audit_count(database, "access.denied") == 1


async def test_a_username_names_a_person_even_before_they_write(database: Database) -> None:
    async with database.session() as session:
        first = await membership.person_by_username(session, "@Zhang_Wei")
        again = await membership.person_by_username(session, "zhang_wei")
        assert first.id == again.id
        with pytest.raises(RoleError):
            await membership.person_by_username(session, "<b>x</b>")
