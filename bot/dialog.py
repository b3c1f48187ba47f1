"""The report dialog (填报), as one table of steps interpreted by one small engine.

Read ``docs/dialog.md`` for the drawn diagram. Each step in :data:`STEPS` says how to ask
(``prompt``), what a typed answer does (``on_text``), and what a button does
(``on_button``). The engine loads the person's :class:`~storage.models.DialogState`, lets
the step act, and moves to the step it names. Nothing is held in memory between updates:
every answer is written, with the step reached, in the update's own transaction, so a
restart or another instance continues exactly where the person was.

Buttons carry the dialog's ``version`` (``r:<version>:<action>``). Each new prompt
increments it, so a button pressed twice, or one from an older prompt, is recognised as
stale and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import reporting
from bot.i18n import translate
from bot.parsing import InputError, clean_text, format_number, parse_number, parse_percent
from bot.people import contact_groups
from bot.periods import label
from bot.replies import Button, Keyboard, Reply, escape, say
from storage.models import DialogState, Indicator, Person, Submission, TaskGroup
from storage.models import Period as PeriodRow
from storage.upsert import insert_or_ignore

LONG_TEXT = 2000
SHORT_TEXT = 500
MAX_PHOTOS = 5

# The main line of the dialog; sub-steps (notes, problem details, menus) hang off these.
ORDER = ("done", "indicators", "status", "percent", "followups", "problems", "plan", "photos")
EDITABLE = ORDER


@dataclass
class Ctx:
    """One turn of the dialog: the person's state and the report it is about."""

    session: AsyncSession
    person: Person
    state: DialogState
    submission: Submission
    group: TaskGroup
    period: PeriodRow
    locale: str
    now: datetime
    replies: list[Reply] = field(default_factory=list)

    def say(self, key: str, /, **params: object) -> str:
        return say(self.locale, key, **params)

    def t(self, key: str, /, **params: object) -> str:
        """A plain label (button texts are not HTML)."""
        return translate(self.locale, key, **params)

    def button(self, key: str, action: str, **params: object) -> Button:
        return Button(self.t(key, **params), data=f"r:{self.state.version}:{action}")

    def tell(self, text: str) -> None:
        self.replies.append(Reply(text))

    @property
    def data(self) -> dict:  # type: ignore[type-arg]
        return self.state.data


# What a step asks, and where an answer leads: the name of the next step, or None to stay.
Prompt = Callable[[Ctx], Reply]
TextHandler = Callable[[Ctx, str], Awaitable[str | None]]
ButtonHandler = Callable[[Ctx, str], Awaitable[str | None]]


@dataclass(frozen=True)
class Step:
    prompt: Prompt
    on_text: TextHandler | None = None
    on_button: ButtonHandler | None = None
    applies: Callable[[Ctx], bool] = lambda ctx: True


NEXT = "→next"  # the step after this one on the main line (or the preview when editing)


# --- prompts and answers, step by step ------------------------------------------------------


def header(ctx: Ctx, key: str, **params: object) -> str:
    title = ctx.say(key, **params)
    return f"<b>{escape(ctx.group.name)}</b> · {title}"


def back_row(ctx: Ctx) -> list[Button]:
    return [ctx.button("dialog.button.back", "back")]


def ask(ctx: Ctx, text: str, buttons: Keyboard | None = None, *, placeholder: str = "") -> Reply:
    return Reply(text, buttons=buttons or [], ask=not buttons, placeholder=placeholder or None)


def prompt_done(ctx: Ctx) -> Reply:
    text = header(ctx, "dialog.done.title") + "\n" + ctx.say("dialog.done.ask", limit=LONG_TEXT)
    text += current_value(ctx, ctx.submission.done_text)
    rows = [[ctx.button("dialog.button.keep", "keep")]] if ctx.submission.done_text else []
    if len(contact_group_ids(ctx)) > 1:
        rows.append([ctx.button("dialog.button.other_group", "groups")])
    return ask(ctx, text, rows)


def current_value(ctx: Ctx, value: str | None) -> str:
    if not value:
        return ""
    short = value if len(value) <= 200 else value[:200] + "…"
    return "\n\n" + ctx.say("dialog.current", value=short)


