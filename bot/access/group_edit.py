"""/groups: the office edits a task group's contacts, units, duties and indicators from
the chat, with a short guided edit.

Pick a group, pick a field, type the new value. The field being edited waits in the
database (:class:`~storage.models.PendingEdit`), not in memory, so a restart or another
instance still knows what the typed text is for. The value goes through the roster's
own rules (:func:`bot.roster.apply_roster`): the same validation as an imported file, the
same matching of indicators (one with reported values is kept), the same audit entry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from bot.access import office
from bot.access.views import (
    PREFIX,
    checked,
    choosable,
    choose_workspace,
    denied,
)
from bot.caller import Caller
from bot.replies import Answer, Button, Reply
from bot.roster import (
    RosterError,
    RosterGroup,
    apply_roster,
    check_groups,
    column_title,
    format_indicators,
    load_roster,
    normalize_contact,
    parse_indicators,
    split_member_units,
)
from storage.models import Contact, PendingEdit, TaskGroup, Workspace

ACTION = "groups.manage"
# The editable fields, in button order; their index is what a button carries.
FIELDS = (
    "primary_contact",
    "deputy_contact",
    "responsible_unit",
    "responsible_person",
    "member_units",
    "duties",
    "indicators",
)
EMPTY_WORDS = frozenset({"无", "-", "—", "none", "空"})
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel"})
EXPIRES = timedelta(minutes=30)  # an edit left this long is forgotten, not applied later


async def groups_command(caller: Caller) -> Answer:
    workspace, answer = await choose_workspace(caller, ACTION, "groups")
    if workspace is None:
        assert answer is not None
        return answer
    return await group_list(caller, workspace)


async def _groups(caller: Caller, workspace: Workspace) -> list[TaskGroup]:
    rows = await caller.session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace.id, TaskGroup.active.is_(True))
        .order_by(TaskGroup.position)
    )
    return list(rows)


async def group_list(caller: Caller, workspace: Workspace, edit: int | None = None) -> Answer:
    groups = await _groups(caller, workspace)
    if not groups:
        return Answer([Reply(caller.say("access.groups.none"), edit_message_id=edit)])
    rows = [[Button(g.name[:60], data=f"{PREFIX}g:{workspace.id}:{g.id}")] for g in groups]
    text = caller.say("access.groups.pick", title=workspace.title or workspace.chat_id)
    return Answer([Reply(text, buttons=rows, edit_message_id=edit)])


async def _group(caller: Caller, workspace: Workspace, group_id: int) -> TaskGroup | None:
    """The group, only if it belongs to ``workspace``: an id from another office is None."""
    return await caller.session.scalar(
        select(TaskGroup)
        .where(TaskGroup.id == group_id, TaskGroup.workspace_id == workspace.id)
        .options(
            selectinload(TaskGroup.indicators),
            selectinload(TaskGroup.contacts).selectinload(Contact.person),
        )
    )


def _current(roster_group: RosterGroup, name: str) -> str:
    value = getattr(roster_group, name)
    if name == "member_units":
        return "、".join(value)
    if name == "indicators":
        return format_indicators(value)
    return str(value)


async def _roster_group(caller: Caller, workspace: Workspace, group: TaskGroup) -> RosterGroup:
    wanted = [
        g for g in await load_roster(caller.session, workspace.chat_id) if g.code == group.code
    ]
    assert wanted, "an active group is in its workspace's roster"
    return wanted[0]


async def group_view(
    caller: Caller, workspace: Workspace, group: TaskGroup, edit: int | None = None
) -> Answer:
    current = await _roster_group(caller, workspace, group)
    lines = [caller.say("access.groups.title", group=group.name)]
    for name in FIELDS:
        value = _current(current, name) or caller.label("access.groups.blank")
        lines.append(
            caller.say("access.groups.field", field=column_title(name, caller.locale), value=value)
        )
    buttons = [
        Button(
            column_title(name, caller.locale), data=f"{PREFIX}ge:{workspace.id}:{group.id}:{index}"
        )
        for index, name in enumerate(FIELDS)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Button(caller.label("access.groups.back"), data=f"{PREFIX}gl:{workspace.id}")])
    return Answer([Reply("\n".join(lines), buttons=rows, edit_message_id=edit)])


async def press(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    """``gl`` (list), ``g`` (a group), ``ge`` (edit a field): each checks the right again."""
    workspace = await checked(caller, ids[0], ACTION)
    if workspace is None:
        return await denied(caller, ACTION, ids[0], button="groups", ids=ids, quiet=True)
    if len(ids) == 1:
        return await group_list(caller, workspace, edit=message_id)
    group = await _group(caller, workspace, ids[1])
    if group is None or not group.active:
        return await denied(caller, ACTION, workspace.id, button="groups", ids=ids, quiet=True)
    if len(ids) == 2:
        return await group_view(caller, workspace, group, edit=message_id)
    if not 0 <= ids[2] < len(FIELDS):
        return Answer(toast=caller.label("access.stale"))
    return await _ask(caller, workspace, group, FIELDS[ids[2]])


async def _ask(caller: Caller, workspace: Workspace, group: TaskGroup, name: str) -> Answer:
    session = caller.session
    await session.execute(delete(PendingEdit).where(PendingEdit.person_id == caller.person.id))
    session.add(
        PendingEdit(
            person_id=caller.person.id,
            workspace_id=workspace.id,
            group_id=group.id,
            field=name,
            chat_id=caller.chat_id,
            created_at=caller.now,
        )
    )
    current = _current(await _roster_group(caller, workspace, group), name)
    text = caller.say(
        "access.groups.ask",
        group=group.name,
        field=column_title(name, caller.locale),
        value=current or caller.label("access.groups.blank"),
        hint=caller.label(f"access.groups.hint.{name}"),
    )
    return Answer([Reply(text, ask=True)])


async def pending(caller: Caller) -> PendingEdit | None:
    """The edit waiting for this person's text in this chat, if any (and not too old)."""
    edit = await caller.session.scalar(
        select(PendingEdit).where(
            PendingEdit.person_id == caller.person.id, PendingEdit.chat_id == caller.chat_id
        )
    )
    if edit is not None and caller.now - edit.created_at > EXPIRES:
        await caller.session.delete(edit)
        return None
    return edit


