"""What ``/assess``, ``/adjust``, ``/monthly`` and ``/highlight`` do, without Telegram.

The handlers (:mod:`handlers.rollups`) parse the update and call these; each returns the
replies to send. Rights are looked up here, in the workspace the action touches (the
office chat's in a group; in a private chat :func:`bot.access.office.office_for`'s),
and again on every button press, since a button names what to act on, never who may.

Buttons carry ``ru:<action>:<id>[:<more>]``: ``hg``/``hp``/``hx`` walk a good-practice
draft through group, report and passage; ``hr:<revision>`` (:func:`report_button`) and
``hq:<group>:<week>`` (:func:`bot.rollups.buttons.practice_buttons`, under ``/report``)
start one from a known report, whose title then comes with ``/highlight TITLE``; ``hw``
withdraws a mark, ``ap`` publishes an assessment, ``aw`` withdraws an adjustment.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import access, schedule
from bot.access import office
from bot.caller import Caller
from bot.i18n import translate
from bot.parsing import parse_number
from bot.people import workspace_for_chat
from bot.periods import parse_period
from bot.replies import Answer, Button, Keyboard, Reply
from bot.rollups import assessment, highlights, outputs
from bot.rollups import rubric as rubric_settings
from bot.rollups.assessment_views import month_name, window_name
from bot.rollups.months import (
    InvalidWindow,
    Month,
    current_half,
    month_of_week,
    parse_month,
    parse_window,
)
from bot.rollups.refusals import RollupRefused
from storage.models import (
    GoodPractice,
    ScoreAdjustment,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)
from storage.models import Period as PeriodRow

CALLBACK_PATTERN = r"^ru:"
PASSAGE_LABEL = 24  # characters of a passage shown on its button


async def _workspace(caller: Caller, action: str, name: str, args: str) -> Workspace | Answer:
    """The workspace ``/name args`` acts on, or the answer to give instead (a refusal, or
    in private the question which office: :func:`bot.access.office.office_for`)."""
    if caller.private:
        return await office.office_for(caller, action, name, args, refusal="rollups.no_workspace")
    workspace = await workspace_for_chat(caller.session, caller.chat_id)
    if workspace is None:
        return _refusal(caller, "rollups.no_workspace")
    if not await access.may(caller.session, workspace.id, caller.person, action):
        return _refusal(caller, "access.denied")
    return workspace


async def _allowed(caller: Caller, workspace_id: int, action: str) -> Workspace | None:
    workspace = await caller.session.get(Workspace, workspace_id)
    if workspace is None or not await access.may(
        caller.session, workspace_id, caller.person, action
    ):
        return None
    return workspace


def _refusal(caller: Caller, key: str) -> Answer:
    return Answer([Reply(caller.say(key))], caller.say(key))


def _today(workspace: Workspace, now: datetime) -> date:
    return now.astimezone(ZoneInfo(workspace.timezone)).date()


# --- /assess and /adjust -----------------------------------------------------------------


async def assess(caller: Caller, args: str) -> Answer:
    """``/assess`` (this half year), ``/assess 2026-H1``, ``/assess 2026`` (the year's
    ranking), ``/assess 2026-02..2026-05``."""
    workspace = await _workspace(caller, "assessment.manage", "assess", args)
    if isinstance(workspace, Answer):
        return workspace
    text = args.strip()
    try:
        if text.isdigit() and len(text) == 4:
            return Answer(
                await outputs.year_replies(
                    caller.session, workspace, int(text), caller.locale, caller.now
                )
            )
        window = parse_window(text) if text else current_half(_today(workspace, caller.now))
    except InvalidWindow as error:
        return Answer([Reply(error.said(caller.locale))])
    stored = await assessment.assess(caller.session, workspace, window, caller.now)
    buttons: Keyboard = []
    if stored.published_at is None:
        data = f"ru:ap:{workspace.id}:{window.key}"
        buttons = [[Button(caller.say("rollups.assess.publish_button"), data)]]
    replies = await outputs.assessment_replies(
        stored, workspace, caller.locale, caller.now, buttons
    )
    return Answer(replies)


async def _publish(caller: Caller, workspace_id: int, window_key: str) -> Answer:
    workspace = await _allowed(caller, workspace_id, "assessment.manage")
    if workspace is None:
        return _refusal(caller, "access.denied")
    try:
        window = parse_window(window_key)
        await assessment.publish(caller.session, workspace, window, caller.person.id, caller.now)
    except (InvalidWindow, RollupRefused) as error:
        return Answer([Reply(error.said(caller.locale))])
    text = caller.say("rollups.assess.published_now", window=window_name(window.key, caller.locale))
    return Answer([Reply(text)], text)


async def adjust(caller: Caller, args: str) -> Answer:
    """``/adjust 2026-H2 S01 +2 理由`` (the reason may have spaces)."""
    workspace = await _workspace(caller, "assessment.manage", "adjust", args)
    if isinstance(workspace, Answer):
        return workspace
    parts = args.split(maxsplit=3)
    if len(parts) < 4:
        return Answer([Reply(caller.say("rollups.adjust.usage"))])
    window_text, code, points_text, reason = parts
    group = await caller.session.scalar(
        select(TaskGroup).where(
            TaskGroup.workspace_id == workspace.id, TaskGroup.code == code.upper()
        )
    )
    if group is None:
        return Answer([Reply(caller.say("rollups.adjust.unknown_group", code=code))])
    try:
        points = _points(points_text)
        window = parse_window(window_text)
        row = await assessment.adjust(
            caller.session, workspace, window, group, points, reason, caller.person.id, caller.now
        )
    except ValueError:
        return Answer([Reply(caller.say("rollups.adjust.bad_points", text=points_text))])
    except (InvalidWindow, RollupRefused) as error:
        return Answer([Reply(error.said(caller.locale))])
    total = sum(
        a.points
        for a in await assessment.adjustments_of(caller.session, workspace, window.key)
        if a.group_id == group.id
    )
    text = caller.say(
        "rollups.adjust.done", group=group.name, window=window_name(window.key, caller.locale),
        points=f"{points:+g}", reason=row.reason, total=f"{total:+g}",
    )  # fmt: skip
    button = Button(caller.say("rollups.adjust.withdraw_button"), f"ru:aw:{row.id}")
    return Answer([Reply(text, buttons=[[button]])])


def _points(text: str) -> float:
    """ "+2", "-1.5", "＋2", "2分": a signed number of points (ValueError otherwise)."""
    cleaned = text.strip().replace("＋", "+").replace("－", "-").replace("−", "-").rstrip("分")
    sign = -1.0 if cleaned.startswith("-") else 1.0
    value = parse_number(cleaned.lstrip("+-"))
    return sign * value


async def _withdraw_adjustment(caller: Caller, adjustment_id: int) -> Answer:
    row = await caller.session.get(ScoreAdjustment, adjustment_id)
    workspace = await _allowed(caller, row.workspace_id, "assessment.manage") if row else None
    if workspace is None:
        return _refusal(caller, "access.denied" if row else "rollups.adjust.not_found")
    try:
        await assessment.withdraw_adjustment(
            caller.session, workspace, adjustment_id, caller.person.id, caller.now
        )
    except RollupRefused as error:
        return Answer([], error.translated(caller.locale))
    text = caller.say("rollups.adjust.withdrawn")
    return Answer([Reply(text)], text)


async def rubric(caller: Caller, args: str) -> Answer:
    """``/rubric`` shows the rubric's settings; ``/rubric on_time=50 …`` changes them."""
    workspace = await _workspace(caller, "settings.manage", "rubric", args)
    if isinstance(workspace, Answer):
        return workspace
    lines = []
    if args.strip():
        try:
            rubric_settings.change(caller.session, workspace, args, caller.person.id, caller.now)
        except RollupRefused as error:
            return Answer(
                [Reply(error.said(caller.locale) + "\n" + caller.say("rollups.rubric.usage"))]
            )
        lines.append(caller.say("rollups.rubric.changed"))
    lines += [
        rubric_settings.describe(workspace, caller.locale),
        "",
        caller.say("rollups.rubric.usage"),
    ]
    return Answer([Reply("\n".join(lines))])