async def text_done(ctx: Ctx, text: str) -> str | None:
    ctx.submission.done_text = clean_text(text, limit=LONG_TEXT)
    return NEXT


async def keep_or_groups(ctx: Ctx, action: str) -> str | None:
    if action == "keep":
        return NEXT
    if action == "groups":
        return "group"
    return None


def indicators(ctx: Ctx) -> list[Indicator]:
    return list(ctx.group.indicators)


def prompt_indicator(ctx: Ctx) -> Reply:
    items = indicators(ctx)
    indicator = items[ctx.state.cursor]
    text = header(ctx, "dialog.indicators.title", index=ctx.state.cursor + 1, total=len(items))
    unit = indicator.unit or "—"
    text += "\n" + ctx.say("dialog.indicators.ask", name=indicator.name, unit=unit)
    if indicator.target is not None:
        text += "\n" + ctx.say("dialog.indicators.target", target=format_number(indicator.target))
    existing = {v.indicator_id: v.value for v in ctx.submission.indicator_values}
    if indicator.id in existing:
        text += current_value(ctx, format_number(existing[indicator.id]))
    rows = [
        [ctx.button("dialog.button.skip", "skip"), ctx.button("dialog.button.skip_all", "skipall")],
        back_row(ctx),
    ]
    return ask(ctx, text, rows)


async def text_indicator(ctx: Ctx, text: str) -> str | None:
    indicator = indicators(ctx)[ctx.state.cursor]
    reporting.set_indicator(ctx.submission, indicator.id, parse_number(text), text.strip())
    return advance_cursor(ctx, len(indicators(ctx)))


async def button_indicator(ctx: Ctx, action: str) -> str | None:
    if action == "skip":
        return advance_cursor(ctx, len(indicators(ctx)))
    if action == "skipall":
        return NEXT
    return None


def advance_cursor(ctx: Ctx, total: int) -> str | None:
    """Within a looping step: the next item, or on past the loop after the last one."""
    if ctx.state.cursor + 1 < total:
        ctx.state.cursor += 1
        return "=same"
    return NEXT


STATUS_BUTTONS = ("on_track", "delayed", "blocked")


def prompt_status(ctx: Ctx) -> Reply:
    text = header(ctx, "dialog.status.title") + "\n" + ctx.say("dialog.status.ask")
    if ctx.submission.progress_status:
        label_text = ctx.t(f"status.{ctx.submission.progress_status}")
        text += current_value(ctx, label_text)
    row = [ctx.button(f"status.{s}", f"c:{s}") for s in STATUS_BUTTONS]
    return ask(ctx, text, [row, back_row(ctx)])


async def button_status(ctx: Ctx, action: str) -> str | None:
    choice = action.removeprefix("c:")
    if choice not in reporting.PROGRESS_STATUSES:
        return None
    ctx.submission.progress_status = choice
    return NEXT


def prompt_percent(ctx: Ctx) -> Reply:
    text = header(ctx, "dialog.percent.title") + "\n" + ctx.say("dialog.percent.ask")
    if ctx.submission.percent is not None:
        text += current_value(ctx, f"{ctx.submission.percent}%")
    return ask(ctx, text, [[ctx.button("dialog.button.skip", "skip")], back_row(ctx)])


async def text_percent(ctx: Ctx, text: str) -> str | None:
    ctx.submission.percent = parse_percent(text)
    return NEXT


async def button_skip(ctx: Ctx, action: str) -> str | None:
    return NEXT if action == "skip" else None


def follow_up_items(ctx: Ctx) -> list[reporting.FollowUpItem]:
    return [reporting.FollowUpItem(**item) for item in ctx.data.get("items", [])]


def prompt_followup(ctx: Ctx) -> Reply:
    items = follow_up_items(ctx)
    item = items[ctx.state.cursor]
    text = header(ctx, "dialog.followups.title", index=ctx.state.cursor + 1, total=len(items))
    text += "\n" + ctx.say(f"dialog.followups.{item.kind}", text=item.text)
    if item.due_on:
        text += "\n" + ctx.say("dialog.followups.due", due=item.due_on)
    text += "\n" + ctx.say("dialog.followups.ask")
    row = [ctx.button(f"outcome.{o}", f"c:{o}") for o in reporting.FOLLOW_UP_OUTCOMES]
    return ask(ctx, text, [row, back_row(ctx)])


