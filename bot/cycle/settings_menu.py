"""``/settings`` as menus of buttons: every choice is a button, so nothing is typed wrong.

Callback data ``st:<workspace>:<action>:<args...>`` names what to change, never the right to
change it: every press is checked against :data:`bot.access.POLICY` (``settings.manage``)
in the workspace it names. Holiday overrides, which need arbitrary dates, are typed as a
command (``/holiday 2027-10-01 休息日 国庆节``), which is just as stateless.

Each change goes through :mod:`bot.cycle.settings` (validated, audit-logged); the caller then has
the scheduler rebuild its schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import may
from bot.access.office import command, office_for
from bot.caller import Caller
from bot.cycle import agenda_lead, grace, settings
from bot.ledgers import escalation_weeks
from bot.periods import weekday_name
from bot.replies import Answer, Button, Keyboard, Reply, say
from bot.schedule import step_time
from storage.models import Person, Workspace

ACTION = "settings.manage"
PREFIX = "st"
# The settings' step names, with the catalog name of each.
STEP_LABELS = {
    "open": "cycle.step.open",
    "reminder": "cycle.step.remind",
    "deadline": "cycle.step.deadline",
    "summary": "cycle.step.summary",
    "meeting": "settings.meeting",
}
HOURS = range(7, 21)
MINUTES = ("00", "15", "30", "45")
ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC")
CHOICES = {
    "escalation_weeks": (1, 2, 3, 4, 6, 8),
    "grace_hours": (1, 6, 12, 24, 48, 72),
    "agenda_lead_minutes": (30, 60, 90, 120),
}


@dataclass(frozen=True)
class Result:
    """What the handler shows: the reply (an edit of the menu, or a new message), and
    whether the schedule must be rebuilt."""

    reply: Reply
    changed: bool = False


def _data(ws: int, *parts: object) -> str:
    return ":".join([PREFIX, str(ws), *(str(p) for p in parts)])


def _step_label(locale: str, step: str) -> str:
    return say(locale, STEP_LABELS[step])


def _when(locale: str, workspace: Workspace, step: str) -> str:
    rule = step_time(workspace.settings, step)
    return f"{weekday_name(rule.weekday, locale)} {rule.at.strftime('%H:%M')}"


def overview(workspace: Workspace, locale: str, note: str = "") -> tuple[str, Keyboard]:
    """The main menu: every current value, and a button to change each."""
    lines = [say(locale, "settings.title", title=workspace.title)]
    if note:
        lines.insert(0, note)
    for step in STEP_LABELS:
        lines.append(f"{_step_label(locale, step)}：{_when(locale, workspace, step)}")
    minutes = int(agenda_lead(workspace.settings).total_seconds() // 60)
    lines.append(say(locale, "settings.line.agenda_lead", minutes=minutes))
    lines.append(say(locale, "settings.line.timezone", zone=workspace.timezone))
    lines.append(say(locale, "settings.line.escalation", weeks=escalation_weeks(workspace)))
    hours = grace(workspace.settings) / timedelta(hours=1)
    lines.append(say(locale, "settings.line.grace", hours=f"{hours:g}"))
    lines.append(say(locale, "settings.line.holidays"))
    ws = workspace.id
    steps = [Button(_step_label(locale, s), data=_data(ws, "day", s)) for s in STEP_LABELS]
    keyboard = [
        steps[:3],
        steps[3:],
        [
            Button(
                say(locale, "settings.button.agenda_lead"),
                data=_data(ws, "pick", "agenda_lead_minutes"),
            ),
            Button(say(locale, "settings.button.timezone"), data=_data(ws, "zone")),
        ],
        [
            Button(
                say(locale, "settings.button.escalation"),
                data=_data(ws, "pick", "escalation_weeks"),
            ),
            Button(say(locale, "settings.button.grace"), data=_data(ws, "pick", "grace_hours")),
        ],
    ]
    return "\n".join(lines), keyboard


def _rows(buttons: list[Button], width: int) -> Keyboard:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _back(locale: str, ws: int) -> list[Button]:
    return [Button(say(locale, "settings.button.back"), data=_data(ws, "menu"))]


def weekday_menu(workspace: Workspace, locale: str, step: str) -> tuple[str, Keyboard]:
    ws = workspace.id
    days = [Button(weekday_name(d, locale), data=_data(ws, "hour", step, d)) for d in range(1, 8)]
    text = say(
        locale,
        "settings.ask.weekday",
        step=_step_label(locale, step),
        current=_when(locale, workspace, step),
    )
    return text, [*_rows(days, 4), _back(locale, ws)]


def hour_menu(workspace: Workspace, locale: str, step: str, weekday: int) -> tuple[str, Keyboard]:
    ws = workspace.id
    hours = [Button(f"{h:02d}", data=_data(ws, "minute", step, weekday, h)) for h in HOURS]
    text = say(
        locale,
        "settings.ask.hour",
        step=_step_label(locale, step),
        day=weekday_name(weekday, locale),
    )
    return text, [*_rows(hours, 7), _back(locale, ws)]


def minute_menu(
    workspace: Workspace, locale: str, step: str, weekday: int, hour: int
) -> tuple[str, Keyboard]:
    ws = workspace.id
    minutes = [
        Button(f"{hour:02d}:{m}", data=_data(ws, "set", step, weekday, f"{hour:02d}{m}"))
        for m in MINUTES
    ]
    text = say(
        locale,
        "settings.ask.minute",
        step=_step_label(locale, step),
        day=weekday_name(weekday, locale),
    )
    return text, [minutes, _back(locale, ws)]


def pick_menu(workspace: Workspace, locale: str, name: str) -> tuple[str, Keyboard]:
    ws = workspace.id
    buttons = [
        Button(say(locale, f"settings.unit.{name}", n=n), data=_data(ws, "num", name, n))
        for n in CHOICES[name]
    ]
    return say(locale, f"settings.ask.{name}"), [*_rows(buttons, 3), _back(locale, ws)]


def zone_menu(workspace: Workspace, locale: str) -> tuple[str, Keyboard]:
    ws = workspace.id
    buttons = [Button(z, data=_data(ws, "tz", i)) for i, z in enumerate(ZONES)]
    text = say(locale, "settings.ask.timezone", zone=workspace.timezone)
    return text, [*_rows(buttons, 2), _back(locale, ws)]


async def open_menu(caller: Caller, args: str = "") -> Answer:
    """``/settings``: the menu of the office the person manages (asked, if several)."""
    workspace = await office_for(caller, ACTION, "settings", args)
    if isinstance(workspace, Answer):
        return workspace
    text, keyboard = overview(workspace, caller.locale)
    return Answer([Reply(text, buttons=keyboard)])


async def press(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    data: str,
    message_id: int | None,
) -> Result:
    """One button of the menus: show the next menu, or apply the change."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != PREFIX or not parts[1].isdigit():
        return Result(Reply(say(locale, "settings.stale")))
    workspace = await session.get(Workspace, int(parts[1]))
    if workspace is None or not await may(session, workspace.id, person, ACTION):
        return Result(Reply(say(locale, "access.denied")))
    try:
        text, keyboard, change = await _act(session, workspace, person, locale, now, parts[2:])
    except (ValueError, IndexError, KeyError):
        return Result(Reply(say(locale, "settings.stale")))
    return Result(Reply(text, buttons=keyboard, edit_message_id=message_id), change)