# --- /monthly ----------------------------------------------------------------------------


async def monthly(caller: Caller, args: str) -> Answer:
    """``/monthly`` (the month of the week being reported) or ``/monthly 2026-11``."""
    workspace = await _workspace(caller, "report.view", "monthly", args)
    if isinstance(workspace, Answer):
        return workspace
    try:
        month = _month_or_current(args, workspace, caller.now)
    except InvalidWindow as error:
        return Answer([Reply(error.said(caller.locale))])
    return Answer(
        await outputs.monthly_replies(
            caller.session, workspace, month.key, caller.locale, caller.now
        )
    )


def _month_or_current(args: str, workspace: Workspace, now: datetime) -> Month:
    if args.strip():
        return parse_month(args)
    week = schedule.reporting_period(workspace.settings or {}, now, ZoneInfo(workspace.timezone))
    return month_of_week(week)


# --- /highlight ----------------------------------------------------------------------------


async def highlight(caller: Caller, args: str) -> Answer:
    """``/highlight TITLE`` starts a mark; ``/highlight`` alone lists this month's marks."""
    workspace = await _workspace(caller, "highlight.manage", "highlight", args)
    if isinstance(workspace, Answer):
        return workspace
    if not args.strip():
        return Answer([await _month_list(caller, workspace)])
    waiting = await highlights.untitled_draft(
        caller.session, workspace, caller.person.id, caller.now
    )
    if waiting is not None:  # the report was chosen from a button under it: name it now
        try:
            waiting.title = highlights.clean_title(args)
        except RollupRefused as error:
            return Answer([Reply(error.said(caller.locale))])
        return await _passages(caller, waiting, workspace, None)
    try:
        draft = await highlights.start(
            caller.session, workspace, args, caller.person.id, caller.now
        )
    except RollupRefused as error:
        return Answer([Reply(error.said(caller.locale))])
    groups = await highlights.groups_with_reports(caller.session, workspace)
    if not groups:
        return Answer([Reply(caller.say("rollups.highlight.no_groups"))])
    buttons = [[Button(g.name, f"ru:hg:{draft.id}:{g.id}")] for g in groups]
    return Answer(
        [Reply(caller.say("rollups.highlight.pick_group", title=draft.title), buttons=buttons)]
    )


