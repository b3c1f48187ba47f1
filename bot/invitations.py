"""Invitations: how a new office's contacts find the bot, and the director sees who has.

After a roster is applied (or on ``/invite``), :func:`invitations` builds one message for
the office chat with a deep link per task group, and a checklist for whoever asked: which
contacts (primary and deputy) have opened the bot. A contact who opens their group's link
is matched to the roster by the link and asked to confirm the group.

"Has opened the bot" is :attr:`Person.started_bot`: the person has written in their private
chat with the bot (which is what lets the bot write to them, the reminders' precondition).
A confirmation or a "not me" is kept in the audit log (``invite.confirmed`` /
``invite.declined``), the office's record of who said what, so no new table is needed and
the director can see it in ``/audit`` too.

Buttons carry ``iv:<verb>:<id>``: ``r`` refreshes a checklist (workspace), ``o`` chooses
the office (workspace: the chooser of before :mod:`bot.access.office`, still honoured),
``y``/``n`` answer the confirmation (group). Rights are looked up again on every press.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import audit, deeplinks
from bot.access import office
from bot.access.membership import director_of, name_of
from bot.access.views import checked, choose_workspace, denied
from bot.caller import Caller
from bot.i18n import translate
from bot.replies import Answer, Button, Reply, say
from storage.models import AuditLog, Contact, DeepLink, Person, TaskGroup, Workspace

ACTION = "invite.send"
PURPOSE = "invite"
PREFIX = "iv:"
CALLBACK_PATTERN = r"^iv:"
CONFIRMED = "invite.confirmed"
DECLINED = "invite.declined"
# Telegram allows 100 buttons on a message; an office has a dozen or so groups.
MAX_BUTTONS = 100
_DATA = re.compile(r"iv:([rony]):([0-9]{1,10})")


@dataclass(frozen=True)
class ContactStatus:
    """One roster contact as the checklist shows them."""

    group_position: int
    group: str
    person_id: int
    name: str
    username: str | None
    kind: str  # primary | deputy
    state: str  # not_opened | opened | confirmed | declined


# --- what the office chat and the director receive -----------------------------------------


async def invitations(
    session: AsyncSession,
    workspace: Workspace,
    locale: str,
    now: datetime,
    bot_username: str,
    sender: Person | None = None,
) -> list[Reply]:
    """The office chat's invitation message, then the checklist for the current chat, and a
    copy of it for the director when someone else (staff) sent the invitations.

    The invitation goes to ``workspace.chat_id`` in the office's language; the checklist
    has no ``chat_id`` (the chat the update came from: the director's or staff's private
    chat after an import, or a ``/invite`` there) and is in ``locale``. The director follows
    up the contacts who have not opened the bot, so the director gets the list either way.
    """
    checklists = [await checklist_reply(session, workspace, locale, now)]
    checklists += await director_copy(session, workspace, now, sender)
    if not workspace.office_chat_active:  # the bot is not in the office chat (removed)
        return [Reply(say(locale, "invite.office_chat_gone")), *checklists]
    office = await office_invitation(session, workspace, now, bot_username)
    return [office, *checklists] if office is not None else checklists


async def director_copy(
    session: AsyncSession, workspace: Workspace, now: datetime, sender: Person | None
) -> list[Reply]:
    """The checklist for the director's private chat, when someone else sent the
    invitations and the director has opened the bot (else it could not be delivered)."""
    director = await director_of(session, workspace.id)
    if (
        director is None
        or sender is None
        or director.id == sender.id
        or not director.started_bot
        or director.telegram_user_id is None
    ):
        return []
    copy = await checklist_reply(session, workspace, director.locale or workspace.locale, now)
    return [replace(copy, chat_id=director.telegram_user_id)]


async def office_invitation(
    session: AsyncSession, workspace: Workspace, now: datetime, bot_username: str
) -> Reply | None:
    """One message listing every active group with its own invitation link (a button)."""
    groups = await _active_groups(session, workspace.id)
    if not groups:
        return None
    links = await _invite_links(session, workspace.id, groups, now)
    locale = workspace.locale
    lines = [say(locale, "invite.office.title"), say(locale, "invite.office.body"), ""]
    buttons: list[list[Button]] = []
    for number, group in enumerate(groups, start=1):
        names = "、".join(_handle(c.person) for c in group.contacts)
        contacts = names or translate(locale, "invite.office.no_contacts")
        lines.append(
            say(locale, "invite.office.line", number=number, group=group.name, contacts=contacts)
        )
        if len(buttons) < MAX_BUTTONS:
            url = deeplinks.url(bot_username, links[group.id])
            buttons.append([Button(f"{number}. {group.name}"[:60], url=url)])
    return Reply("\n".join(lines), buttons=buttons, chat_id=workspace.chat_id)


async def checklist_reply(
    session: AsyncSession,
    workspace: Workspace,
    locale: str,
    now: datetime,
    edit_message_id: int | None = None,
) -> Reply:
    statuses = await contact_statuses(session, workspace.id)
    as_of = now.astimezone(ZoneInfo(workspace.timezone)).strftime("%m-%d %H:%M")
    text = render_checklist(locale, workspace.title or str(workspace.chat_id), statuses, as_of)
    refresh = Button(translate(locale, "invite.refresh"), data=f"{PREFIX}r:{workspace.id}")
    return Reply(text, buttons=[[refresh]], edit_message_id=edit_message_id)


def render_checklist(locale: str, title: str, statuses: list[ContactStatus], as_of: str) -> str:
    """The checklist's text: a count, then each group with its contacts and their state.

    A person who is a contact of several groups counts once in the totals.
    """
    lines = [say(locale, "invite.checklist.title", title=title)]
    if not statuses:
        lines.append(say(locale, "invite.checklist.empty"))
        return "\n".join(lines)
    people = {s.person_id: s for s in statuses}
    opened = {s.person_id for s in statuses if s.state != "not_opened"}
    confirmed = {s.person_id for s in statuses if s.state == "confirmed"}
    lines.append(
        say(
            locale,
            "invite.checklist.summary",
            opened=len(opened),
            total=len(people),
            confirmed=len(confirmed),
        )
    )
    current: int | None = None
    number = 0
    for status in statuses:
        if status.group_position != current:
            current, number = status.group_position, number + 1
            lines.append(say(locale, "invite.checklist.group", number=number, group=status.group))
        lines.append(
            say(
                locale,
                "invite.checklist.line",
                mark=_MARKS[status.state],
                who=_who(status),
                kind=translate(locale, f"invite.kind.{status.kind}"),
                state=translate(locale, f"invite.state.{status.state}"),
            )
        )
    lines.append(say(locale, "invite.checklist.as_of", time=as_of))
    return "\n".join(lines)


def _who(status: ContactStatus) -> str:
    """ "张伟 @zhang_wei"; just "@li_na" while the roster's username is all that is known."""
    handle = f"@{status.username}" if status.username else ""
    if not status.name or status.name in (status.username, handle):
        return handle or status.name
    return f"{status.name} {handle}".strip()