async def _act(
    session: AsyncSession,
    workspace: Workspace,
    person: Person,
    locale: str,
    now: datetime,
    args: list[str],
) -> tuple[str, Keyboard, bool]:
    action = args[0]
    if action == "menu":
        return (*overview(workspace, locale), False)
    if action == "day":
        return (*weekday_menu(workspace, locale, _step(args[1])), False)
    if action == "hour":
        return (*hour_menu(workspace, locale, _step(args[1]), int(args[2])), False)
    if action == "minute":
        return (*minute_menu(workspace, locale, _step(args[1]), int(args[2]), int(args[3])), False)
    if action == "pick":
        return (*pick_menu(workspace, locale, _number(args[1])), False)
    if action == "zone":
        return (*zone_menu(workspace, locale), False)
    if action == "set":
        hhmm = args[3]
        change = settings.set_step(
            session,
            workspace,
            _step(args[1]),
            int(args[2]),
            f"{hhmm[:2]}:{hhmm[2:]}",
            person.id,
            now,
        )
    elif action == "num":
        change = settings.set_number(session, workspace, _number(args[1]), args[2], person.id, now)
    elif action == "tz":
        change = settings.set_timezone(session, workspace, ZONES[int(args[1])], person.id, now)
    else:
        raise ValueError(action)
    if change.ok:
        await settings.refresh_deadlines(session, workspace, now)
    return (*overview(workspace, locale, say(locale, change.key, **change.params)), change.ok)


def _step(name: str) -> str:
    if name not in STEP_LABELS:
        raise ValueError(name)
    return name


def _number(name: str) -> str:
    if name not in CHOICES:
        raise ValueError(name)
    return name


HOLIDAY_WORDS = {
    "休息日": False,
    "休息": False,
    "假日": False,
    "holiday": False,
    "工作日": True,
    "上班": True,
    "workday": True,
}
REMOVE_WORDS = ("删除", "remove", "delete")


async def holiday_command(caller: Caller, args: list[str]) -> Result | Answer:
    """``/holiday DATE 休息日|工作日 [备注]``, ``/holiday DATE 删除``, ``/holiday`` to list;
    or the answer instead (refused, or the question which office)."""
    workspace = await office_for(caller, ACTION, "holiday", " ".join(args))
    if isinstance(workspace, Answer):
        return workspace
    session, person, locale, now = caller.session, caller.person, caller.locale, caller.now
    if not args:
        rows = await settings.overrides(session, workspace.id)
        lines = [say(locale, "settings.holiday.usage")]
        for row in rows:
            kind = say(locale, "cli.calendar.kind." + ("workday" if row.is_workday else "holiday"))
            lines.append(
                say(
                    locale,
                    "settings.holiday.line",
                    day=row.day.isoformat(),
                    kind=kind,
                    note=row.note,
                )
            )
        return Result(Reply("\n".join(lines)))
    day = settings.parse_day(args[0])
    if day is None:
        return Result(Reply(say(locale, "settings.error.date", text=args[0])))
    word = args[1].lower() if len(args) > 1 else ""
    if word in REMOVE_WORDS:
        change = await settings.remove_override(session, workspace, day, person.id, now)
    elif word in HOLIDAY_WORDS:
        note = " ".join(args[2:])
        change = await settings.set_override(
            session, workspace, day, HOLIDAY_WORDS[word], note, person.id, now
        )
    else:
        return Result(Reply(say(locale, "settings.holiday.usage")))
    if change.ok:
        await settings.refresh_deadlines(session, workspace, now)
    return Result(Reply(say(locale, change.key, **change.params)), change.ok)


async def _holiday_again(caller: Caller, args: str) -> Answer:
    """/holiday asked in private, run once its office is chosen."""
    result = await holiday_command(caller, args.split())
    return result if isinstance(result, Answer) else Answer([result.reply])


command("settings", open_menu)
command("holiday", _holiday_again)
