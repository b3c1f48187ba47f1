"""Which office a private command acts on, for a person who works in several.

In an office chat the chat names the office. In a private chat there is nothing to name
it, so :func:`office_for` decides, in one place for every command: the one office where
the person may do the action; else the office the person chose last (remembered on
:attr:`~storage.models.Person.office_id`), if they still may act there; else a question
with one button per office. The question is an :class:`~storage.models.OfficeQuestion`
row holding the command and its arguments, so the press, even after a restart, runs the
command asked for: it remembers the office and calls the command again, which now finds
the office remembered. ``/office`` shows the remembered office and asks again.

Buttons carry ``of:<question>:<workspace>``: the question says what to run and for whom,
the workspace which office; the right is looked up again on the press.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import delete, update

from bot import access
from bot.caller import Caller
from bot.replies import Answer, Button, Reply
from storage.models import OfficeQuestion, Workspace

PREFIX = "of:"
CALLBACK_PATTERN = r"^of:"
CHOOSE = "office.choose"
_DATA = re.compile(r"of:([0-9]{1,10}):([0-9]{1,10})")
MAX_ID = 2**31 - 1
KEPT = timedelta(days=30)  # how long an unanswered question's buttons keep working

# A command the question can run again once the office is chosen: (caller, args) -> Answer.
Run = Callable[[Caller, str], Awaitable[Answer]]
_COMMANDS: dict[str, Run] = {}


def command(name: str, run: Run) -> None:
    """Let ``/name`` be asked about: a press on its question calls ``run`` again."""
    _COMMANDS[name] = run


def title_of(workspace: Workspace) -> str:
    return workspace.title or str(workspace.chat_id)


async def office_for(
    caller: Caller,
    action: str,
    name: str,
    args: str = "",
    *,
    refusal: str = "access.denied",
    options: list[Workspace] | None = None,
) -> Workspace | Answer:
    """The office the private command ``/name args`` acts on, or the answer to give instead:
    the question which office (pending in the database), or ``refusal`` if none allows it.
    ``options``: the offices where the caller may ``action``, when the caller has them.
    """
    if options is None:
        options = await access.workspaces_where(caller.session, caller.person, action)
    if not options:
        return Answer([Reply(caller.say(refusal))], caller.label(refusal))
    if len(options) == 1:
        return options[0]
    for workspace in options:
        if workspace.id == caller.person.office_id:
            return workspace
    return await ask(caller, action, name, args, options, caller.say("access.office.ask"))


async def ask(
    caller: Caller, action: str, name: str, args: str, options: list[Workspace], text: str
) -> Answer:
    """Write the pending command down and show one button per office.

    The person's questions older than :data:`KEPT` go first: a button that old is stale,
    and the table stays the size of what is still being asked.
    """
    await caller.session.execute(
        delete(OfficeQuestion).where(
            OfficeQuestion.person_id == caller.person.id,
            OfficeQuestion.created_at < caller.now - KEPT,
        )
    )
    question = OfficeQuestion(
        person_id=caller.person.id, command=name, action=action, args=args, created_at=caller.now
    )
    caller.session.add(question)
    await caller.session.flush()
    rows = [[Button(title_of(w)[:60], data=f"{PREFIX}{question.id}:{w.id}")] for w in options]
    return Answer([Reply(text, buttons=rows)])


async def office_command(caller: Caller, args: str = "") -> Answer:
    """``/office``: which office private commands act on now, and buttons to change it."""
    if not caller.private:
        return Answer([Reply(caller.say("access.office.in_private"))])
    options = await access.workspaces_where(caller.session, caller.person, CHOOSE)
    if not options:
        return Answer([Reply(caller.say("access.denied"))])
    if len(options) == 1:
        return Answer([Reply(caller.say("access.office.only", title=title_of(options[0])))])
    current = next((w for w in options if w.id == caller.person.office_id), None)
    text = (
        caller.say("access.office.current", title=title_of(current))
        if current is not None
        else caller.say("access.office.none")
    )
    return await ask(caller, CHOOSE, "office", "", options, text)


async def press(caller: Caller, data: str, message_id: int | None) -> Answer:
    """An office button: remember the office, then run the pending command there, once."""
    found = _DATA.fullmatch(data)
    if found is None or max(int(found[1]), int(found[2])) > MAX_ID:
        return Answer(toast=caller.label("access.stale"))
    question = await caller.session.get(OfficeQuestion, int(found[1]))
    if question is None or question.command not in _COMMANDS:
        return Answer(toast=caller.label("access.stale"))
    if question.person_id != caller.person.id:  # someone else's question
        return Answer(toast=caller.label("access.office.not_yours"))
    options = await access.workspaces_where(caller.session, caller.person, question.action)
    workspace = next((w for w in options if w.id == int(found[2])), None)
    if workspace is None:
        return Answer(toast=caller.label("access.denied_short"))
    if not await _claim(caller, question):
        return Answer(toast=caller.label("access.office.answered"))
    caller.person.office_id = workspace.id
    chosen = Reply(
        caller.say("access.office.chosen", title=title_of(workspace)), edit_message_id=message_id
    )
    result = await _COMMANDS[question.command](caller, question.args)
    toast = result.toast or caller.label("access.office.chosen_short", title=title_of(workspace))
    return Answer([chosen, *result.replies], toast)


async def _claim(caller: Caller, question: OfficeQuestion) -> bool:
    """Mark the question answered, if no press did before (a conditional update, so two
    instances pressing at once run the command once)."""
    claimed = await caller.session.execute(
        update(OfficeQuestion)
        .where(OfficeQuestion.id == question.id, OfficeQuestion.answered_at.is_(None))
        .values(answered_at=caller.now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


async def _chosen(caller: Caller, args: str) -> Answer:
    """/office's own question: choosing the office is all there is to do."""
    return Answer()


command("office", _chosen)
