"""The steps of the report dialog (填报), declared as one table: :data:`STEPS`.

Each :class:`Step` says how to ask (``prompt``), what a typed answer does (``on_text``)
and what a button does (``on_button``); an answer returns the name of the step to go to
(or :data:`NEXT`, or ``"=same"`` to ask the next item of a loop), and
:mod:`bot.dialog` moves there. ``docs/dialog.md`` draws the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot import reporting
from bot.i18n import section_number, translate
from bot.parsing import InputError, clean_text, format_number, parse_number, parse_percent
from bot.people import contact_groups
from bot.periods import label
from bot.replies import Button, Keyboard, Reply, escape, say
from storage.models import DialogState, Indicator, Person, Submission, TaskGroup
from storage.models import Period as PeriodRow

LONG_TEXT = 2000
SHORT_TEXT = 500
MAX_PHOTOS = 5
T = TypeVar("T")

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
        groups = [g for g, _ in await contact_groups(ctx.session, ctx.person)]
        if len(groups) < 2:
            return None
        ctx.data["menu"] = await group_choices(ctx.session, groups, ctx.now)
        ctx.data["menu_from"] = ctx.state.step
        return "group"
    return None


async def group_choices(
    session: AsyncSession, groups: list[TaskGroup], now: datetime
) -> list[list[object]]:
    """[group id, label] for the group menu; the label marks a report begun or submitted.

    Plain JSON-able lists: the menu is kept in the dialog state when asked from within.
    """
    choices: list[list[object]] = []
    for group in groups:
        period = await reporting.reporting_period(session, group.workspace, now)
        submission = await reporting.find_submission(session, group.id, period.id)
        mark = ""
        if submission is not None:
            mark = "✅ " if submission.state == "submitted" else "📝 "
        choices.append([group.id, f"{mark}{group.name}"])
    return choices


def group_menu(locale: str, version: int, choices: list[list[object]]) -> Reply:
    """Which group to report for; ``s:<version>:<id>`` so a second tap is stale."""
    rows = [[Button(str(name), data=f"s:{version}:{gid}")] for gid, name in choices]
    return Reply(say(locale, "dialog.group.ask"), buttons=rows)


def prompt_group(ctx: Ctx) -> Reply:
    menu = group_menu(ctx.locale, ctx.state.version, ctx.data.get("menu", []))
    back = [Button(ctx.t("dialog.button.back"), data=f"r:{ctx.state.version}:return")]
    return replace(menu, buttons=[*menu.buttons, back])


async def button_group(ctx: Ctx, action: str) -> str | None:
    """The menu's own buttons (``s:``) are the engine's; here only the way back."""
    return ctx.data.pop("menu_from", "done") if action == "return" else None


def indicators(ctx: Ctx) -> list[Indicator]:
    return list(ctx.group.indicators)


def item_at_cursor(ctx: Ctx, items: list[T]) -> T:
    """The loop's current item; a cursor past the end (the list shrank) points at the last."""
    ctx.state.cursor = max(0, min(ctx.state.cursor, len(items) - 1))
    return items[ctx.state.cursor]


def prompt_indicator(ctx: Ctx) -> Reply:
    items = indicators(ctx)
    indicator = item_at_cursor(ctx, items)
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
    indicator = item_at_cursor(ctx, indicators(ctx))
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
    item = item_at_cursor(ctx, items)
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
    item = item_at_cursor(ctx, follow_up_items(ctx))
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
    """The whole report as the office will read it; sections numbered without gaps."""
    s = ctx.submission
    lines = [ctx.say("dialog.preview.title", group=ctx.group.name, period=period_label(ctx))]
    sections = Sections(ctx)
    lines += sections.add("dialog.preview.done", escape(s.done_text or "—"))
    values = {v.indicator_id: v.value for v in s.indicator_values}
    if indicators(ctx):
        rows = []
        for indicator in indicators(ctx):
            value = format_number(values[indicator.id]) if indicator.id in values else "—"
            line = ctx.say(
                "dialog.preview.indicator", name=indicator.name, value=value, unit=indicator.unit
            )
            rows.append(line.rstrip())
        lines += sections.add("dialog.preview.indicators", *rows)
    status = ctx.t(f"status.{s.progress_status}") if s.progress_status else "—"
    percent = f"{s.percent}%" if s.percent is not None else "—"
    lines += sections.add("dialog.preview.status", status=status, percent=percent)
    if follow_up_items(ctx):
        lines += sections.add("dialog.preview.followups", *follow_up_lines(ctx))
    problems = problem_list(ctx) if s.new_problems else ctx.say("dialog.preview.none")
    lines += sections.add("dialog.preview.problems", problems)
    lines += sections.add("dialog.preview.plan", escape(s.plan_text or "—"))
    lines += ["", ctx.say("dialog.preview.photos", count=len(s.photos))]
    if s.state == "submitted":
        lines += ["", ctx.say("dialog.preview.revising", number=len(s.revisions))]
    return "\n".join(lines)


class Sections:
    """Numbers the preview's headings as they are added, so an absent one leaves no gap."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.count = 0

    def add(self, key: str, *body: str, **params: object) -> list[str]:
        self.count += 1
        number = section_number(self.ctx.locale, self.count)
        return ["", self.ctx.say(key, number=number, **params), *body]


def follow_up_lines(ctx: Ctx) -> list[str]:
    answers = {(f.problem_id, f.decision_id): f for f in ctx.submission.follow_ups}
    lines = []
    for item in follow_up_items(ctx):
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
    if target not in EDITABLE or not STEPS[target].applies(ctx):
        return None  # a forged entry, or a step this report does not have
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
    "group": Step(prompt_group, None, button_group),
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