_MARKS = {"not_opened": "⬜", "opened": "🔵", "confirmed": "✅", "declined": "❗"}


async def contact_statuses(session: AsyncSession, workspace_id: int) -> list[ContactStatus]:
    """Every contact of the office's active groups, primary before deputy, with their state."""
    rows = await session.execute(
        select(TaskGroup.id, TaskGroup.position, TaskGroup.name, Contact.kind, Person)
        .join(Contact, Contact.group_id == TaskGroup.id)
        .join(Person, Person.id == Contact.person_id)
        .where(TaskGroup.workspace_id == workspace_id, TaskGroup.active.is_(True))
        .order_by(TaskGroup.position, TaskGroup.id, Contact.kind.desc(), Person.id)
    )
    answers = await _answers(session, workspace_id)
    statuses = []
    for group_id, position, group_name, kind, person in rows.all():
        answer = answers.get((person.id, group_id))
        state = answer or ("opened" if person.started_bot else "not_opened")
        statuses.append(
            ContactStatus(
                position, group_name, person.id, name_of(person), person.username, kind, state
            )
        )
    return statuses


async def _answers(session: AsyncSession, workspace_id: int) -> dict[tuple[int, int], str]:
    """(person, group) → the person's latest answer to an invitation: confirmed or declined."""
    rows = await session.execute(
        select(AuditLog.person_id, AuditLog.action, AuditLog.details)
        .where(AuditLog.workspace_id == workspace_id, AuditLog.action.in_((CONFIRMED, DECLINED)))
        .order_by(AuditLog.id)
    )
    latest: dict[tuple[int, int], str] = {}
    for person_id, action, details in rows.all():
        group_id = (details or {}).get("group_id")
        if person_id is not None and isinstance(group_id, int):
            latest[(person_id, group_id)] = "confirmed" if action == CONFIRMED else "declined"
    return latest


