"""The report dialog's engine: it walks the table of :mod:`bot.dialog_steps`.

Read ``docs/dialog.md`` for the drawn diagram. The engine loads the person's
:class:`~storage.models.DialogState`, lets the current step act on the update, and moves
to the step it names. Nothing is held in memory between updates: every answer is written,
with the step reached, in the update's own transaction, so a restart or another instance
continues exactly where the person was.

Buttons carry the dialog's ``version`` (``r:<version>:<action>``, and the group menu's
``s:<version>:<group id>``). Each new prompt increments it, so a button pressed twice, or
one from an older prompt, is recognised as stale and changes nothing. Callback data is
whatever a client sends: anything malformed is stale too, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from bot import reporting
from bot.dialog_steps import (
    MAX_PHOTOS,
    NEXT,
    ORDER,
    PARENT,
    STEPS,
    Ctx,
    group_choices,
    group_menu,
    period_label,
)
from bot.parsing import InputError
from bot.paste import steps as paste_steps
from bot.people import contact_groups
from bot.periods import label
from bot.replies import Answer, Reply, escape, say
from storage.models import DialogState, FollowUp, IndicatorValue, Person, Submission, TaskGroup
from storage.models import Period as PeriodRow
from storage.upsert import insert_or_ignore

# A pasted report (bot.paste) adds its two questions to the table.
STEPS.update(paste_steps.STEPS)
PARENT.update(paste_steps.PARENT)

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
    prompt = replace(STEPS[ctx.state.step].prompt(ctx), prompt_version=ctx.state.version)
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


def take_paste(ctx: Ctx, text: str) -> None:
    """A pasted report written into this report; then what it left open, or the preview."""
    try:
        target, preface = paste_steps.apply_paste(ctx, text)
    except InputError as error:
        refuse(ctx, error)
        return
    ctx.state.step = target
    ctx.state.cursor = 0
    ask_again(ctx, preface)


# --- entry points: what the handlers call -----------------------------------------------------


@dataclass(frozen=True)
class Pressed:
    """The message a button sat on, so it can be closed with the choice made.

    ``html`` is the message as it was sent (rebuilt from its entities by the handler), so
    closing it keeps its bold heading instead of flattening it to plain text.
    """

    message_id: int
    html: str
    label: str


# The statements every dialog step runs, built once (executed with new values each time).
_STATE = (
    select(DialogState)
    .where(DialogState.person_id == bindparam("person"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
# The report with its group, office and week, and whether its collections hold rows.
_REPORT = (
    select(
        Submission,
        TaskGroup,
        PeriodRow,
        exists().where(IndicatorValue.submission_id == Submission.id),
        exists().where(FollowUp.submission_id == Submission.id),
    )
    .join(TaskGroup, TaskGroup.id == Submission.group_id)
    .join(TaskGroup.workspace)
    .join(PeriodRow, PeriodRow.id == Submission.period_id)
    .where(Submission.id == bindparam("submission"))
    .options(contains_eager(TaskGroup.workspace), joinedload(TaskGroup.indicators))
)
_dialog_table = DialogState.__table__
_PROMPT_SENT = (
    update(_dialog_table)
    .where(
        _dialog_table.c.person_id == bindparam("person"),
        _dialog_table.c.version == bindparam("at_version"),
    )
    .values(prompt_message_id=bindparam("message_id"))
)


async def find_state(session: AsyncSession, person: Person) -> DialogState | None:
    """The person's dialog row, locked for this transaction (another instance waits);
    None for someone who never began a report (nothing is written for them)."""
    return await session.scalar(_STATE, {"person": person.id})


async def load_state(session: AsyncSession, person: Person, now: datetime) -> DialogState:
    """The person's dialog row, created idle the first time, locked like :func:`find_state`."""
    state = await find_state(session, person)
    if state is not None:
        return state
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
    state = await find_state(session, person)  # ours, or a concurrent instance's
    assert state is not None
    return state


async def load_ctx(
    session: AsyncSession, person: Person, state: DialogState, locale: str, now: datetime
) -> Ctx | None:
    """The report a dialog step is about, with its group, office and week, in one query.

    The report's own collections are read only when they hold rows: the query tells
    whether they do, so a report with no indicator values or follow-ups yet (most steps,
    most weeks) costs no statement for them.
    """
    if state.submission_id is None:
        return None
    # unique(): the joined indicators repeat the report row once per indicator.
    row = (await session.execute(_REPORT, {"submission": state.submission_id})).unique().first()
    if row is None:
        return None
    submission, group, period, values, follow_ups = row
    # Only submitting freezes a revision (reporting.submit): a draft has none to read.
    collections = {
        "indicator_values": values,
        "follow_ups": follow_ups,
        "revisions": submission.state == "submitted",
    }
    stored = [name for name, present in collections.items() if present]
    if stored:
        await session.refresh(submission, stored)
    for name in collections.keys() - set(stored):
        set_committed_value(submission, name, [])
    return Ctx(session, person, state, submission, group, period, locale, now)


