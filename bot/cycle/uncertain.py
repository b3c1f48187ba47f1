"""Scheduled messages that may not have arrived: told to the managers, sent again on their word.

A message whose send was under way when the process died is ``uncertain`` and lihui does
not send it again by itself (:mod:`bot.cycle.delivery_log`): it may well have arrived, and
a contact should not get every prompt twice after a crash. Whoever runs the office can find
out (they ask the contact) and decide: ``/report`` ends with :func:`notice` (how many, to
whom, 重新发送 / 不必重发) for those with the right (:data:`ACTION`), and the buttons come to
:func:`press`.

Buttons carry ``ud:<verb>:<workspace id>:<newest delivery id shown>``, ``r`` to send again
and ``d`` to dismiss; the right is looked up again on every press, and the delivery log's
conditional update makes each delivery settled once, whoever presses and however often.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import access, audit
from bot.access.membership import name_of
from bot.access.views import MAX_ID, checked, denied
from bot.caller import Caller
from bot.cycle import delivery_log
from bot.i18n import translate
from bot.replies import Answer, Button, Reply
from storage.models import Delivery, Person, Workspace

ACTION = "delivery.resend"
PREFIX = "ud:"
CALLBACK_PATTERN = r"^ud:"
NAMES_SHOWN = 3  # then 等: the notice stays one short line however many were cut off
_DATA = re.compile(r"ud:([rd]):([0-9]{1,10}):([0-9]{1,10})")


@dataclass(frozen=True)
class UncertainSends:
    """What the notice says: how many messages, to whom (each recipient once), and the
    newest delivery shown (what a press may settle)."""

    count: int
    recipients: list[str]
    up_to: int


async def recipients(
    session: AsyncSession, workspace: Workspace, rows: list[Delivery], locale: str
) -> list[str]:
    """Who the deliveries were for, in order, each once: a person's name, or the office chat."""
    chat_ids = {row.chat_id for row in rows if row.chat_id != workspace.chat_id}
    people = await session.scalars(select(Person).where(Person.telegram_user_id.in_(chat_ids)))
    names = {person.telegram_user_id: name_of(person) for person in people}
    office = translate(locale, "reports.uncertain.office_chat")
    found = [
        office if row.chat_id == workspace.chat_id else names.get(row.chat_id, str(row.chat_id))
        for row in rows
    ]
    return list(dict.fromkeys(found))


async def uncertain_sends(caller: Caller, workspace: Workspace) -> UncertainSends | None:
    """The office's messages that may not have arrived, or None when there are none."""
    rows = await delivery_log.uncertain_of(caller.session, workspace.id, caller.now)
    if not rows:
        return None
    names = await recipients(caller.session, workspace, rows, caller.locale)
    return UncertainSends(len(rows), names, rows[-1].id)


def names_text(locale: str, names: list[str]) -> str:
    """``张伟、李娜、王芳等``: the first few, and 等 when there are more."""
    shown = translate(locale, "list.separator").join(names[:NAMES_SHOWN])
    if len(names) <= NAMES_SHOWN:
        return shown
    return translate(locale, "reports.uncertain.more", names=shown)


def callback(verb: str, workspace_id: int, up_to: int) -> str:
    return f"{PREFIX}{verb}:{workspace_id}:{up_to}"


async def notice(caller: Caller, workspace: Workspace) -> list[Reply]:
    """The line ``/report`` ends with when scheduled messages may not have arrived."""
    if not await access.may(caller.session, workspace.id, caller.person, ACTION):
        return []
    found = await uncertain_sends(caller, workspace)
    if found is None:
        return []
    text = caller.say(
        "reports.uncertain.notice",
        count=found.count,
        names=names_text(caller.locale, found.recipients),
    )
    row = [
        Button(caller.label(f"reports.uncertain.{name}"), callback(verb, workspace.id, found.up_to))
        for verb, name in (("r", "resend"), ("d", "dismiss"))
    ]
    return [Reply(text, buttons=[row])]


async def press(caller: Caller, data: str, message_id: int | None) -> Answer:
    """重新发送 or 不必重发: settle what the notice listed, once; a later press says so."""
    found = _DATA.fullmatch(data)
    if found is None or max(int(found[2]), int(found[3])) > MAX_ID:
        return Answer(toast=caller.label("access.stale"))
    resend, workspace_id, up_to = found[1] == "r", int(found[2]), int(found[3])
    workspace = await checked(caller, workspace_id, ACTION)
    if workspace is None:
        return await denied(caller, ACTION, workspace_id, quiet=True, button=data)
    rows = await delivery_log.settle_uncertain(
        caller.session, workspace.id, up_to, resend=resend, now=caller.now
    )
    if not rows:
        return _edited(caller, message_id, "reports.uncertain.already")
    audit.record(
        caller.session,
        action="delivery.resend" if resend else "delivery.dismiss",
        now=caller.now,
        workspace_id=workspace.id,
        person_id=caller.person.id,
        deliveries=[row.id for row in rows],
        keys=[row.dedupe_key for row in rows],
    )
    names = await recipients(caller.session, workspace, rows, caller.locale)
    key = "reports.uncertain.resent" if resend else "reports.uncertain.dismissed"
    return _edited(caller, message_id, key, count=len(rows), names=names_text(caller.locale, names))


def _edited(caller: Caller, message_id: int | None, key: str, **params: object) -> Answer:
    """The notice replaced by what became of it (its buttons gone), and the same as a toast
    (plain text: a toast shows no HTML)."""
    reply = Reply(caller.say(key, **params), edit_message_id=message_id)
    return Answer([reply], toast=caller.label(key, **params))