def _changed(group: RosterGroup, name: str, text: str) -> RosterGroup:
    """The group with ``name`` set from the typed ``text``; raise :class:`RosterError`."""
    text = text.strip()
    blank = text.lower() in EMPTY_WORDS
    if name in ("primary_contact", "deputy_contact"):
        value: object = "" if blank else normalize_contact(text)
    elif name == "member_units":
        value = [] if blank else split_member_units(text)
    elif name == "indicators":
        value = [] if blank else parse_indicators(text)
    else:
        value = "" if blank else text
    return replace(group, **{name: value})


async def apply_text(caller: Caller, edit: PendingEdit, text: str) -> Answer:
    """The typed value for a waiting edit: applied (the edit is done), or refused with the
    reason (the edit keeps waiting, so the person can type it again)."""
    session = caller.session
    if text.strip().lower() in CANCEL_WORDS:
        await session.delete(edit)
        return Answer([Reply(caller.say("access.cancelled"))])
    workspace = await checked(caller, edit.workspace_id, ACTION)
    group = await _group(caller, workspace, edit.group_id) if workspace else None
    if workspace is None or group is None or not group.active:
        await session.delete(edit)
        return await denied(caller, ACTION, edit.workspace_id, edit="typed", group_id=edit.group_id)
    roster = await load_roster(session, workspace.chat_id)
    try:
        roster = [_changed(g, edit.field, text) if g.code == group.code else g for g in roster]
        issues = check_groups(roster)
        if issues:
            raise RosterError(issues)
        await apply_roster(
            session, workspace.chat_id, roster, actor_id=caller.person.id, action="groups.edit"
        )
    except RosterError as error:
        lines = [
            caller.say("access.groups.invalid"),
            *(caller.say("access.groups.issue", text=line) for line in error.lines(caller.locale)),
        ]
        return Answer([Reply("\n".join(lines), ask=True)])
    field_name, group_id = edit.field, group.id
    await session.delete(edit)
    await session.flush()
    # The roster changed these very objects (one identity map): the view reads them as saved.
    fresh = await _group(caller, workspace, group_id)
    assert fresh is not None
    done = Reply(caller.say("access.groups.saved", field=column_title(field_name, caller.locale)))
    view = await group_view(caller, workspace, fresh)
    return Answer([done, *view.replies])


choosable("groups", ACTION, group_list)
office.command("groups", lambda caller, args: groups_command(caller))