async def begin(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    group_id: int | None = None,
    paste: str | None = None,
) -> Answer:
    """Start or resume a report: by /submit, a deep link, a group button, or a paste.

    A paste from someone who serves several groups waits in the state (``paste_pending``)
    until the group is chosen.
    """
    groups = [g for g, _ in await contact_groups(session, person)]
    if not groups:
        return Answer([Reply(say(locale, "dialog.not_contact"))])
    chosen = [g for g in groups if g.id == group_id] if group_id else groups
    if group_id and not chosen:
        return Answer([Reply(say(locale, "dialog.not_your_group"))])
    if len(chosen) > 1:
        # The menu's buttons carry a new version: a double tap on one of them is stale.
        state = await load_state(session, person, now)
        state.version += 1
        state.updated_at = now
        if paste is not None:
            state.data["paste_pending"] = paste
        choices = await group_choices(session, chosen, now)
        return Answer([group_menu(locale, state.version, choices)])
    group_ids = [g.id for g in groups]
    return await begin_group(session, person, locale, now, chosen[0], group_ids, paste)


async def begin_group(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    group: TaskGroup,
    group_ids: list[int],
    paste: str | None = None,
) -> Answer:
    period = await reporting.reporting_period(session, group.workspace, now)
    exemption = await reporting.exemption_for(session, group, period)
    if exemption is not None:
        return Answer(
            [Reply(say(locale, "dialog.exempt", group=group.name, reason=exemption.reason))]
        )
    submission = await reporting.open_submission(session, group, period, person.id, now)
    if submission.state == "submitted" and period.agenda_compiled_at is not None:
        return Answer([Reply(say(locale, "dialog.locked", group=group.name))])
    state = await load_state(session, person, now)
    resuming = state.submission_id == submission.id and state.step != "idle"
    paste = paste if paste is not None else state.data.pop("paste_pending", None)
    state.submission_id = submission.id
    ctx = await load_ctx(session, person, state, locale, now)
    assert ctx is not None
    if resuming:
        ctx.data.pop("paused", None)
        if paste is not None:
            take_paste(ctx, paste)
        elif ctx.state.step == "group":
            # The same group chosen again from 换一个专项组: back to the question it was under.
            enter(ctx, ctx.data.pop("menu_from", "done"))
        else:
            ask_again(ctx, ctx.say("dialog.resume"))
        return Answer(ctx.replies)
    items = await reporting.follow_up_items(session, group, period)
    state.data = {"group_ids": group_ids, "items": [item.__dict__ for item in items]}
    ctx.tell(intro(ctx))
    if paste is not None:
        take_paste(ctx, paste)
    else:
        enter(ctx, "preview" if submission.state == "submitted" else "done")
    return Answer(ctx.replies)


def intro(ctx: Ctx) -> str:
    key = "dialog.intro.revise" if ctx.submission.state == "submitted" else "dialog.intro.new"
    text = ctx.say(key, group=ctx.group.name, period=period_label(ctx))
    if reporting.is_late(ctx.period, ctx.now) and ctx.submission.state != "submitted":
        text += "\n" + ctx.say("dialog.intro.late")
    return text


async def on_text(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    text: str,
    reply_to: int | None = None,
) -> Answer:
    """A typed answer; ``reply_to`` is the bot message it replies to, if any.

    A reply to an older prompt is not taken as the answer to the current question (the
    person may think they are correcting an earlier answer): they are told, and asked again.
    """
    ctx = await active_ctx(session, person, locale, now)
    if ctx is None:
        return stray(locale)
    prompt = ctx.state.prompt_message_id
    if reply_to is not None and prompt is not None and reply_to != prompt:
        ask_again(ctx, ctx.say("dialog.old_prompt"))
        return Answer(ctx.replies)
    step = STEPS[ctx.state.step]
    if step.on_text is None:
        ask_again(ctx, ctx.say("dialog.use_buttons"))
        return Answer(ctx.replies)
    try:
        target = await step.on_text(ctx, text)
    except InputError as error:
        refuse(ctx, error)
        return Answer(ctx.replies)
    go(ctx, ctx.state.step, target)
    return Answer(ctx.replies)


def stray(locale: str) -> Answer:
    """A message while no report is under way: a short hint of what lihui does."""
    return Answer([Reply(say(locale, "hint.stray_message"))])


async def on_photo(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    file_id: str,
    unique_id: str,
    album: str | None = None,
) -> Answer:
    """A photo; ``album`` is Telegram's ``media_group_id`` when it came as part of one.

    An album arrives as one message per photo. Its first photo gets the prompt; the rest
    only update that prompt's count in place, so an album of five is answered once.
    """
    state = await load_state(session, person, now)
    same_album = album is not None and state.data.get("album") == album
    if state.data.get("album") != album:
        state.data["album"] = album
    ctx = None if _inactive(state) else await load_ctx(session, person, state, locale, now)
    if ctx is None:
        return Answer([] if same_album else [Reply(say(locale, "hint.stray_message"))])
    if ctx.state.step != "photos":
        if not same_album:
            ask_again(ctx, ctx.say("dialog.photos.not_now"))
        return Answer(ctx.replies)
    photos = ctx.submission.photos
    if any(p["unique_id"] == unique_id for p in photos):
        return Answer([])  # the same photo again (a duplicate or re-sent album): nothing to do
    if len(photos) >= MAX_PHOTOS:
        if not (same_album and ctx.data.get("album_full")):
            ctx.data["album_full"] = True
            ctx.tell(ctx.say("dialog.photos.full", limit=MAX_PHOTOS))
        return Answer(ctx.replies)
    ctx.data["album_full"] = False
    ctx.submission.photos = [*photos, {"file_id": file_id, "unique_id": unique_id}]
    if same_album:
        return Answer(update_prompt(ctx))
    ask_again(ctx)
    return Answer(ctx.replies)


