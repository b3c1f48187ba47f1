"""Which question a typed text answers: the one router for what a person types.

Three conversations can be waiting for a person's next text: a /groups edit (in the chat
where it asked, :mod:`bot.access.group_edit`), a /decide draft (:mod:`bot.ledgers.decide`)
and the report dialog (:mod:`bot.dialog`). Which one the text belongs to is decided here,
once, inside the update's own unit of work and with one statement. Before, the access gate
opened a transaction of its own on every private text to look for a waiting edit, and the
dialog handler asked the ledgers separately: two routings, and an extra transaction on the
path every dialog step takes.

Precedence: a waiting /groups edit takes the text first (it was asked for in this very
chat, and expires after 30 minutes); between a /decide draft and the report dialog, the
question asked last wins (:func:`bot.ledgers.decide.claims_text`). A pasted weekly report
(:mod:`bot.paste.flow`) is taken where the report dialog would take the text, and before
the step's own answer: pasted at any step, it is read as the whole report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import dialog
from bot.access import group_edit
from bot.caller import Caller
from bot.ledgers import decide
from bot.paste import flow as paste_flow
from bot.replies import Answer, Reply, say
from storage.models import DialogState, LedgerDraft, PendingEdit


@dataclass(frozen=True)
class Waiting:
    """What is waiting for this person's text in this chat."""

    edit: bool
    draft_at: datetime | None  # when the /decide draft last asked, if there is one
    dialog_open: bool  # the report dialog has begun and is not idle (it may be paused)
    step: str | None = None  # the dialog's step (None: never begun)


# All three lookups in one statement (``SELECT (SELECT …), …``), built once: a dialog step
# pays one round trip to learn that nothing else waits, and someone with no report under
# way (a stranger, say) is answered without the dialog reading anything more.
_WAITING = select(
    select(PendingEdit.id)
    .where(PendingEdit.person_id == bindparam("person"), PendingEdit.chat_id == bindparam("chat"))
    .scalar_subquery(),
    select(LedgerDraft.updated_at)
    .where(LedgerDraft.person_id == bindparam("person"))
    .scalar_subquery(),
    select(DialogState.step).where(DialogState.person_id == bindparam("person")).scalar_subquery(),
)


async def waiting(session: AsyncSession, person_id: int, chat_id: int) -> Waiting:
    result = await session.execute(_WAITING, {"person": person_id, "chat": chat_id})
    edit_id, draft_at, step = result.one()
    return Waiting(edit_id is not None, draft_at, step not in (None, "idle"), step)


# Whom the person's next text (or /cancel) is for, in the order of the module docstring.
Target = Literal["edit", "group chat", "draft", "dialog", "nothing"]


async def target(caller: Caller) -> Target:
    return (await _route(caller))[0]


async def _route(caller: Caller) -> tuple[Target, str | None]:
    """The target, and the dialog's step (which tells whether a text may be a paste)."""
    found = await waiting(caller.session, caller.person.id, caller.chat_id)
    if found.edit:
        return "edit", found.step
    if not caller.private:  # the dialogs run in private; a group has only edits
        return "group chat", found.step
    if found.draft_at is not None and await decide.claims_text(
        caller.session, caller.person, found.draft_at
    ):
        return "draft", found.step
    return ("dialog" if found.dialog_open else "nothing"), found.step


async def on_text(caller: Caller, text: str, reply_to: int | None = None) -> Answer | None:
    """The answer to a typed ``text``; ``reply_to`` is the bot message it replies to.

    None in a group chat when nothing there waits for it (the handler points the person
    to the private chat, where the dialogs run).
    """
    session, person, locale, now = caller.session, caller.person, caller.locale, caller.now
    where, step = await _route(caller)
    if where in ("dialog", "nothing") and paste_flow.claims(step, text):
        pasted = await paste_flow.on_paste(session, person, locale, now, text)
        if pasted is not None:
            return pasted
    match where:
        case "edit":
            return await _group_edit(caller, text)
        case "group chat":
            return None
        case "draft":
            return await decide.on_text(session, person, locale, now, text)
        case "dialog":
            return await dialog.on_text(session, person, locale, now, text, reply_to)
        case "nothing":
            return dialog.stray(locale)


async def on_document(caller: Caller, text: str) -> Answer:
    """The text of a Word file a contact sent: a paste, wherever the dialog stands."""
    answer = await paste_flow.on_paste(
        caller.session, caller.person, caller.locale, caller.now, text, document=True
    )
    assert answer is not None  # a document is always taken as a paste
    return answer


async def cancel(caller: Caller) -> Answer:
    """/cancel: ends whatever the text would have answered."""
    session, person, locale = caller.session, caller.person, caller.locale
    match await target(caller):
        case "edit":
            return await _group_edit(caller, "/cancel")
        case "group chat":
            return Answer([Reply(say(locale, "dialog.cancel.nothing"))])
        case "draft":
            return await decide.cancel(session, person, locale)
        case "dialog" | "nothing":
            return await dialog.pause(session, person, locale, caller.now)


async def _group_edit(caller: Caller, text: str) -> Answer:
    edit = await group_edit.pending(caller)
    if edit is None:  # expired (and now deleted), or taken by another instance meanwhile
        return Answer([Reply(caller.say("access.groups.expired"))])
    return await group_edit.apply_text(caller, edit, text)
