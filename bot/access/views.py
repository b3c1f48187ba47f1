"""What /bind, /unbind, /roles and /audit say, and what their buttons do.

The handlers parse an update and call these; these look the caller's right up in the
workspace the action touches (:mod:`bot.access`), change what :mod:`bot.access.membership`
changes, and answer with :class:`~bot.replies.Reply` values.

Buttons carry ``a:<verb>:<ids>``. The ids name what to act on (a workspace, a person, a
page); they never carry a right: every press looks the presser's role up again, in the
workspace the ids name, so a forged or stale button is refused like a forged command.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot import access, audit
from bot.access import membership, office
from bot.caller import Caller
from bot.replies import Answer, Button, Reply
from storage.models import Person, Workspace

PREFIX = "a:"
CALLBACK_PATTERN = r"^a:"
_ID = re.compile(r"[0-9]{1,10}")  # ASCII digits only: int() takes what str.isdigit() lets by
MAX_ID = 2**31 - 1  # ids are database keys (32-bit on PostgreSQL): a larger one names nothing


# /roles arguments, Chinese and English: role name -> role (None revokes).
ROLE_WORDS: dict[str, str | None] = {
    "staff": access.STAFF,
    "办公室人员": access.STAFF,
    "工作人员": access.STAFF,
    "member": access.MEMBER,
    "成员": access.MEMBER,
    "revoke": None,
    "撤销": None,
    "移除": None,
}
HAND_OVER_WORDS = ("director", "主任", "移交")


def parse(data: str) -> tuple[str, list[int]] | None:
    """``a:verb:1:2`` -> ("verb", [1, 2]); anything else (forged, garbled) -> None."""
    if not data.startswith(PREFIX) or len(data) > 64:
        return None
    verb, *rest = data[len(PREFIX) :].split(":")
    if not verb.isascii() or not verb.isalpha() or not all(_ID.fullmatch(p) for p in rest):
        return None
    ids = [int(p) for p in rest]
    return (verb, ids) if all(i <= MAX_ID for i in ids) else None


async def denied(
    caller: Caller, action: str, workspace_id: int | None, *, quiet: bool = False, **details: object
) -> Answer:
    """The one refusal: short and polite, and written down (see :func:`access.refuse`).

    ``quiet`` for a pressed button: the toast says it, without a message in the chat.
    """
    await access.refuse(
        caller.session,
        action=action,
        now=caller.now,
        person=caller.person,
        workspace_id=workspace_id,
        **details,
    )
    replies = [] if quiet else [Reply(caller.say("access.denied"))]
    return Answer(replies, caller.label("access.denied_short"))


View = Callable[[Caller, Workspace], Awaitable[Answer]]
# The office buttons of before bot.access.office (``a:in:<workspace>:<id>``), still honoured
# when pressed: id -> (command, the right it needs, what it shows in the office chosen).
# The id is a checksum of the command's name, so every instance agrees on it.
_CHOOSABLE: dict[int, tuple[str, str, View]] = {}


def chooser_id(command: str) -> int:
    """The id a chooser button carries for ``command`` (31 bits, like every button id)."""
    return zlib.crc32(command.encode()) & MAX_ID


def choosable(command: str, action: str, view: View) -> None:
    """Let ``command`` offer the office chooser: ``view`` runs in the office chosen."""
    _CHOOSABLE[chooser_id(command)] = (command, action, view)


async def choose_workspace(
    caller: Caller, action: str, command: str, args: str = ""
) -> tuple[Workspace | None, Answer | None]:
    """The workspace a command acts on, or the answer to give instead.

    In an office chat: that chat's workspace, if the caller may ``action`` there. In a
    private chat: :func:`bot.access.office.office_for`'s choice (the one office where the
    caller may, the office they chose last, or the question which).
    """
    if not caller.private:
        workspace = await access.served_workspace(caller.session, caller.chat_id)
        if workspace is None:
            return None, Answer([Reply(caller.say("access.not_served"))])
        if not await access.may(caller.session, workspace.id, caller.person, action):
            return None, await denied(caller, action, workspace.id, command=command)
        return workspace, None
    options = await access.workspaces_where(caller.session, caller.person, action)
    if not options:  # refused here, not in office_for: a refusal is written to the audit log
        return None, await denied(caller, action, None, command=command)
    chosen = await office.office_for(caller, action, command, args, options=options)
    return (None, chosen) if isinstance(chosen, Answer) else (chosen, None)


async def checked(caller: Caller, workspace_id: int, action: str) -> Workspace | None:
    """The workspace a button names, if it is served and the presser may ``action`` there."""
    workspace = await caller.session.get(Workspace, workspace_id)
    if workspace is None or not workspace.active:
        return None
    if not await access.may(caller.session, workspace.id, caller.person, action):
        return None
    return workspace


def cancel_button(caller: Caller) -> Button:
    """Dismisses a confirmation; it names who asked, and only they can press it."""
    return Button(caller.label("access.cancel"), data=f"{PREFIX}x:{caller.person.id}")


# --- /bind and /unbind -------------------------------------------------------------------


async def bind(caller: Caller, title: str, is_admin: bool, bot: str) -> Answer:
    result = await membership.bind(
        caller.session,
        chat_id=caller.chat_id,
        title=title,
        person=caller.person,
        is_admin=is_admin,
        now=caller.now,
    )
    outcome = result.outcome
    if outcome is membership.Bound.NOT_ADMIN:
        return Answer([Reply(caller.say("access.bind.not_admin"))])
    if outcome is membership.Bound.HAS_DIRECTOR:
        assert result.director is not None
        name = membership.name_of(result.director)
        return Answer([Reply(caller.say("access.bind.has_director", director=name))])
    key = f"access.bind.{outcome.value}"
    return Answer([Reply(caller.say(key, name=membership.name_of(caller.person), bot=bot))])


async def unbind_ask(caller: Caller) -> Answer:
    workspace, answer = await choose_workspace(caller, "workspace.unbind", "unbind")
    if workspace is None:
        assert answer is not None
        return answer
    return unbind_confirmation(caller, workspace)


def unbind_confirmation(caller: Caller, workspace: Workspace) -> Answer:
    buttons = [
        [
            Button(caller.label("access.unbind.confirm"), data=f"{PREFIX}ub:{workspace.id}"),
            cancel_button(caller),
        ]
    ]
    text = caller.say("access.unbind.ask", title=workspace.title or workspace.chat_id)
    return Answer([Reply(text, buttons=buttons)])


# --- /roles ------------------------------------------------------------------------------


async def roles_command(caller: Caller, args: list[str], replied_to: Person | None) -> Answer:
    """``/roles`` lists; ``/roles staff|member|revoke|director [@user]`` (or as a reply to
    the person's message in the office chat) changes one person's role."""
    workspace, answer = await choose_workspace(caller, "roles.manage", "roles", " ".join(args))
    if workspace is None:
        assert answer is not None
        return answer
    if not args:
        return await roles_list(caller, workspace)
    word = args[0].lower()
    target_text = args[1] if len(args) > 1 else None
    try:
        if replied_to is not None and target_text is None:
            target = replied_to
        elif target_text is not None:
            target = await membership.person_by_username(caller.session, target_text)
        else:
            return Answer([Reply(caller.say("access.roles.usage"))])
        if word in HAND_OVER_WORDS:
            return hand_over_confirmation(caller, workspace, target)
        if word not in ROLE_WORDS:
            return Answer([Reply(caller.say("access.roles.usage"))])
        role = ROLE_WORDS[word]
        await membership.change_role(
            caller.session,
            workspace_id=workspace.id,
            actor=caller.person,
            target=target,
            role=role,
            now=caller.now,
        )
    except membership.RoleError as error:
        return Answer([Reply(caller.say(error.key, **error.params))])
    key = "access.roles.revoked" if role is None else "access.roles.granted"
    role_name = caller.label(f"access.role.{role}") if role else ""
    listing = await roles_list(caller, workspace)
    done = Reply(caller.say(key, person=membership.name_of(target), role=role_name))
    return Answer([done, *listing.replies])


async def roles_list(caller: Caller, workspace: Workspace, edit: int | None = None) -> Answer:
    people = await membership.roster_of_roles(caller.session, workspace.id)
    lines = [caller.say("access.roles.title", title=workspace.title or workspace.chat_id)]
    rows: list[list[Button]] = []
    for person, role in people:
        name = membership.name_of(person)
        lines.append(caller.say("access.roles.line", person=name, role=_role_label(caller, role)))
        if role != access.DIRECTOR and len(rows) < 40:
            rows.append(
                [
                    Button(
                        caller.label("access.roles.revoke_button", person=name)[:60],
                        data=f"{PREFIX}rv:{workspace.id}:{person.id}",
                    ),
                    Button(
                        caller.label("access.roles.hand_over_button"),
                        data=f"{PREFIX}ho:{workspace.id}:{person.id}",
                    ),
                ]
            )
    lines.append("")
    lines.append(caller.say("access.roles.how_to_grant"))
    return Answer([Reply("\n".join(lines), buttons=rows, edit_message_id=edit)])


def _role_label(caller: Caller, role: str) -> str:
    return caller.label(f"access.role.{role}") if role in access.ROLES else role


def hand_over_confirmation(caller: Caller, workspace: Workspace, target: Person) -> Answer:
    buttons = [
        [
            Button(
                caller.label("access.roles.hand_over_confirm"),
                data=f"{PREFIX}hy:{workspace.id}:{target.id}",
            ),
            cancel_button(caller),
        ]
    ]
    text = caller.say("access.roles.hand_over_ask", person=membership.name_of(target))
    return Answer([Reply(text, buttons=buttons)])


# --- /audit --------------------------------------------------------------------------------


async def audit_command(caller: Caller) -> Answer:
    workspace, answer = await choose_workspace(caller, "audit.read", "audit")
    if workspace is None:
        assert answer is not None
        return answer
    return await audit_page(caller, workspace, 0)


async def audit_page(
    caller: Caller, workspace: Workspace, page: int, edit: int | None = None
) -> Answer:
    entries, total = await audit.recent(caller.session, workspace.id, page)
    pages = max(1, -(-total // audit.PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    if not entries and page:
        entries, _ = await audit.recent(caller.session, workspace.id, page)
    zone = ZoneInfo(workspace.timezone)
    lines = [caller.say("access.audit.title", page=page + 1, pages=pages, total=total)]
    for entry, person in entries:
        details = dict(entry.details or {})
        change = audit.compact({k: details.get(k) for k in ("before", "after") if details.get(k)})
        extra = audit.compact({k: v for k, v in details.items() if k not in ("before", "after")})
        lines.append(
            caller.say(
                "access.audit.line",
                at=entry.created_at.astimezone(zone).strftime("%m-%d %H:%M"),
                person=membership.name_of(person) if person else caller.label("access.system"),
                action=entry.action,
                change=audit.compact(f"{change} {extra}".strip(), 160),
            )
        )
    if not entries:
        lines.append(caller.say("access.audit.empty"))
    nav = []
    if page > 0:
        nav.append(
            Button(caller.label("access.previous"), data=f"{PREFIX}au:{workspace.id}:{page - 1}")
        )
    if page + 1 < pages:
        nav.append(
            Button(caller.label("access.next"), data=f"{PREFIX}au:{workspace.id}:{page + 1}")
        )
    return Answer([Reply("\n".join(lines), buttons=[nav] if nav else [], edit_message_id=edit)])


# --- the buttons ---------------------------------------------------------------------------


async def press(caller: Caller, data: str, message_id: int | None) -> Answer:
    """Any ``a:`` button: parse, look the right up again, act. Garbage is stale, quietly."""
    parsed = parse(data)
    if parsed is None:
        return Answer(toast=caller.label("access.stale"))
    verb, ids = parsed
    if verb == "x" and len(ids) == 1:
        if ids[0] != caller.person.id:  # someone else's confirmation: not theirs to dismiss
            return Answer(toast=caller.label("access.denied_short"))
        edit = [Reply(caller.say("access.cancelled"), edit_message_id=message_id)]
        return Answer(edit if message_id else [], caller.label("access.cancelled"))
    handler = _BUTTONS.get((verb, len(ids)))
    if handler is None:
        return Answer(toast=caller.label("access.stale"))
    return await handler(caller, ids, message_id)


async def _choose(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    workspace_id, key = ids
    if key not in _CHOOSABLE:
        return Answer(toast=caller.label("access.stale"))
    command, action, view = _CHOOSABLE[key]
    workspace = await checked(caller, workspace_id, action)
    if workspace is None:
        return await denied(caller, action, workspace_id, button="in", command=command, quiet=True)
    return await view(caller, workspace)


async def _unbind(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    workspace = await membership.unbind(
        caller.session, workspace_id=ids[0], person=caller.person, now=caller.now
    )
    if workspace is None:
        return Answer(toast=caller.label("access.denied_short"))
    text = caller.say("access.unbind.done", title=workspace.title or workspace.chat_id)
    return Answer([Reply(text, edit_message_id=message_id)])


async def _workspace_and_person(
    caller: Caller, ids: list[int], action: str, button: str
) -> tuple[Workspace, Person] | Answer:
    """The office and the person a roles button names, or the refusal if either is not
    the caller's to act on (the right is looked up again on every press)."""
    workspace_id, person_id = ids
    workspace = await checked(caller, workspace_id, "roles.manage")
    target = await caller.session.get(Person, person_id)
    if workspace is None or target is None:
        return await denied(
            caller, action, workspace_id, button=button, target_id=person_id, quiet=True
        )
    return workspace, target


async def _revoke(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    found = await _workspace_and_person(caller, ids, "roles.manage", "rv")
    if isinstance(found, Answer):
        return found
    workspace, target = found
    try:
        await membership.change_role(
            caller.session,
            workspace_id=workspace.id,
            actor=caller.person,
            target=target,
            role=None,
            now=caller.now,
        )
    except membership.RoleError as error:
        return Answer(toast=caller.label(error.key, **error.params))
    answer = await roles_list(caller, workspace, edit=message_id)
    answer.toast = caller.label("access.roles.revoked_short", person=membership.name_of(target))
    return answer


async def _hand_over_ask(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    found = await _workspace_and_person(caller, ids, "roles.hand_over", "ho")
    if isinstance(found, Answer):
        return found
    workspace, target = found
    return hand_over_confirmation(caller, workspace, target)


async def _hand_over(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    found = await _workspace_and_person(caller, ids, "roles.hand_over", "hy")
    if isinstance(found, Answer):
        return found
    workspace, target = found
    try:
        await membership.hand_over(
            caller.session,
            workspace_id=workspace.id,
            actor=caller.person,
            target=target,
            now=caller.now,
        )
    except membership.RoleError as error:
        return Answer(toast=caller.label(error.key, **error.params))
    text = caller.say("access.roles.handed_over", person=membership.name_of(target))
    return Answer([Reply(text, edit_message_id=message_id)])


async def _audit_page(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    workspace_id, page = ids
    workspace = await checked(caller, workspace_id, "audit.read")
    if workspace is None:
        return await denied(caller, "audit.read", workspace_id, button="au", quiet=True)
    return await audit_page(caller, workspace, page, edit=message_id)


async def _group_button(caller: Caller, ids: list[int], message_id: int | None) -> Answer:
    from bot.access import group_edit

    return await group_edit.press(caller, ids, message_id)


_BUTTONS = {
    ("in", 2): _choose,
    ("ub", 1): _unbind,
    ("rv", 2): _revoke,
    ("ho", 2): _hand_over_ask,
    ("hy", 2): _hand_over,
    ("au", 2): _audit_page,
    ("gl", 1): _group_button,
    ("g", 2): _group_button,
    ("ge", 3): _group_button,
}


async def _roles_view(caller: Caller, workspace: Workspace) -> Answer:
    return await roles_list(caller, workspace)


async def _audit_view(caller: Caller, workspace: Workspace) -> Answer:
    return await audit_page(caller, workspace, 0)


async def _unbind_view(caller: Caller, workspace: Workspace) -> Answer:
    return unbind_confirmation(caller, workspace)


choosable("roles", "roles.manage", _roles_view)
choosable("audit", "audit.read", _audit_view)
choosable("unbind", "workspace.unbind", _unbind_view)


async def _roles_again(caller: Caller, args: str) -> Answer:
    """/roles asked in private, run again once its office is chosen (no message replied to
    in a private chat, so the arguments are all there is)."""
    return await roles_command(caller, args.split(), None)


office.command("roles", _roles_again)
office.command("audit", lambda caller, args: audit_command(caller))
office.command("unbind", lambda caller, args: unbind_ask(caller))