async def _month_list(caller: Caller, workspace: Workspace) -> Reply:
    month = _month_or_current("", workspace, caller.now)
    practices = await highlights.of_month(caller.session, workspace, month)
    lines = [caller.say("rollups.highlight.month_list", month=month_name(month.key, caller.locale))]
    buttons: Keyboard = []
    for number, p in enumerate(practices, start=1):
        week = parse_period(p.period_key).week
        lines.append(
            caller.say(
                "rollups.highlight.item",
                number=number,
                title=p.title,
                group=p.group_name,
                week=week,
            )
        )
        buttons.append(
            [
                Button(
                    caller.say("rollups.highlight.withdraw_button", number=number), f"ru:hw:{p.id}"
                )
            ]
        )
    if not practices:
        lines.append(caller.say("rollups.monthly.no_practices"))
    lines += ["", caller.say("rollups.highlight.usage")]
    return Reply("\n".join(lines), buttons=buttons)


async def _draft(caller: Caller, draft_id: int) -> tuple[GoodPractice, Workspace] | None:
    draft = await highlights.draft_of(caller.session, draft_id, caller.person.id)
    if draft is None:
        return None
    workspace = await _allowed(caller, draft.workspace_id, "highlight.manage")
    return (draft, workspace) if workspace is not None else None


async def _pick_group(
    caller: Caller, draft_id: int, group_id: int, message_id: int | None
) -> Answer:
    found = await _draft(caller, draft_id)
    group = await caller.session.get(TaskGroup, group_id)
    if found is None or group is None or group.workspace_id != found[1].id:
        return _refusal(caller, "rollups.highlight.stale")
    draft, _ = found
    reports = await highlights.recent_reports(caller.session, group.id)
    buttons = [
        [
            Button(
                caller.say("rollups.highlight.report_button", year=w.iso_year, week=w.week),
                f"ru:hp:{draft.id}:{r.revision_id}",
            )
        ]
        for r in reports
        for w in [parse_period(r.period_key)]
    ]
    text = caller.say("rollups.highlight.pick_report", title=draft.title, group=group.name)
    return Answer([Reply(text, buttons=buttons, edit_message_id=message_id)])


async def _pick_report(
    caller: Caller, draft_id: int, revision_id: int, message_id: int | None
) -> Answer:
    found = await _draft(caller, draft_id)
    if found is None:
        return _refusal(caller, "rollups.highlight.stale")
    draft, workspace = found
    try:
        await highlights.choose_report(caller.session, workspace, draft, revision_id)
    except RollupRefused as error:
        return Answer([], error.translated(caller.locale))
    return await _passages(caller, draft, workspace, message_id)


async def _passages(
    caller: Caller, draft: GoodPractice, workspace: Workspace, message_id: int | None
) -> Answer:
    """The last choice: the whole report or one of its passages."""
    revision = await caller.session.get(SubmissionRevision, draft.revision_id)
    passages = highlights.passages(revision.content or {}) if revision else []
    group = await caller.session.get(TaskGroup, draft.group_id)
    week = await _week_of(caller, draft)
    buttons = [[Button(caller.say("rollups.highlight.whole"), f"ru:hx:{draft.id}:0")]]
    buttons += [
        [Button(_label(text), f"ru:hx:{draft.id}:{index}")]
        for index, text in enumerate(passages, start=1)
    ]
    text = caller.say(
        "rollups.highlight.pick_passage", title=draft.title, group=group.name if group else "",
        week=week,
    )  # fmt: skip
    return Answer([Reply(text, buttons=buttons, edit_message_id=message_id)])


