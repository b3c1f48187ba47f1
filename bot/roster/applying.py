"""Applying a roster to a workspace, and loading it back, in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import audit, clock
from bot.people import workspace_for_chat
from bot.roster.model import (
    ImportSummary,
    RosterError,
    RosterGroup,
    RosterIndicator,
    check_groups,
    split_member_units,
)
from storage.models import (
    Contact,
    Indicator,
    IndicatorValue,
    Person,
    TaskGroup,
    Workspace,
)

# --- the database -------------------------------------------------------------------------


def _contact_text(person: Person) -> str:
    if person.username:
        return f"@{person.username}"
    return str(person.telegram_user_id) if person.telegram_user_id is not None else ""


def roster_group_of(group: TaskGroup) -> RosterGroup:
    """The roster row of a stored group (indicators and contacts must be loaded)."""
    contacts = {contact.kind: _contact_text(contact.person) for contact in group.contacts}
    return RosterGroup(
        name=group.name,
        code=group.code,
        order=group.position,
        responsible_unit=group.responsible_unit,
        responsible_person=group.responsible_person,
        member_units=split_member_units(group.member_units),
        duties=group.duties,
        primary_contact=contacts.get("primary", ""),
        deputy_contact=contacts.get("deputy", ""),
        indicators=[
            RosterIndicator(i.name, i.unit, i.target)
            for i in sorted(group.indicators, key=lambda i: i.position)
        ],
    )


async def _stored_groups(session: AsyncSession, workspace_id: int) -> list[TaskGroup]:
    result = await session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace_id)
        .options(
            selectinload(TaskGroup.indicators),
            selectinload(TaskGroup.contacts).selectinload(Contact.person),
        )
        .order_by(TaskGroup.position, TaskGroup.code)
    )
    return list(result)


async def load_roster(session: AsyncSession, chat_id: int) -> list[RosterGroup]:
    """The active groups of the chat's workspace in report order (empty if none)."""
    workspace = await workspace_for_chat(session, chat_id)
    if workspace is None:
        return []
    return [roster_group_of(g) for g in await _stored_groups(session, workspace.id) if g.active]


class _People:
    """Finds or creates the Person for each contact, once per import."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cache: dict[str, Person] = {}

    async def get(self, contact: str) -> Person:
        key = contact.lower()
        if key not in self.cache:
            self.cache[key] = await self._find(contact) or self._create(contact)
        return self.cache[key]

    async def _find(self, contact: str) -> Person | None:
        if contact.isdigit():
            query = select(Person).where(Person.telegram_user_id == int(contact))
        else:
            query = select(Person).where(func.lower(Person.username) == contact[1:].lower())
        return (await self.session.scalars(query.order_by(Person.id).limit(1))).first()

    def _create(self, contact: str) -> Person:
        if contact.isdigit():
            person = Person(telegram_user_id=int(contact), display_name="")
        else:
            person = Person(username=contact[1:], display_name="")
        self.session.add(person)
        return person


def _same_fields(stored: RosterGroup, wanted: RosterGroup) -> bool:
    """Equal apart from contacts, which are compared as people (``@Ann`` is ``@ann``)."""
    ignore = {"primary_contact": "", "deputy_contact": ""}
    return {**stored.__dict__, **ignore} == {**wanted.__dict__, **ignore}


async def _indicator_has_values(session: AsyncSession, indicator: Indicator) -> bool:
    if indicator.id is None:
        return False
    return bool(
        await session.scalar(select(exists().where(IndicatorValue.indicator_id == indicator.id)))
    )


async def _apply_indicators(
    session: AsyncSession, group: TaskGroup, wanted: Sequence[RosterIndicator], kept: list[str]
) -> None:
    """Match indicators by name; drop the ones no longer listed unless values refer to them."""
    by_name = {indicator.name: indicator for indicator in group.indicators}
    for position, item in enumerate(wanted, start=1):
        indicator = by_name.pop(item.name, None)
        if indicator is None:
            indicator = Indicator(name=item.name)
            group.indicators.append(indicator)
        indicator.unit, indicator.target, indicator.position = item.unit, item.target, position
    for indicator in by_name.values():
        if await _indicator_has_values(session, indicator):
            indicator.position = len(wanted) + 1
            kept.append(f"{group.code}:{indicator.name}")
        else:
            group.indicators.remove(indicator)


async def _apply_contacts(group: TaskGroup, wanted: RosterGroup, people: _People) -> bool:
    """Make the group's contacts the wanted ones, reusing rows per person; True if changed."""
    desired: dict[int, tuple[str, Person]] = {}
    for kind, text in (("primary", wanted.primary_contact), ("deputy", wanted.deputy_contact)):
        if text:
            person = await people.get(text)
            desired.setdefault(id(person), (kind, person))
    current = {(c.kind, id(c.person)) for c in group.contacts}
    if current == {(kind, key) for key, (kind, _) in desired.items()}:
        return False
    existing = {id(contact.person): contact for contact in group.contacts}
    for key, (kind, person) in desired.items():
        contact = existing.pop(key, None)
        if contact is None:
            group.contacts.append(Contact(person=person, kind=kind))
        else:
            contact.kind = kind
    for contact in existing.values():
        group.contacts.remove(contact)
    return True


