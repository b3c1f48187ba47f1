"""Who holds which role in a workspace: grant, revoke, list (``lihui roles``, later /roles).

One director per workspace: granting the role to someone else demotes the previous
director to staff, in the same transaction, and says so. Every change is audit-logged
with before and after. People are named as the roster names them (``@username`` or a
numeric Telegram id); someone not known yet is created, to be bound when they first write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import DIRECTOR, ROLES, STAFF
from bot.audit import record
from bot.people import workspace_for_chat
from bot.roster import contact_is_valid, normalize_contact
from storage.models import Membership, Person, Workspace


class RoleError(Exception):
    """A refusal with a catalog key, so the command line explains it in its language."""

    def __init__(self, key: str, params: dict[str, object] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params = params or {}


@dataclass(frozen=True)
class Holder:
    role: str
    person_id: int
    label: str  # "@username", or the numeric id, with the display name when known


@dataclass
class Change:
    """What a grant or revoke did, for the operator's one-line answer."""

    holder: Holder
    before: str | None
    after: str | None
    demoted: Holder | None = None


def check_role(role: str | None) -> str:
    if role not in ROLES:
        raise RoleError("roles.error.role", {"role": role or "", "roles": " | ".join(ROLES)})
    return role


async def workspace_of(session: AsyncSession, chat_id: int) -> Workspace:
    workspace = await workspace_for_chat(session, chat_id)
    if workspace is None:
        raise RoleError("roles.error.chat", {"chat_id": chat_id})
    return workspace


def _contact(user: str | None) -> str:
    contact = normalize_contact(user or "")
    if contact and not contact.isdigit() and not contact.startswith("@"):
        contact = "@" + contact
    if not contact or not contact_is_valid(contact):
        raise RoleError("roles.error.user", {"user": (user or "").strip()[:40]})
    return contact


async def find_person(session: AsyncSession, user: str | None, *, create: bool) -> Person:
    """The person an operator names; created by username or id if unknown and ``create``."""
    contact = _contact(user)
    if contact.isdigit():
        query = select(Person).where(Person.telegram_user_id == int(contact))
    else:
        query = select(Person).where(func.lower(Person.username) == contact[1:].lower())
    person = (await session.scalars(query.order_by(Person.id).limit(1))).first()
    if person is not None:
        return person
    if not create:
        raise RoleError("roles.error.unknown_user", {"user": contact})
    if contact.isdigit():
        person = Person(telegram_user_id=int(contact), display_name="")
    else:
        person = Person(username=contact[1:], display_name="")
    session.add(person)
    await session.flush()
    return person


def holder(person: Person, role: str) -> Holder:
    name = f"@{person.username}" if person.username else str(person.telegram_user_id or "")
    if person.display_name and person.display_name != person.username:
        name = f"{name} ({person.display_name})"
    return Holder(role, person.id, name)


async def _membership(
    session: AsyncSession, workspace: Workspace, person: Person
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.person_id == person.id
        )
    )


def _audit(
    session: AsyncSession, workspace: Workspace, action: str, target: Person,
    before: str | None, after: str | None, now: datetime, actor_id: int | None,
) -> None:  # fmt: skip
    record(
        session,
        action=action,
        now=now,
        workspace_id=workspace.id,
        person_id=actor_id,
        before={"role": before},
        after={"role": after},
        target_person_id=target.id,
    )


async def grant(
    session: AsyncSession,
    chat_id: int,
    user: str | None,
    role: str | None,
    now: datetime,
    actor_id: int | None = None,
) -> Change:
    role = check_role(role)
    workspace = await workspace_of(session, chat_id)
    person = await find_person(session, user, create=True)
    membership = await _membership(session, workspace, person)
    before = membership.role if membership else None
    demoted = None
    if role == DIRECTOR and before != DIRECTOR:
        demoted = await _demote_director(session, workspace, now, actor_id)
    if membership is None:
        session.add(Membership(workspace_id=workspace.id, person_id=person.id, role=role))
    else:
        membership.role = role
    if before != role:
        _audit(session, workspace, "role.grant", person, before, role, now, actor_id)
    return Change(holder(person, role), before, role, demoted)


async def _demote_director(
    session: AsyncSession, workspace: Workspace, now: datetime, actor_id: int | None
) -> Holder | None:
    current = await session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace.id, Membership.role == DIRECTOR
        )
    )
    if current is None:
        return None
    current.role = STAFF
    person = await session.get(Person, current.person_id)
    assert person is not None
    _audit(session, workspace, "role.demote", person, DIRECTOR, STAFF, now, actor_id)
    return holder(person, STAFF)


async def revoke(
    session: AsyncSession,
    chat_id: int,
    user: str | None,
    role: str | None,
    now: datetime,
    actor_id: int | None = None,
) -> Change:
    """Take the person's role away; ``role``, if given, must be the one they hold."""
    if role is not None:
        check_role(role)
    workspace = await workspace_of(session, chat_id)
    person = await find_person(session, user, create=False)
    membership = await _membership(session, workspace, person)
    if membership is None or (role is not None and membership.role != role):
        held = membership.role if membership else "—"
        raise RoleError("roles.error.not_held", {"user": holder(person, held).label, "role": held})
    before = membership.role
    await session.delete(membership)
    _audit(session, workspace, "role.revoke", person, before, None, now, actor_id)
    return Change(holder(person, before), before, None)


async def holders(session: AsyncSession, chat_id: int) -> list[Holder]:
    """Everyone with a role in the chat's workspace: director first, then staff, members."""
    workspace = await workspace_of(session, chat_id)
    rows = await session.execute(
        select(Membership.role, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.workspace_id == workspace.id)
    )
    found = [holder(person, role) for role, person in rows.all()]
    return sorted(found, key=lambda h: (ROLES.index(h.role) if h.role in ROLES else 9, h.label))