def _label(text: str) -> str:
    return text if len(text) <= PASSAGE_LABEL else text[: PASSAGE_LABEL - 1] + "…"


async def _week_of(caller: Caller, practice: GoodPractice) -> int:
    period = await caller.session.get(PeriodRow, practice.period_id) if practice.period_id else None
    return parse_period(period.key).week if period else 0


async def _pick_passage(
    caller: Caller, draft_id: int, index: int, message_id: int | None
) -> Answer:
    found = await _draft(caller, draft_id)
    if found is None:
        return _refusal(caller, "rollups.highlight.stale")
    draft, workspace = found
    try:
        marked = await highlights.finish(
            caller.session, workspace, draft, index, caller.person.id, caller.now
        )
    except RollupRefused as error:
        return Answer([], error.translated(caller.locale))
    group = await caller.session.get(TaskGroup, marked.group_id)
    text = caller.say(
        "rollups.highlight.marked", title=marked.title, group=group.name if group else "",
        week=await _week_of(caller, marked),
    )  # fmt: skip
    button = Button(caller.say("rollups.highlight.withdraw"), f"ru:hw:{marked.id}")
    return Answer([Reply(text, buttons=[[button]], edit_message_id=message_id)])


async def _withdraw_practice(caller: Caller, practice_id: int) -> Answer:
    row = await caller.session.get(GoodPractice, practice_id)
    workspace = await _allowed(caller, row.workspace_id, "highlight.manage") if row else None
    if row is None or workspace is None:
        return _refusal(caller, "rollups.highlight.not_found" if row is None else "access.denied")
    try:
        await highlights.withdraw(
            caller.session, workspace, practice_id, caller.person.id, caller.now
        )
    except RollupRefused as error:
        return Answer([], error.translated(caller.locale))
    text = caller.say("rollups.highlight.withdrawn", title=row.title)
    return Answer([Reply(text)], text)


def report_button(revision_id: int, locale: str) -> Button:
    """The button to put under a group's entry in ``/report``: mark that report."""
    return Button(translate(locale, "rollups.highlight.report_mark"), f"ru:hr:{revision_id}")


async def _from_report(caller: Caller, revision_id: int) -> Answer:
    workspace_id = await highlights.workspace_of_revision(caller.session, revision_id)
    workspace = await _allowed(caller, workspace_id, "highlight.manage") if workspace_id else None
    if workspace is None:
        return _refusal(caller, "access.denied" if workspace_id else "rollups.highlight.no_report")
    draft = await highlights.start_from_report(
        caller.session, workspace, revision_id, caller.person.id, caller.now
    )
    group = await caller.session.get(TaskGroup, draft.group_id)
    text = caller.say(
        "rollups.highlight.ask_title", group=group.name if group else "",
        week=await _week_of(caller, draft),
    )  # fmt: skip
    reply = Reply(text, chat_id=caller.person.telegram_user_id if not caller.private else None)
    return Answer([reply], text)


async def button(caller: Caller, data: str, message_id: int | None) -> Answer:
    """A roll-up button: ``ru:<action>:<id>[:<more>]``; anything malformed is stale."""
    parts = data.split(":")
    try:
        action, first = parts[1], int(parts[2])
        if action == "ap":
            return await _publish(caller, first, parts[3])
        if action == "aw":
            return await _withdraw_adjustment(caller, first)
        if action == "hw":
            return await _withdraw_practice(caller, first)
        if action == "hr":
            return await _from_report(caller, first)
        if action == "hq":
            revision_id = await highlights.latest_revision(caller.session, first, parts[3])
            if revision_id is None:
                return _refusal(caller, "rollups.highlight.no_report")
            return await _from_report(caller, revision_id)
        second = int(parts[3])
    except (IndexError, ValueError):
        return Answer([], translate(caller.locale, "rollups.highlight.stale"))
    steps = {"hg": _pick_group, "hp": _pick_report, "hx": _pick_passage}
    if action not in steps:
        return Answer([], translate(caller.locale, "rollups.highlight.stale"))
    return await steps[action](caller, first, second, message_id)


for _run in (assess, adjust, monthly, highlight, rubric):
    office.command(_run.__name__, _run)