async def _active_groups(session: AsyncSession, workspace_id: int) -> list[TaskGroup]:
    rows = await session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace_id, TaskGroup.active.is_(True))
        .options(selectinload(TaskGroup.contacts).selectinload(Contact.person))
        .order_by(TaskGroup.position, TaskGroup.id)
    )
    return list(rows)


async def _invite_links(
    session: AsyncSession, workspace_id: int, groups: list[TaskGroup], now: datetime
) -> dict[int, str]:
    """Each group's invitation token: the oldest one already minted, else a new one.

    Reusing it keeps every invitation ever posted working, and re-sending mints nothing.
    """
    rows = await session.execute(
        select(DeepLink.group_id, DeepLink.token)
        .where(DeepLink.workspace_id == workspace_id, DeepLink.purpose == PURPOSE)
        .order_by(DeepLink.created_at, DeepLink.token)
    )
    links: dict[int, str] = {}
    for group_id, token in rows.all():
        if group_id is not None:
            links.setdefault(group_id, token)
    for group in groups:
        if group.id not in links:
            links[group.id] = await deeplinks.create(
                session, workspace_id, now, group_id=group.id, purpose=PURPOSE
            )
    return links


def _handle(person: Person) -> str:
    return f"@{person.username}" if person.username else name_of(person)


# --- /invite ---------------------------------------------------------------------------------


async def invite_command(caller: Caller, bot_username: str) -> Answer:
    """Post the invitations to the office chat; the checklist goes to the caller privately.

    In private the office is :func:`bot.access.office.office_for`'s (asked, if several).
    """
    workspace, refusal = await choose_workspace(caller, ACTION, "invite")
    if workspace is None:
        assert refusal is not None
        return refusal
    return await _send(caller, workspace, bot_username)


async def _send(caller: Caller, workspace: Workspace, bot_username: str) -> Answer:
    if not workspace.office_chat_active:  # nowhere to post: say so (the sender would fail)
        return Answer([Reply(caller.say("invite.office_chat_gone"))])
    office = await office_invitation(caller.session, workspace, caller.now, bot_username)
    if office is None:
        return Answer([Reply(caller.say("invite.no_groups"))])
    checklist = await checklist_reply(caller.session, workspace, caller.locale, caller.now)
    person = caller.person
    copy = await director_copy(caller.session, workspace, caller.now, person)
    if caller.private:
        done = Reply(caller.say("invite.sent", title=workspace.title or workspace.chat_id))
        return Answer([office, done, checklist, *copy])
    if not person.started_bot or person.telegram_user_id is None:
        hint = Reply(caller.say("invite.open_private_first", bot=bot_username))
        return Answer([office, hint, *copy])
    # No acknowledgement in the office chat: the invitation itself shows it was sent.
    private = Reply(checklist.text, buttons=checklist.buttons, chat_id=person.telegram_user_id)
    return Answer([office, private, *copy])


# --- a contact opens the link ----------------------------------------------------------------


async def open_invitation(caller: Caller, link: DeepLink) -> Answer:
    """``/start <token>`` of an invitation: ask the roster's contact to confirm the group."""
    group = await _served_group(caller.session, link.group_id)
    if group is None:
        return Answer([Reply(caller.say("invite.gone"))])
    kind = await _contact_kind(caller.session, group.id, caller.person)
    if kind is None:
        return await _not_contact(caller, group)
    kind_label = caller.label(f"invite.kind.{kind}")
    answers = await _answers(caller.session, group.workspace_id)
    if answers.get((caller.person.id, group.id)) == "confirmed":
        return Answer([Reply(caller.say("invite.confirmed", group=group.name, kind=kind_label))])
    buttons = [
        [
            Button(caller.label("invite.yes"), data=f"{PREFIX}y:{group.id}"),
            Button(caller.label("invite.no"), data=f"{PREFIX}n:{group.id}"),
        ]
    ]
    text = caller.say("invite.ask", name=name_of(caller.person), group=group.name, kind=kind_label)
    return Answer([Reply(text, buttons=buttons)])


