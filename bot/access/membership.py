"""Binding an office chat to a workspace, and the roles people hold in it.

Plain functions over the database, called by ``handlers/access.py`` and the command line.
Every change is written to the audit log in the same transaction (:func:`bot.audit.record`).
Whether the caller may act is decided by the caller's role looked up here, never by
anything a button or an argument carries; whether someone administers a Telegram group is
Telegram's answer (``getChatMember``), asked by the handler each time and passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import access, audit
from storage.models import Membership, Person, Workspace

USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{3,31})$")


class Bound(Enum):
    """What a /bind did."""

    CREATED = "created"  # a new workspace for this chat
    TAKEN_OVER = "taken_over"  # one made by ``lihui roster import``, now with a director
    REACTIVATED = "reactivated"  # an unbound one, served again
    ALREADY = "already"  # the caller already directs it: nothing to do
    HAS_DIRECTOR = "has_director"  # someone else directs it: refused, nothing changed
    NOT_ADMIN = "not_admin"  # the caller does not administer the group: refused


def name_of(person: Person) -> str:
    """How a person is shown in lists: their name, else @username, else the number."""
    if person.display_name:
        return person.display_name
    if person.username:
        return f"@{person.username}"
    return str(person.telegram_user_id or person.id)


async def director_of(session: AsyncSession, workspace_id: int) -> Person | None:
    return await session.scalar(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.workspace_id == workspace_id, Membership.role == access.DIRECTOR)
        .limit(1)
    )


async def _membership(
    session: AsyncSession, workspace_id: int, person_id: int
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.person_id == person_id
        )
    )


async def _set_role(
    session: AsyncSession, workspace_id: int, person: Person, role: str | None
) -> str | None:
    """Give ``person`` ``role`` (None removes them); returns the role they had before."""
    row = await _membership(session, workspace_id, person.id)
    before = row.role if row else None
    if role is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(Membership(workspace_id=workspace_id, person_id=person.id, role=role))
    else:
        row.role = role
    await session.flush()
    return before


@dataclass
class BindResult:
    outcome: Bound
    workspace: Workspace | None = None
    director: Person | None = None


async def bind(
    session: AsyncSession,
    *,
    chat_id: int,
    title: str,
    person: Person,
    is_admin: bool,
    now: datetime,
) -> BindResult:
    """/bind in a group: make it an office chat with the caller as its director.

    Only an administrator of the group (``is_admin``, Telegram's answer just now) may.
    A bound workspace with another director is left alone: the director role is handed on
    with /roles, not taken by whoever administers the group.
    """
    workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
    workspace_id = workspace.id if workspace else None
    if not is_admin:
        await access.refuse(
            session,
            action="workspace.bind",
            now=now,
            person=person,
            workspace_id=workspace_id,
            chat_id=chat_id,
            reason="not an administrator of the group",
        )
        return BindResult(Bound.NOT_ADMIN, workspace)
    if workspace is None:
        workspace = Workspace(chat_id=chat_id, title=title[:200], settings={}, created_at=now)
        session.add(workspace)
        await session.flush()
        outcome = Bound.CREATED
    elif not workspace.active:
        outcome = Bound.REACTIVATED
    else:
        current = await director_of(session, workspace.id)
        if current is not None and current.id == person.id:
            return BindResult(Bound.ALREADY, workspace, current)
        if current is not None:
            await access.refuse(
                session,
                action="workspace.bind",
                now=now,
                person=person,
                workspace_id=workspace.id,
                chat_id=chat_id,
                reason="already has a director",
            )
            return BindResult(Bound.HAS_DIRECTOR, workspace, current)
        outcome = Bound.TAKEN_OVER
    was_active = workspace.active if outcome is not Bound.CREATED else None
    workspace.active = True
    if outcome is Bound.REACTIVATED:
        previous = await director_of(session, workspace.id)
        if previous is not None and previous.id != person.id:
            await _set_role(session, workspace.id, previous, access.STAFF)
    before_role = await _set_role(session, workspace.id, person, access.DIRECTOR)
    audit.record(
        session,
        action=f"workspace.bind.{outcome.value}",
        now=now,
        workspace_id=workspace.id,
        person_id=person.id,
        before={"active": was_active, "role": before_role},
        after={"active": True, "role": access.DIRECTOR},
        chat_id=chat_id,
    )
    return BindResult(outcome, workspace, person)


async def unbind(
    session: AsyncSession, *, workspace_id: int, person: Person, now: datetime
) -> Workspace | None:
    """Confirmed /unbind by the director: the workspace stops being served; nothing is
    deleted (``lihui workspace purge`` does that). None when refused."""
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None or not await access.may(session, workspace_id, person, "workspace.unbind"):
        await access.refuse(
            session,
            action="workspace.unbind",
            now=now,
            person=person,
            workspace_id=workspace.id if workspace else None,
        )
        return None
    workspace.active = False
    audit.record(
        session,
        action="workspace.unbind",
        now=now,
        workspace_id=workspace.id,
        person_id=person.id,
        before={"active": True},
        after={"active": False},
    )
    return workspace


async def purge(session: AsyncSession, chat_id: int) -> Workspace | None:
    """Delete a workspace and everything in it (the foreign keys cascade). Operator only."""
    workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
    if workspace is None:
        return None
    await session.execute(delete(Workspace).where(Workspace.id == workspace.id))
    return workspace


# --- roles ---------------------------------------------------------------------------------


class RoleError(Exception):
    """A role change that cannot be made; ``key`` is the catalog message that says why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


async def person_by_username(session: AsyncSession, text: str) -> Person:
    """The person an ``@username`` names, recorded if lihui has not met them yet (as a
    roster does): the role waits for them and is theirs when they first write."""
    match = USERNAME.match(text.strip())
    if match is None:
        raise RoleError("access.roles.bad_username", text=text.strip()[:40])
    username = match.group(1)
    person = await session.scalar(
        select(Person).where(func.lower(Person.username) == username.lower()).limit(1)
    )
    if person is None:
        person = Person(username=username, display_name="")
        session.add(person)
        await session.flush()
    return person


async def change_role(
    session: AsyncSession,
    *,
    workspace_id: int,
    actor: Person,
    target: Person,
    role: str | None,
    now: datetime,
) -> str | None:
    """Grant ``staff`` or ``member``, or revoke (``role`` None), by the director.

    The director role itself moves only by :func:`hand_over`; a director cannot revoke
    themselves and leave the office without one. Returns the role held before.
    """
    if not await access.may(session, workspace_id, actor, "roles.manage"):
        await access.refuse(
            session,
            action="roles.manage",
            now=now,
            person=actor,
            workspace_id=workspace_id,
            target_id=target.id,
            role=role,
        )
        raise RoleError("access.denied")
    if role not in (access.STAFF, access.MEMBER, None):
        raise RoleError("access.roles.bad_role")
    current = await _membership(session, workspace_id, target.id)
    if current is not None and current.role == access.DIRECTOR:
        raise RoleError("access.roles.director_stays")
    before = await _set_role(session, workspace_id, target, role)
    if before != role:
        audit.record(
            session,
            action="roles.revoke" if role is None else "roles.grant",
            now=now,
            workspace_id=workspace_id,
            person_id=actor.id,
            before={"person": name_of(target), "role": before},
            after={"person": name_of(target), "role": role},
            target_id=target.id,
        )
    return before


async def hand_over(
    session: AsyncSession, *, workspace_id: int, actor: Person, target: Person, now: datetime
) -> None:
    """The director makes ``target`` director and becomes staff (one director at a time)."""
    if not await access.may(session, workspace_id, actor, "roles.manage"):
        await access.refuse(
            session,
            action="roles.hand_over",
            now=now,
            person=actor,
            workspace_id=workspace_id,
            target_id=target.id,
        )
        raise RoleError("access.denied")
    if target.id == actor.id:
        raise RoleError("access.roles.already_director")
    before = await _set_role(session, workspace_id, target, access.DIRECTOR)
    await _set_role(session, workspace_id, actor, access.STAFF)
    audit.record(
        session,
        action="roles.hand_over",
        now=now,
        workspace_id=workspace_id,
        person_id=actor.id,
        before={"director": name_of(actor), "target_role": before},
        after={"director": name_of(target), "previous_director_role": access.STAFF},
        target_id=target.id,
    )


async def roster_of_roles(session: AsyncSession, workspace_id: int) -> list[tuple[Person, str]]:
    """Everyone with a role in the workspace: director first, then staff, then members."""
    rows = await session.execute(
        select(Person, Membership.role)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(Membership.id)
    )
    order = {role: index for index, role in enumerate(access.ROLES)}
    found = [(person, role) for person, role in rows.all()]
    return sorted(found, key=lambda pair: order.get(pair[1], len(order)))