def _copy_fields(group: TaskGroup, wanted: RosterGroup) -> None:
    group.name = wanted.name
    group.position = wanted.order
    group.responsible_unit = wanted.responsible_unit
    group.responsible_person = wanted.responsible_person
    group.member_units = "、".join(wanted.member_units)
    group.duties = wanted.duties
    group.active = True


async def _ensure_workspace(session: AsyncSession, chat_id: int, title: str | None) -> Workspace:
    workspace = await workspace_for_chat(session, chat_id)
    if workspace is None:
        workspace = Workspace(
            chat_id=chat_id, title=title or "", created_at=clock.now(), settings={}
        )
        session.add(workspace)
        await session.flush()
    elif title is not None:
        workspace.title = title
    return workspace


async def apply_roster(
    session: AsyncSession,
    chat_id: int,
    groups: Sequence[RosterGroup],
    *,
    title: str | None = None,
    actor_id: int | None = None,
    action: str = "roster.import",
) -> ImportSummary:
    """Make the chat's workspace hold exactly ``groups`` as its active roster.

    Groups are matched by code and updated in place, so their ids (and the history that
    refers to them) survive a rename. Groups missing from the roster are deactivated, never
    deleted. Everything happens in ``session``; the caller's unit of work commits it.
    """
    issues = check_groups(groups)
    if issues:
        raise RosterError(issues)
    workspace = await _ensure_workspace(session, chat_id, title)
    stored = {group.code: group for group in await _stored_groups(session, workspace.id)}
    before = [asdict(roster_group_of(group)) for group in stored.values() if group.active]
    summary = ImportSummary(workspace_id=workspace.id)
    people = _People(session)
    for wanted in groups:
        await _apply_group(
            session, workspace, stored.pop(wanted.code, None), wanted, people, summary
        )
    for group in stored.values():
        if group.active:
            group.active = False
            summary.deactivated.append(group.code)
    _audit(session, workspace.id, summary, before, groups, actor_id, action)
    await session.flush()
    return summary


async def _apply_group(
    session: AsyncSession,
    workspace: Workspace,
    group: TaskGroup | None,
    wanted: RosterGroup,
    people: _People,
    summary: ImportSummary,
) -> None:
    if group is None:
        group = TaskGroup(workspace_id=workspace.id, code=wanted.code, indicators=[], contacts=[])
        session.add(group)
        _copy_fields(group, wanted)
        await _apply_indicators(session, group, wanted.indicators, summary.kept_indicators)
        await _apply_contacts(group, wanted, people)
        summary.created.append(wanted.code)
        return
    fields_same = group.active and _same_fields(roster_group_of(group), wanted)
    if not fields_same:
        _copy_fields(group, wanted)
        await _apply_indicators(session, group, wanted.indicators, summary.kept_indicators)
    contacts_changed = await _apply_contacts(group, wanted, people)
    (summary.unchanged if fields_same and not contacts_changed else summary.updated).append(
        wanted.code
    )


def _audit(
    session: AsyncSession,
    workspace_id: int,
    summary: ImportSummary,
    before: list[dict[str, Any]],
    groups: Sequence[RosterGroup],
    actor_id: int | None,
    action: str,
) -> None:
    """Who changed the roster (None: the operator's command line), with before and after."""
    audit.record(
        session,
        action=action,
        now=clock.now(),
        workspace_id=workspace_id,
        person_id=actor_id,
        before=before,
        after=[asdict(group) for group in groups],
        created=summary.created,
        updated=summary.updated,
        unchanged=len(summary.unchanged),
        deactivated=summary.deactivated,
        kept_indicators=summary.kept_indicators,
    )
