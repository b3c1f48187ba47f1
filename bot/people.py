"""Who is writing: people, their roles in workspaces, and the groups they report for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.i18n import normalize_locale
from storage.models import Contact, Membership, Person, TaskGroup, Workspace


@dataclass(frozen=True)
class UserInfo:
    """The few facts about a Telegram user that the core needs."""

    id: int
    username: str | None
    display_name: str
    language_code: str | None


async def identify(session: AsyncSession, user: UserInfo, *, in_private: bool = False) -> Person:
    """The person behind a Telegram user, created on first contact.

    A roster names contacts by @username before they ever write to the bot; the first time
    such a person writes, their numeric id is bound to that roster entry. ``in_private``:
    they wrote in their private chat, so the bot may now write to them (set before the
    flush, so a newcomer costs one INSERT rather than an INSERT and an UPDATE).
    """
    person = await _find_person(session, user.id, user.username)
    if person is None:
        person = Person(telegram_user_id=user.id)
        session.add(person)
    facts: dict[str, object] = {
        "telegram_user_id": user.id,
        "username": user.username or person.username,
        "display_name": user.display_name[:200],
    }
    if person.locale is None and user.language_code:
        facts["locale"] = normalize_locale(user.language_code)
    if in_private:
        facts["started_bot"] = True
    # Only what changed is assigned: assigning a value, even the same one, marks the row
    # dirty, and every later query of the update would then flush it again for nothing.
    for name, value in facts.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
    if person.id is None or person in session.dirty:
        await session.flush()
    return person


# Both ways of knowing a person, built once: the numeric id, else the roster's @username not
# yet bound to an id (the bound row sorts first). Every update runs one of them.
_BY_ID = select(Person).where(Person.telegram_user_id == bindparam("user_id"))
_BY_ID_OR_NAME = (
    select(Person)
    .where(
        or_(
            Person.telegram_user_id == bindparam("user_id"),
            and_(
                Person.telegram_user_id.is_(None),
                func.lower(Person.username) == bindparam("username"),
            ),
        )
    )
    .order_by(Person.telegram_user_id.is_(None), Person.id)
    .limit(1)
)


async def _find_person(session: AsyncSession, user_id: int, username: str | None) -> Person | None:
    if not username:
        return await session.scalar(_BY_ID, {"user_id": user_id})
    return await session.scalar(_BY_ID_OR_NAME, {"user_id": user_id, "username": username.lower()})


async def workspace_for_chat(session: AsyncSession, chat_id: int) -> Workspace | None:
    return await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))


async def contact_groups(session: AsyncSession, person: Person) -> list[tuple[TaskGroup, str]]:
    """The active groups this person reports for, with ``primary`` or ``deputy``."""
    rows = await session.execute(
        select(TaskGroup, Contact.kind)
        .join(Contact, Contact.group_id == TaskGroup.id)
        .join(Workspace, Workspace.id == TaskGroup.workspace_id)
        # An unbound office is not served: its contacts are not asked to report.
        .where(
            Contact.person_id == person.id,
            TaskGroup.active.is_(True),
            Workspace.active.is_(True),
        )
        .options(selectinload(TaskGroup.workspace), selectinload(TaskGroup.indicators))
        .order_by(TaskGroup.workspace_id, TaskGroup.position)
    )
    return [(group, kind) for group, kind in rows.all()]


async def roles(session: AsyncSession, person: Person) -> set[str]:
    """Every role the person has anywhere, plus ``contact`` if they report for a group."""
    found = set(
        await session.scalars(select(Membership.role).where(Membership.person_id == person.id))
    )
    if await session.scalar(select(Contact.id).where(Contact.person_id == person.id).limit(1)):
        found.add("contact")
    return found