def update_prompt(ctx: Ctx) -> list[Reply]:
    """The current prompt edited in place (same version: its buttons stay valid)."""
    if ctx.state.prompt_message_id is None:
        return []
    prompt = STEPS[ctx.state.step].prompt(ctx)
    return [replace(prompt, edit_message_id=ctx.state.prompt_message_id)]


async def remember_prompt(
    session: AsyncSession, person_id: int, version: int, message_id: int
) -> None:
    """Note which message asks the current question, once Telegram has created it.

    Only if the dialog is still at that version: a slow delivery never overwrites the
    record of a newer prompt.
    """
    params = {"person": person_id, "at_version": version, "message_id": message_id}
    await session.execute(_PROMPT_SENT, params)


def _inactive(state: DialogState) -> bool:
    return state.step == "idle" or bool(state.data.get("paused"))


async def active_ctx(
    session: AsyncSession, person: Person, locale: str, now: datetime
) -> Ctx | None:
    state = await find_state(session, person)
    if state is None or _inactive(state):
        return None
    return await load_ctx(session, person, state, locale, now)


# ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() refuses or reads.
_CALLBACK = re.compile(r"([rs]):([0-9]{1,9}):(.{1,60})", re.ASCII | re.DOTALL)
# The button under a scheduled prompt (``p:<group id>``): it outlives any one dialog
# version, since a contact may press it days later; pressing it again resumes.
_PROMPT_CALLBACK = re.compile(r"p:([0-9]{1,12})", re.ASCII)


def parse_callback(data: str) -> tuple[str, int, str] | None:
    """``r:<version>:<action>``, ``s:<version>:<group id>`` or ``p:<group id>``; else None."""
    prompt = _PROMPT_CALLBACK.fullmatch(data)
    if prompt is not None:
        return "p", -1, prompt.group(1)
    match = _CALLBACK.fullmatch(data)
    if match is None:
        return None
    kind, version, rest = match.groups()
    if kind == "s" and not re.fullmatch(r"[0-9]{1,9}", rest, re.ASCII):
        return None
    return kind, int(version), rest


async def on_button(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    data: str,
    pressed: Pressed | None,
) -> Answer:
    parsed = parse_callback(data)
    if parsed is not None and parsed[0] == "p":
        return await begin(session, person, locale, now, int(parsed[2]))
    state = await find_state(session, person)
    if state is None or parsed is None or parsed[1] != state.version:
        return Answer([], say(locale, "dialog.stale"))
    kind, _, rest = parsed
    if kind == "s":
        answer = await begin(session, person, locale, now, int(rest))
        return Answer(close(pressed, locale) + answer.replies)
    if _inactive(state):
        return Answer([], say(locale, "dialog.stale"))
    ctx = await load_ctx(session, person, state, locale, now)
    if ctx is None:
        return Answer([], say(locale, "dialog.stale"))
    action = rest
    current = ctx.state.step
    if action == "back":
        target = preceding(ctx, current)
        if target is None:
            return Answer([], ctx.t("dialog.no_back"))
        ctx.replies.extend(close(pressed, locale))
        go(ctx, current, target)
        return Answer(ctx.replies)
    handler = STEPS[current].on_button
    target = await handler(ctx, action) if handler else None
    if target is None:
        return Answer([], ctx.t("dialog.stale"))
    ctx.replies[:0] = close(pressed, locale)
    go(ctx, current, target)
    return Answer(ctx.replies)


def close(pressed: Pressed | None, locale: str) -> list[Reply]:
    """Take the buttons off the message that was answered, and show the answer given."""
    if pressed is None:
        return []
    text = f"{pressed.html}\n\n✓ {escape(pressed.label)}"
    return [Reply(text, edit_message_id=pressed.message_id)]


async def pause(session: AsyncSession, person: Person, locale: str, now: datetime) -> Answer:
    state = await find_state(session, person)
    if state is None or state.step == "idle" or state.data.get("paused"):
        return Answer([Reply(say(locale, "dialog.cancel.nothing"))])
    state.data = {**state.data, "paused": True}
    state.version += 1
    state.updated_at = now
    return Answer([Reply(say(locale, "dialog.cancel.done"))])


async def my_status(session: AsyncSession, person: Person, locale: str, now: datetime) -> Answer:
    """/mystatus: each of the person's groups and where its report for the week stands."""
    groups = [g for g, _ in await contact_groups(session, person)]
    if not groups:
        return Answer([Reply(say(locale, "dialog.not_contact"))])
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
    return Answer([Reply("\n".join(lines))])


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