async def _served_group(session: AsyncSession, group_id: int | None) -> TaskGroup | None:
    if group_id is None:
        return None
    group = await session.get(TaskGroup, group_id)
    if group is None or not group.active:
        return None
    workspace = await session.get(Workspace, group.workspace_id)
    return group if workspace is not None and workspace.active else None


async def _contact_kind(session: AsyncSession, group_id: int, person: Person) -> str | None:
    return await session.scalar(
        select(Contact.kind).where(Contact.group_id == group_id, Contact.person_id == person.id)
    )


async def _not_contact(caller: Caller, group: TaskGroup) -> Answer:
    whom = await _whom_to_ask(caller, group.workspace_id)
    return Answer([Reply(caller.say("invite.not_contact", group=group.name, director=whom))])


async def _whom_to_ask(caller: Caller, workspace_id: int) -> str:
    """The director by name (the one who can correct the roster), else "the office"."""
    director = await director_of(caller.session, workspace_id)
    return name_of(director) if director is not None else caller.label("invite.the_office")


# --- the buttons ---------------------------------------------------------------------------


async def press(caller: Caller, data: str, message_id: int | None, bot_username: str) -> Answer:
    """Any ``iv:`` button. Garbage or a group gone is stale; a wrong presser is refused."""
    found = _DATA.fullmatch(data)
    if found is None or int(found[2]) > 2**31 - 1:
        return Answer(toast=caller.label("access.stale"))
    verb, target = found[1], int(found[2])
    if verb in "ro":
        workspace = await checked(caller, target, ACTION)
        if workspace is None:
            return await denied(caller, ACTION, target, button=verb, quiet=True)
        if not caller.private:  # a checklist and a chooser live in a private chat only
            return Answer(toast=caller.label("access.stale"))
        if verb == "o":
            return await _send(caller, workspace, bot_username)
        reply = await checklist_reply(
            caller.session, workspace, caller.locale, caller.now, edit_message_id=message_id
        )
        return Answer([reply], caller.label("invite.refreshed"))
    return await _answer(caller, target, confirmed=verb == "y", message_id=message_id)


async def _answer(
    caller: Caller, group_id: int, *, confirmed: bool, message_id: int | None
) -> Answer:
    """是的 / 不是: recorded once (a second press, or one after a restart, changes nothing)."""
    group = await _served_group(caller.session, group_id)
    if group is None:
        return Answer(toast=caller.label("access.stale"))
    kind = await _contact_kind(caller.session, group.id, caller.person)
    if kind is None:  # not theirs (a forged press, or removed from the roster meanwhile)
        answer = await _not_contact(caller, group)
        answer.toast = caller.label("access.denied_short")
        return answer
    action = CONFIRMED if confirmed else DECLINED
    previous = (await _answers(caller.session, group.workspace_id)).get(
        (caller.person.id, group.id)
    )
    if previous != ("confirmed" if confirmed else "declined"):
        audit.record(
            caller.session,
            action=action,
            now=caller.now,
            workspace_id=group.workspace_id,
            person_id=caller.person.id,
            group_id=group.id,
            group=group.name,
        )
        await caller.session.flush()
    if confirmed:
        kind_label = caller.label(f"invite.kind.{kind}")
        text = caller.say("invite.confirmed", group=group.name, kind=kind_label)
    else:
        whom = await _whom_to_ask(caller, group.workspace_id)
        text = caller.say("invite.declined", group=group.name, director=whom)
    return Answer([Reply(text, edit_message_id=message_id)], caller.label("invite.thanks"))


async def _invite_again(caller: Caller, args: str) -> Answer:
    """/invite asked in private, run once its office is chosen."""
    return await invite_command(caller, caller.bot_username)


office.command("invite", _invite_again)