async def button_followup(ctx: Ctx, action: str) -> str | None:
    outcome = action.removeprefix("c:")
    if outcome not in reporting.FOLLOW_UP_OUTCOMES:
        return None
    ctx.data["outcome"] = outcome
    return "followup_note"


def prompt_followup_note(ctx: Ctx) -> Reply:
    text = ctx.say("dialog.followups.note", limit=SHORT_TEXT)
    return ask(ctx, text, [[ctx.button("dialog.button.no_note", "nonote")]])


async def save_followup(ctx: Ctx, note: str) -> str | None:
    item = follow_up_items(ctx)[ctx.state.cursor]
    reporting.set_follow_up(ctx.submission, item, ctx.data.pop("outcome", "in_progress"), note)
    nxt = advance_cursor(ctx, len(follow_up_items(ctx)))
    return "followups" if nxt == "=same" else NEXT


async def text_followup_note(ctx: Ctx, text: str) -> str | None:
    return await save_followup(ctx, clean_text(text, limit=SHORT_TEXT))


async def button_followup_note(ctx: Ctx, action: str) -> str | None:
    return await save_followup(ctx, "") if action == "nonote" else None


def prompt_problems(ctx: Ctx) -> Reply:
    text = header(ctx, "dialog.problems.title")
    problems = ctx.submission.new_problems
    if problems:
        text += "\n" + problem_list(ctx)
    text += "\n" + ctx.say("dialog.problems.ask" if not problems else "dialog.problems.more")
    rows = [
        [
            ctx.button("dialog.button.add_problem", "add"),
            ctx.button("dialog.button.no_more", "next"),
        ]
    ]
    if problems:
        rows.append([ctx.button("dialog.button.remove_last", "pop")])
    rows.append(back_row(ctx))
    return ask(ctx, text, rows)


def problem_list(ctx: Ctx) -> str:
    lines = []
    for number, item in enumerate(ctx.submission.new_problems, start=1):
        flag = ctx.say("dialog.problems.to_meeting") if item["to_meeting"] else ""
        lines.append(f"{number}. {escape(item['text'])}{flag}")
    return "\n".join(lines)


async def button_problems(ctx: Ctx, action: str) -> str | None:
    if action == "add":
        return "problem_text"
    if action == "next":
        return NEXT
    if action == "pop" and ctx.submission.new_problems:
        ctx.submission.new_problems = ctx.submission.new_problems[:-1]
        return "=same"
    return None


def prompt_problem_text(ctx: Ctx) -> Reply:
    text = ctx.say("dialog.problems.describe", limit=SHORT_TEXT)
    return ask(ctx, text, [[ctx.button("dialog.button.cancel_problem", "cancel")]])


async def text_problem(ctx: Ctx, text: str) -> str | None:
    ctx.data["problem"] = clean_text(text, limit=SHORT_TEXT)
    return "problem_meeting"


async def button_problem_text(ctx: Ctx, action: str) -> str | None:
    return "problems" if action == "cancel" else None


def prompt_problem_meeting(ctx: Ctx) -> Reply:
    text = ctx.say("dialog.problems.meeting_ask", text=ctx.data.get("problem", ""))
    row = [
        ctx.button("dialog.button.to_meeting", "yes"),
        ctx.button("dialog.button.not_meeting", "no"),
    ]
    return ask(ctx, text, [row])


async def button_problem_meeting(ctx: Ctx, action: str) -> str | None:
    if action not in ("yes", "no") or "problem" not in ctx.data:
        return None
    item = {"text": ctx.data.pop("problem"), "to_meeting": action == "yes"}
    ctx.submission.new_problems = [*ctx.submission.new_problems, item]
    return "problems"


def prompt_plan(ctx: Ctx) -> Reply:
    text = header(ctx, "dialog.plan.title") + "\n" + ctx.say("dialog.plan.ask", limit=LONG_TEXT)
    text += current_value(ctx, ctx.submission.plan_text)
    rows = [[ctx.button("dialog.button.keep", "keep")]] if ctx.submission.plan_text else []
    return ask(ctx, text, [*rows, back_row(ctx)])


