"""The ledgers' two short dialogs: /decide (记录议定事项) and the note when closing one (销号).

Declared as a table like the report dialog (:mod:`bot.dialog_steps`): each step says how
to ask, what typed text does and what a button does, and names the step to go to. The
position is a :class:`~storage.models.LedgerDraft` row, written in the update's own
transaction: a restart continues at the same question. Buttons carry the draft's version
(``d:<version>:<action>``), so a second tap, or a button of an older prompt, is stale.

/decide: office (only if the person manages several) → text → owner group (buttons) →
due date (typed, :func:`bot.ledgers.dates.parse_due_date`) → confirm. Closing: note → done.
The right (``decision.manage``) is looked up again before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import ledgers
from bot.access import may, workspaces_where
from bot.dialog import Pressed, close
from bot.i18n import translate
from bot.ledgers.dates import parse_due_date
from bot.ledgers.pressed import item_for
from bot.parsing import InputError, clean_text
from bot.replies import Answer, Button, Reply, say
from storage.models import Decision, DialogState, LedgerDraft, Person, TaskGroup, Workspace
from storage.upsert import insert_or_ignore

TEXT_LIMIT = 500
NOTE_LIMIT = 500
DONE = "=done"  # a step's verdict: the dialog is over, the draft goes


@dataclass
class Ctx:
    session: AsyncSession
    person: Person
    draft: LedgerDraft
    locale: str
    now: datetime
    replies: list[Reply] = field(default_factory=list)

    def say(self, key: str, /, **params: object) -> str:
        return say(self.locale, key, **params)

    def button(self, key: str, action: str, **params: object) -> Button:
        label = translate(self.locale, key, **params)
        return Button(label, data=f"d:{self.draft.version}:{action}")

    @property
    def data(self) -> dict:  # type: ignore[type-arg]
        return self.draft.data

    async def workspace(self) -> Workspace | None:
        if self.draft.workspace_id is None:
            return None
        return await self.session.get(Workspace, self.draft.workspace_id)

    async def may_manage(self) -> bool:
        workspace_id = self.draft.workspace_id
        if workspace_id is None:
            return False
        return await may(self.session, workspace_id, self.person, "decision.manage")


Prompt = Callable[[Ctx], Awaitable[Reply]]
# A step's handler of a typed text or a pressed button: it names the next step (None: stay).
Take = Callable[[Ctx, str], Awaitable[str | None]]


@dataclass(frozen=True)
class Step:
    prompt: Prompt
    on_text: Take | None = None
    on_button: Take | None = None


# --- /decide -------------------------------------------------------------------------------


async def prompt_office(ctx: Ctx) -> Reply:
    offices = await workspaces_where(ctx.session, ctx.person, "decision.manage")
    rows = [
        [Button(w.title or str(w.chat_id), data=f"d:{ctx.draft.version}:w:{w.id}")] for w in offices
    ]
    return Reply(ctx.say("ledgers.choose_office"), buttons=[*rows, cancel_row(ctx)])


async def button_office(ctx: Ctx, action: str) -> str | None:
    chosen = _number(action, "w:")
    offices = await workspaces_where(ctx.session, ctx.person, "decision.manage")
    if chosen is None or chosen not in {w.id for w in offices}:
        return None
    ctx.draft.workspace_id = chosen
    return "text"


def cancel_row(ctx: Ctx) -> list[Button]:
    return [ctx.button("ledgers.button.cancel", "x")]


async def prompt_text(ctx: Ctx) -> Reply:
    text = (
        ctx.say("ledgers.decide.title")
        + "\n"
        + ctx.say("ledgers.decide.ask_text", limit=TEXT_LIMIT)
    )
    return Reply(text, buttons=[cancel_row(ctx)])


async def text_text(ctx: Ctx, text: str) -> str | None:
    ctx.data["text"] = clean_text(text, limit=TEXT_LIMIT)
    return "group"


async def prompt_group(ctx: Ctx) -> Reply:
    groups = await active_groups(ctx)
    buttons = [Button(g.name, data=f"d:{ctx.draft.version}:g:{g.id}") for g in groups]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = ctx.say("ledgers.decide.ask_group", text=ctx.data.get("text", ""))
    back = ctx.button("ledgers.button.back", "back:text")
    return Reply(text, buttons=[*rows, [back, *cancel_row(ctx)]])


async def active_groups(ctx: Ctx) -> list[TaskGroup]:
    rows = await ctx.session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == ctx.draft.workspace_id, TaskGroup.active.is_(True))
        .order_by(TaskGroup.position)
    )
    return list(rows)


async def button_group(ctx: Ctx, action: str) -> str | None:
    chosen = _number(action, "g:")
    groups = {g.id: g for g in await active_groups(ctx)}
    if chosen is None or chosen not in groups:
        return None
    ctx.data["group_id"], ctx.data["group_name"] = chosen, groups[chosen].name
    return "due"


async def prompt_due(ctx: Ctx) -> Reply:
    text = ctx.say("ledgers.decide.ask_due", group=ctx.data.get("group_name", ""))
    rows = [
        [ctx.button("ledgers.button.no_due", "nodue")],
        [ctx.button("ledgers.button.back", "back:group"), *cancel_row(ctx)],
    ]
    return Reply(text, buttons=rows)


async def text_due(ctx: Ctx, text: str) -> str | None:
    workspace = await ctx.workspace()
    assert workspace is not None
    ctx.data["due"] = parse_due_date(text, ledgers.local_today(workspace, ctx.now)).isoformat()
    return "confirm"


async def button_due(ctx: Ctx, action: str) -> str | None:
    if action != "nodue":
        return None
    ctx.data["due"] = None
    return "confirm"


async def prompt_confirm(ctx: Ctx) -> Reply:
    due = ctx.data.get("due")
    text = ctx.say(
        "ledgers.decide.confirm",
        text=ctx.data.get("text", ""),
        group=ctx.data.get("group_name", ""),
        due=due or translate(ctx.locale, "ledgers.no_due"),
    )
    rows = [
        [ctx.button("ledgers.button.record", "ok")],
        [ctx.button("ledgers.button.restart", "back:text"), *cancel_row(ctx)],
    ]
    return Reply(text, buttons=rows)


async def button_confirm(ctx: Ctx, action: str) -> str | None:
    if action != "ok":
        return None
    workspace = await ctx.workspace()
    group = await ctx.session.get(TaskGroup, int(ctx.data.get("group_id") or 0))
    if workspace is None or group is None or group.workspace_id != workspace.id:
        return None
    if not await ctx.may_manage():
        ctx.replies.append(Reply(ctx.say("access.denied")))
        return DONE
    due = date.fromisoformat(ctx.data["due"]) if ctx.data.get("due") else None
    await ledgers.record_decision(
        ctx.session, workspace, group, ctx.data["text"], due, ctx.person.id, ctx.now
    )
    ctx.replies.append(Reply(ctx.say("ledgers.decide.recorded", group=group.name)))
    return DONE


# --- closing a decision with a note ------------------------------------------------------------


async def prompt_note(ctx: Ctx) -> Reply:
    decision = await ctx.session.get(Decision, int(ctx.data.get("decision_id") or 0))
    text = ctx.say(
        "ledgers.close.ask_note", text=decision.text if decision else "", limit=NOTE_LIMIT
    )
    rows = [[ctx.button("ledgers.button.no_note", "nonote"), *cancel_row(ctx)]]
    return Reply(text, buttons=rows)


async def text_note(ctx: Ctx, text: str) -> str | None:
    return await finish_close(ctx, clean_text(text, limit=NOTE_LIMIT))


async def button_note(ctx: Ctx, action: str) -> str | None:
    return await finish_close(ctx, "") if action == "nonote" else None


async def finish_close(ctx: Ctx, note: str) -> str | None:
    decision = await ctx.session.get(Decision, int(ctx.data.get("decision_id") or 0))
    workspace = await ctx.workspace()
    if decision is None or workspace is None or decision.workspace_id != workspace.id:
        return DONE
    if not await ctx.may_manage():
        ctx.replies.append(Reply(ctx.say("access.denied")))
        return DONE
    closed = await ledgers.close_decision(
        ctx.session, workspace, decision, ctx.person.id, note, ctx.now
    )
    key = "ledgers.close.done" if closed else "ledgers.close.already"
    ctx.replies.append(Reply(ctx.say(key, text=decision.text)))
    return DONE


STEPS: dict[str, Step] = {
    "office": Step(prompt_office, None, button_office),
    "text": Step(prompt_text, text_text, None),
    "group": Step(prompt_group, None, button_group),
    "due": Step(prompt_due, text_due, button_due),
    "confirm": Step(prompt_confirm, None, button_confirm),
    "note": Step(prompt_note, text_note, button_note),
}
# Where a back button may lead (``back:<step>``), per step.
BACK = {"group": {"text"}, "due": {"group"}, "confirm": {"text"}}


# --- the engine -----------------------------------------------------------------------------


async def ask(ctx: Ctx, preface: str = "") -> None:
    ctx.draft.version += 1
    ctx.draft.updated_at = ctx.now
    prompt = await STEPS[ctx.draft.step].prompt(ctx)
    if preface:
        prompt = replace(prompt, text=f"{preface}\n\n{prompt.text}")
    ctx.replies.append(prompt)


async def go(ctx: Ctx, target: str | None) -> None:
    if target == DONE:
        await ctx.session.delete(ctx.draft)
    elif target is not None:
        ctx.draft.step = target
        await ask(ctx)


async def load_draft(session: AsyncSession, person: Person) -> LedgerDraft | None:
    return await session.scalar(
        select(LedgerDraft)
        .where(LedgerDraft.person_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def fresh_draft(
    session: AsyncSession, person: Person, kind: str, step: str, now: datetime
) -> LedgerDraft:
    """The person's draft, started over (a new /decide replaces an unfinished one)."""
    await insert_or_ignore(
        session, LedgerDraft, person_id=person.id, kind=kind, step=step, version=0, data={},
        updated_at=now,
    )  # fmt: skip
    draft = await load_draft(session, person)
    assert draft is not None
    draft.kind, draft.step, draft.workspace_id, draft.data = kind, step, None, {}
    return draft