async def text_plan(ctx: Ctx, text: str) -> str | None:
    ctx.submission.plan_text = clean_text(text, limit=LONG_TEXT)
    return NEXT


async def button_keep(ctx: Ctx, action: str) -> str | None:
    return NEXT if action == "keep" else None


def prompt_photos(ctx: Ctx) -> Reply:
    count = len(ctx.submission.photos)
    text = header(ctx, "dialog.photos.title") + "\n"
    text += ctx.say("dialog.photos.ask", limit=MAX_PHOTOS, count=count)
    rows = [[ctx.button("dialog.button.photos_done", "next")]]
    if count:
        rows[0].append(ctx.button("dialog.button.photos_clear", "clear"))
    return ask(ctx, text, [*rows, back_row(ctx)])


async def text_photos(ctx: Ctx, text: str) -> str | None:
    raise InputError("dialog.photos.expected", {})


async def button_photos(ctx: Ctx, action: str) -> str | None:
    if action == "next":
        return NEXT
    if action == "clear":
        ctx.submission.photos = []
        return "=same"
    return None


def prompt_preview(ctx: Ctx) -> Reply:
    text = preview_text(ctx)
    submitted = ctx.submission.state == "submitted"
    submit_key = "dialog.button.resubmit" if submitted else "dialog.button.submit"
    discard_key = "dialog.button.drop_changes" if submitted else "dialog.button.discard"
    rows = [
        [ctx.button(submit_key, "submit")],
        [ctx.button("dialog.button.edit", "edit"), ctx.button(discard_key, "discard")],
    ]
    photos = tuple(p["file_id"] for p in ctx.submission.photos)
    return Reply(text, buttons=rows, photo_file_ids=photos)


def preview_text(ctx: Ctx) -> str:
    """The whole report as the office will read it."""
    s = ctx.submission
    lines = [
        ctx.say("dialog.preview.title", group=ctx.group.name, period=period_label(ctx)),
        "",
        ctx.say("dialog.preview.done"),
        escape(s.done_text or "—"),
    ]
    values = {v.indicator_id: v.value for v in s.indicator_values}
    if indicators(ctx):
        lines += ["", ctx.say("dialog.preview.indicators")]
        for indicator in indicators(ctx):
            value = format_number(values[indicator.id]) if indicator.id in values else "—"
            line = ctx.say(
                "dialog.preview.indicator", name=indicator.name, value=value, unit=indicator.unit
            )
            lines.append(line.rstrip())
    status = ctx.t(f"status.{s.progress_status}") if s.progress_status else "—"
    percent = f"{s.percent}%" if s.percent is not None else "—"
    lines += ["", ctx.say("dialog.preview.status", status=status, percent=percent)]
    lines += follow_up_lines(ctx)
    lines += ["", ctx.say("dialog.preview.problems")]
    lines.append(problem_list(ctx) if s.new_problems else ctx.say("dialog.preview.none"))
    lines += ["", ctx.say("dialog.preview.plan"), escape(s.plan_text or "—")]
    lines += ["", ctx.say("dialog.preview.photos", count=len(s.photos))]
    if s.state == "submitted":
        lines += ["", ctx.say("dialog.preview.revising", number=len(s.revisions))]
    return "\n".join(lines)


def follow_up_lines(ctx: Ctx) -> list[str]:
    items = follow_up_items(ctx)
    if not items:
        return []
    answers = {(f.problem_id, f.decision_id): f for f in ctx.submission.follow_ups}
    lines = ["", ctx.say("dialog.preview.followups")]
    for item in items:
        key = (item.id, None) if item.kind == "problem" else (None, item.id)
        answer = answers.get(key)
        outcome = ctx.t(f"outcome.{answer.outcome}") if answer and answer.outcome else "—"
        note = ctx.say("dialog.preview.note", note=answer.note) if answer and answer.note else ""
        lines.append(ctx.say("dialog.preview.followup", text=item.text, outcome=outcome) + note)
    return lines


async def button_preview(ctx: Ctx, action: str) -> str | None:
    if action == "submit":
        return await do_submit(ctx)
    if action == "edit":
        return "edit_menu"
    if action == "discard":
        return "discard_confirm"
    return None


async def do_submit(ctx: Ctx) -> str | None:
    missing = [
        k
        for k, v in (
            ("done", ctx.submission.done_text),
            ("plan", ctx.submission.plan_text),
            ("status", ctx.submission.progress_status),
        )
        if not v
    ]
    if missing:
        ctx.tell(
            ctx.say(
                "dialog.submit.missing",
                steps=ctx.t("list.separator").join(ctx.t(f"step.{m}") for m in missing),
            )
        )
        ctx.data["return_to_preview"] = True
        return missing[0]
    revision = await reporting.submit(
        ctx.session, ctx.submission, ctx.period, ctx.person.id, ctx.now
    )
    key = "dialog.submit.revised" if revision.number > 1 else "dialog.submit.done"
    text = ctx.say(key, group=ctx.group.name, period=period_label(ctx), number=revision.number)
    if ctx.submission.late:
        text += "\n" + ctx.say("dialog.submit.late")
    ctx.tell(text)
    return "idle"


def prompt_edit_menu(ctx: Ctx) -> Reply:
    buttons = [
        ctx.button(f"step.{name}", f"e:{name}") for name in EDITABLE if STEPS[name].applies(ctx)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([ctx.button("dialog.button.to_preview", "preview")])
    return Reply(ctx.say("dialog.edit.ask"), buttons=rows)


async def button_edit_menu(ctx: Ctx, action: str) -> str | None:
    if action == "preview":
        return "preview"
    target = action.removeprefix("e:")
    if target not in EDITABLE:
        return None
    ctx.data["return_to_preview"] = True
    return target


def prompt_discard(ctx: Ctx) -> Reply:
    submitted = ctx.submission.state == "submitted"
    text = ctx.say("dialog.discard.revision" if submitted else "dialog.discard.draft")
    row = [
        ctx.button("dialog.button.confirm_discard", "yes"),
        ctx.button("dialog.button.to_preview", "no"),
    ]
    return Reply(text, buttons=[row])


async def button_discard(ctx: Ctx, action: str) -> str | None:
    if action == "no":
        return "preview"
    if action != "yes":
        return None
    if ctx.submission.state == "submitted":
        reporting.restore(ctx.submission)
        ctx.tell(ctx.say("dialog.discard.restored"))
    else:
        await ctx.session.delete(ctx.submission)
        ctx.state.submission_id = None
        ctx.tell(ctx.say("dialog.discard.deleted"))
    return "idle"


def contact_group_ids(ctx: Ctx) -> list[int]:
    return ctx.data.get("group_ids", [])


STEPS: dict[str, Step] = {
    "done": Step(prompt_done, text_done, keep_or_groups),
    "indicators": Step(
        prompt_indicator, text_indicator, button_indicator, applies=lambda c: bool(indicators(c))
    ),
    "status": Step(prompt_status, None, button_status),
    "percent": Step(prompt_percent, text_percent, button_skip),
    "followups": Step(
        prompt_followup, None, button_followup, applies=lambda c: bool(follow_up_items(c))
    ),
    "followup_note": Step(prompt_followup_note, text_followup_note, button_followup_note),
    "problems": Step(prompt_problems, None, button_problems),
    "problem_text": Step(prompt_problem_text, text_problem, button_problem_text),
    "problem_meeting": Step(prompt_problem_meeting, None, button_problem_meeting),
    "plan": Step(prompt_plan, text_plan, button_keep),
    "photos": Step(prompt_photos, text_photos, button_photos),
    "preview": Step(prompt_preview, None, button_preview),
    "edit_menu": Step(prompt_edit_menu, None, button_edit_menu),
    "discard_confirm": Step(prompt_discard, None, button_discard),
}
# Where "back" leads from a sub-step.
PARENT = {
    "followup_note": "followups",
    "problem_text": "problems",
    "problem_meeting": "problems",
    "edit_menu": "preview",
    "discard_confirm": "preview",
}


def period_label(ctx: Ctx) -> str:
    return label(reporting.period_of(ctx.period), ctx.locale)


# --- the engine ------------------------------------------------------------------------------


def following(ctx: Ctx, step: str) -> str:
    """The next main-line step that applies, or the preview at the end (or when editing)."""
    if ctx.data.pop("return_to_preview", False):
        return "preview"
    step = PARENT.get(step, step)
    start = ORDER.index(step) + 1 if step in ORDER else len(ORDER)
    for name in ORDER[start:]:
        if STEPS[name].applies(ctx):
            return name
    return "preview"


def preceding(ctx: Ctx, step: str) -> str | None:
    step = PARENT.get(step, step)
    if step == "preview" or ctx.data.get("return_to_preview"):
        ctx.data.pop("return_to_preview", None)
        return "preview"
    if step not in ORDER:
        return None
    for name in reversed(ORDER[: ORDER.index(step)]):
        if STEPS[name].applies(ctx):
            return name
    return None


def enter(ctx: Ctx, step: str, *, cursor: int = 0) -> None:
    """Move to ``step`` and ask its question; a new version makes older buttons stale."""
    ctx.state.step = step
    ctx.state.cursor = cursor
    ask_again(ctx)


def ask_again(ctx: Ctx, preface: str = "") -> None:
    """Ask the current step's question (again), after ``preface`` in the same message.

    One message rather than two: the explanation sits right above the buttons it refers
    to, and a person never answers a question whose buttons have not arrived yet.
    """
    ctx.state.version += 1
    ctx.state.updated_at = ctx.now
    ctx.submission.updated_at = ctx.now
    prompt = STEPS[ctx.state.step].prompt(ctx)
    if preface:
        prompt = replace(prompt, text=f"{preface}\n\n{prompt.text}")
    ctx.replies.append(prompt)


def go(ctx: Ctx, current: str, target: str | None) -> None:
    """Act on a step's verdict: stay, re-ask the same item, or move on."""
    if target is None:
        return
    if target == "=same":
        ask_again(ctx)
    elif target == NEXT:
        enter(ctx, following(ctx, current))
    elif target == "idle":
        ctx.state.step = "idle"
        ctx.state.version += 1
        ctx.data.clear()
    else:
        # Between a step and its sub-step (an item and its note) the item stays the same.
        related = PARENT.get(target) == current or PARENT.get(current) == target
        enter(ctx, target, cursor=ctx.state.cursor if related else 0)


def refuse(ctx: Ctx, error: InputError) -> None:
    ask_again(ctx, say(ctx.locale, error.key, **error.params))


# --- entry points: what the handlers call -----------------------------------------------------


@dataclass
class Outcome:
    """What the dialog wants said after a turn: replies, and a toast for a pressed button."""

    replies: list[Reply]
    toast: str | None = None


@dataclass(frozen=True)
class Pressed:
    """The message a button sat on, so it can be closed with the choice made."""

    message_id: int
    text: str
    label: str


async def load_state(session: AsyncSession, person: Person, now: datetime) -> DialogState:
    """The person's dialog row, locked for this transaction (another instance waits)."""
    await insert_or_ignore(
        session,
        DialogState,
        person_id=person.id,
        step="idle",
        cursor=0,
        version=0,
        data={},
        updated_at=now,
    )
    state = await session.scalar(
        select(DialogState)
        .where(DialogState.person_id == person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert state is not None
    return state


async def load_ctx(
    session: AsyncSession, person: Person, state: DialogState, locale: str, now: datetime
) -> Ctx | None:
    if state.submission_id is None:
        return None
    submission = await session.scalar(
        select(Submission)
        .where(Submission.id == state.submission_id)
        .options(
            selectinload(Submission.indicator_values),
            selectinload(Submission.follow_ups),
            selectinload(Submission.revisions),
        )
    )
    if submission is None:
        return None
    group = await session.scalar(
        select(TaskGroup)
        .where(TaskGroup.id == submission.group_id)
        .options(selectinload(TaskGroup.indicators), selectinload(TaskGroup.workspace))
    )
    period = await session.get(PeriodRow, submission.period_id)
    assert group is not None and period is not None
    return Ctx(session, person, state, submission, group, period, locale, now)


def group_menu(locale: str, groups: list[TaskGroup], marks: dict[int, str]) -> Reply:
    rows = [[Button(f"{marks.get(g.id, '')}{g.name}", data=f"s:{g.id}")] for g in groups]
    return Reply(say(locale, "dialog.group.ask"), buttons=rows)


async def begin(
    session: AsyncSession, person: Person, locale: str, now: datetime, group_id: int | None = None
) -> Outcome:
    """Start or resume a report: by /submit, a deep link, or a group button."""
    groups = [g for g, _ in await contact_groups(session, person)]
    if not groups:
        return Outcome([Reply(say(locale, "dialog.not_contact"))])
    chosen = [g for g in groups if g.id == group_id] if group_id else groups
    if group_id and not chosen:
        return Outcome([Reply(say(locale, "dialog.not_your_group"))])
    if len(chosen) > 1:
        return Outcome([group_menu(locale, chosen, await group_marks(session, chosen, now))])
    return await begin_group(session, person, locale, now, chosen[0], [g.id for g in groups])


async def group_marks(
    session: AsyncSession, groups: list[TaskGroup], now: datetime
) -> dict[int, str]:
    marks = {}
    for group in groups:
        period = await reporting.reporting_period(session, group.workspace, now)
        submission = await reporting.find_submission(session, group.id, period.id)
        if submission is not None:
            marks[group.id] = "✅ " if submission.state == "submitted" else "📝 "
    return marks


async def begin_group(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    group: TaskGroup,
    group_ids: list[int],
) -> Outcome:
    period = await reporting.reporting_period(session, group.workspace, now)
    exemption = await reporting.exemption_for(session, group, period)
    if exemption is not None:
        return Outcome(
            [Reply(say(locale, "dialog.exempt", group=group.name, reason=exemption.reason))]
        )
    submission = await reporting.open_submission(session, group, period, person.id, now)
    if submission.state == "submitted" and period.agenda_compiled_at is not None:
        return Outcome([Reply(say(locale, "dialog.locked", group=group.name))])
    state = await load_state(session, person, now)
    resuming = state.submission_id == submission.id and state.step != "idle"
    state.submission_id = submission.id
    ctx = await load_ctx(session, person, state, locale, now)
    assert ctx is not None
    if resuming:
        ctx.data.pop("paused", None)
        ask_again(ctx, ctx.say("dialog.resume"))
        return Outcome(ctx.replies)
    items = await reporting.follow_up_items(session, group, period)
    state.data = {"group_ids": group_ids, "items": [item.__dict__ for item in items]}
    ctx.tell(intro(ctx))
    enter(ctx, "preview" if submission.state == "submitted" else "done")
    return Outcome(ctx.replies)


def intro(ctx: Ctx) -> str:
    key = "dialog.intro.revise" if ctx.submission.state == "submitted" else "dialog.intro.new"
    text = ctx.say(key, group=ctx.group.name, period=period_label(ctx))
    if reporting.is_late(ctx.period, ctx.now) and ctx.submission.state != "submitted":
        text += "\n" + ctx.say("dialog.intro.late")
    return text


async def on_text(
    session: AsyncSession, person: Person, locale: str, now: datetime, text: str
) -> Outcome:
    ctx = await active_ctx(session, person, locale, now)
    if ctx is None:
        return Outcome([Reply(say(locale, "hint.stray_message"))])
    step = STEPS[ctx.state.step]
    if step.on_text is None:
        ask_again(ctx, ctx.say("dialog.use_buttons"))
        return Outcome(ctx.replies)
    try:
        target = await step.on_text(ctx, text)
    except InputError as error:
        refuse(ctx, error)
        return Outcome(ctx.replies)
    go(ctx, ctx.state.step, target)
    return Outcome(ctx.replies)


async def on_photo(
    session: AsyncSession, person: Person, locale: str, now: datetime, file_id: str, unique_id: str
) -> Outcome:
    ctx = await active_ctx(session, person, locale, now)
    if ctx is None:
        return Outcome([Reply(say(locale, "hint.stray_message"))])
    if ctx.state.step != "photos":
        ask_again(ctx, ctx.say("dialog.photos.not_now"))
        return Outcome(ctx.replies)
    photos = ctx.submission.photos
    if any(p["unique_id"] == unique_id for p in photos):
        return Outcome([])  # the same photo again (a duplicate or re-sent album): nothing to do
    if len(photos) >= MAX_PHOTOS:
        ctx.tell(ctx.say("dialog.photos.full", limit=MAX_PHOTOS))
        return Outcome(ctx.replies)
    ctx.submission.photos = [*photos, {"file_id": file_id, "unique_id": unique_id}]
    ask_again(ctx)
    return Outcome(ctx.replies)


async def active_ctx(
    session: AsyncSession, person: Person, locale: str, now: datetime
) -> Ctx | None:
    state = await load_state(session, person, now)
    if state.step == "idle" or state.data.get("paused"):
        return None
    return await load_ctx(session, person, state, locale, now)


def parse_callback(data: str) -> tuple[int, str] | None:
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != "r" or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


async def on_button(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    data: str,
    pressed: Pressed | None,
) -> Outcome:
    if data.startswith("s:"):
        group_id = int(data[2:]) if data[2:].isdigit() else -1
        outcome = await begin(session, person, locale, now, group_id)
        return Outcome(close(pressed, locale) + outcome.replies)
    parsed = parse_callback(data)
    state = await load_state(session, person, now)
    if (
        parsed is None
        or parsed[0] != state.version
        or state.step == "idle"
        or state.data.get("paused")
    ):
        return Outcome([], say(locale, "dialog.stale"))
    ctx = await load_ctx(session, person, state, locale, now)
    if ctx is None:
        return Outcome([], say(locale, "dialog.stale"))
    action = parsed[1]
    current = ctx.state.step
    if action == "back":
        target = preceding(ctx, current)
        if target is None:
            return Outcome([], ctx.t("dialog.no_back"))
        ctx.replies.extend(close(pressed, locale))
        go(ctx, current, target)
        return Outcome(ctx.replies)
    handler = STEPS[current].on_button
    target = await handler(ctx, action) if handler else None
    if target is None:
        return Outcome([], ctx.t("dialog.stale"))
    ctx.replies[:0] = close(pressed, locale)
    go(ctx, current, target)
    return Outcome(ctx.replies)


def close(pressed: Pressed | None, locale: str) -> list[Reply]:
    """Take the buttons off the message that was answered, and show the answer given."""
    if pressed is None:
        return []
    text = f"{escape(pressed.text)}\n\n✓ {escape(pressed.label)}"
    return [Reply(text, edit_message_id=pressed.message_id)]


async def pause(session: AsyncSession, person: Person, locale: str, now: datetime) -> Outcome:
    state = await load_state(session, person, now)
    if state.step == "idle" or state.data.get("paused"):
        return Outcome([Reply(say(locale, "dialog.cancel.nothing"))])
    state.data = {**state.data, "paused": True}
    state.version += 1
    state.updated_at = now
    return Outcome([Reply(say(locale, "dialog.cancel.done"))])


async def my_status(session: AsyncSession, person: Person, locale: str, now: datetime) -> Outcome:
    """/mystatus: each of the person's groups and where its report for the week stands."""
    groups = [g for g, _ in await contact_groups(session, person)]
    if not groups:
        return Outcome([Reply(say(locale, "dialog.not_contact"))])
    lines = [say(locale, "mystatus.title")]
    for group in groups:
        period = await reporting.reporting_period(session, group.workspace, now)
        lines.append("")
        lines.append(
            say(
                locale,
                "mystatus.group",
                group=group.name,
                period=label(reporting.period_of(period), locale),
            )
        )
        lines.append(await group_state_line(session, group, period, locale))
    return Outcome([Reply("\n".join(lines))])


async def group_state_line(
    session: AsyncSession, group: TaskGroup, period: PeriodRow, locale: str
) -> str:
    exemption = await reporting.exemption_for(session, group, period)
    if exemption is not None:
        return say(locale, "mystatus.exempt", reason=exemption.reason)
    submission = await reporting.find_submission(session, group.id, period.id)
    deadline = period.deadline_at.astimezone(ZoneInfo(group.workspace.timezone))
    due = deadline.strftime("%m-%d %H:%M") if deadline else "—"
    if submission is None:
        return say(locale, "mystatus.missing", deadline=due)
    if submission.state != "submitted":
        return say(locale, "mystatus.draft", deadline=due)
    assert submission.submitted_at is not None
    at = submission.submitted_at.astimezone(ZoneInfo(group.workspace.timezone))
    key = "mystatus.late" if submission.late else "mystatus.submitted"
    return say(locale, key, at=at.strftime("%m-%d %H:%M"), revisions=len(submission.revisions))