async def begin(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    workspace_id: int | None = None,
) -> Answer:
    """/decide in the private chat (or by the office chat's link, naming its workspace)."""
    offices = [w.id for w in await workspaces_where(session, person, "decision.manage")]
    if not offices or (workspace_id is not None and workspace_id not in offices):
        return Answer([Reply(say(locale, "access.denied"))])
    draft = await fresh_draft(session, person, "decide", "text", now)
    if workspace_id is None and len(offices) > 1:
        draft.step = "office"
    else:
        draft.workspace_id = workspace_id or offices[0]
    ctx = Ctx(session, person, draft, locale, now)
    await ask(ctx)
    return Answer(ctx.replies)


async def begin_close(
    session: AsyncSession, person: Person, locale: str, now: datetime, decision_id: int
) -> Answer:
    """The 销号 button of /decisions: ask for the note (the button names only the decision)."""
    decision = await item_for(session, Decision, decision_id, person, "decision.manage", locale)
    if isinstance(decision, Answer):
        return decision
    if decision.status == "done":
        return Answer([], translate(locale, "ledgers.close.already_toast"))
    current = await load_draft(session, person)
    if (
        current is not None
        and current.kind == "close"
        and current.data.get("decision_id") == decision.id
    ):
        return Answer([], translate(locale, "ledgers.close.waiting"))  # a second tap
    draft = await fresh_draft(session, person, "close", "note", now)
    draft.workspace_id = decision.workspace_id
    draft.data = {"decision_id": decision.id}
    ctx = Ctx(session, person, draft, locale, now)
    await ask(ctx)
    return Answer(ctx.replies)


async def claims_text(session: AsyncSession, person: Person, draft_at: datetime) -> bool:
    """Whether typed text answers the ledger dialog (whose draft last asked at
    ``draft_at``) rather than the report dialog. The router, :mod:`bot.typed_text`, asks.

    The question asked last wins: a /decide started during a report takes the next text;
    /submit afterwards asks again and takes it back.
    """
    state = await session.scalar(select(DialogState).where(DialogState.person_id == person.id))
    if state is None or state.step == "idle" or state.data.get("paused"):
        return True
    return draft_at >= state.updated_at


async def on_text(
    session: AsyncSession, person: Person, locale: str, now: datetime, text: str
) -> Answer:
    draft = await load_draft(session, person)
    if draft is None:
        return Answer([Reply(say(locale, "hint.stray_message"))])
    ctx = Ctx(session, person, draft, locale, now)
    step = STEPS[draft.step]
    if step.on_text is None:
        await ask(ctx, ctx.say("ledgers.use_buttons"))
        return Answer(ctx.replies)
    try:
        target = await step.on_text(ctx, text)
    except InputError as error:
        await ask(ctx, ctx.say(error.key, **error.params))
        return Answer(ctx.replies)
    await go(ctx, target)
    return Answer(ctx.replies)


_CALLBACK = re.compile(r"d:([0-9]{1,9}):(.{1,40})", re.ASCII | re.DOTALL)


async def on_button(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    data: str,
    pressed: Pressed | None,
) -> Answer:
    match = _CALLBACK.fullmatch(data)
    draft = await load_draft(session, person)
    if match is None or draft is None or int(match[1]) != draft.version:
        return Answer([], translate(locale, "ledgers.stale"))
    ctx = Ctx(session, person, draft, locale, now)
    action = match[2]
    if action == "x":
        await session.delete(draft)
        return Answer([*close(pressed, locale), Reply(ctx.say("ledgers.cancelled"))])
    if action.startswith("back:"):
        target = action.removeprefix("back:")
        if target not in BACK.get(draft.step, set()):
            return Answer([], translate(locale, "ledgers.stale"))
    else:
        handler = STEPS[draft.step].on_button
        target = await handler(ctx, action) if handler else None
    if target is None:
        return Answer([], translate(locale, "ledgers.stale"))
    ctx.replies[:0] = close(pressed, locale)
    await go(ctx, target)
    return Answer(ctx.replies)


async def cancel(session: AsyncSession, person: Person, locale: str) -> Answer:
    """/cancel while a ledger dialog has the last word: it ends, nothing is recorded."""
    draft = await load_draft(session, person)
    if draft is not None:
        await session.delete(draft)
    return Answer([Reply(say(locale, "ledgers.cancelled"))])


def _number(action: str, prefix: str) -> int | None:
    rest = action.removeprefix(prefix)
    if not action.startswith(prefix) or not re.fullmatch(r"[0-9]{1,9}", rest, re.ASCII):
        return None
    return int(rest)
