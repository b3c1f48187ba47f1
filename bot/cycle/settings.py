"""A workspace's settings of the weekly cycle: validated, audit-logged changes.

``/settings`` (``handlers/settings.py``) and ``lihui calendar`` both change settings through
these functions, in the caller's unit of work. Each checks the value and answers with a
catalog key (a clear refusal for a bad value), records the change with
:func:`bot.audit.record` (before and after), and leaves it to the caller to tell the
scheduler to rebuild the schedule.

Settings live in ``Workspace.settings`` (JSON): ``schedule`` (a weekday and time per
step), ``agenda_lead_minutes``, ``grace_hours``, ``escalation_weeks``; the zone in
``Workspace.timezone``; holiday overrides in ``WorkdayOverride`` rows.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.schedule import step_time
from storage.models import WorkdayOverride, Workspace

# The steps whose day and time can be set, by their name in ``settings["schedule"]``.
TIMED = ("open", "reminder", "deadline", "summary", "meeting")
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:：]([0-5]\d)\s*$")
LIMITS = {"escalation_weeks": (1, 52), "grace_hours": (1, 168), "agenda_lead_minutes": (0, 720)}


@dataclass(frozen=True)
class Change:
    """The outcome of one change: ``ok`` with a catalog key and its parameters."""

    ok: bool
    key: str
    params: dict[str, Any]


def refuse(key: str, **params: Any) -> Change:
    return Change(False, key, params)


async def refresh_deadlines(session: AsyncSession, workspace: Workspace, now: datetime) -> int:
    """Recompute the deadline of every week not closed yet, after a change of the rules.

    A week's row keeps its deadline (``Period.deadline_at``, which decides lateness) from
    when it was first used; a moved deadline, zone or holiday must reach the weeks still
    open, never the ones already closed.
    """
    from bot import schedule
    from bot.periods import parse_period
    from bot.reporting import calendar_for
    from storage.models import Period as PeriodRow

    calendar = await calendar_for(session, workspace)
    tz = ZoneInfo(workspace.timezone)
    rows = await session.scalars(
        select(PeriodRow).where(
            PeriodRow.workspace_id == workspace.id,
            (PeriodRow.deadline_at.is_(None)) | (PeriodRow.deadline_at > now),
        )
    )
    changed = 0
    for row in rows:
        deadline = schedule.moment(
            workspace.settings, "deadline", parse_period(row.key), tz, calendar
        )
        if deadline != row.deadline_at and deadline > now:
            row.deadline_at = deadline
            changed += 1
    return changed


def _saved(
    session: AsyncSession,
    workspace: Workspace,
    person_id: int | None,
    now: datetime,
    name: str,
    before: Any,
    after: Any,
) -> Change:
    audit.record(
        session,
        action=f"settings.{name}",
        now=now,
        workspace_id=workspace.id,
        person_id=person_id,
        before=before,
        after=after,
    )
    return Change(True, "settings.saved", {})


def parse_time(text: str) -> time | None:
    """``9:00``, ``09:00`` or ``09：00`` (a full-width colon, as Chinese keyboards type it)."""
    match = _TIME.match(text)
    return time(int(match.group(1)), int(match.group(2))) if match else None


def set_step(
    session: AsyncSession,
    workspace: Workspace,
    step: str,
    weekday: int | None,
    at: str | None,
    person_id: int | None,
    now: datetime,
) -> Change:
    """Move one step (``open`` ... ``meeting``) to another weekday and/or time."""
    if step not in TIMED:
        return refuse("settings.error.step")
    current = step_time(workspace.settings, step)
    new_weekday = current.weekday if weekday is None else weekday
    if not 1 <= new_weekday <= 7:
        return refuse("settings.error.weekday")
    new_time = current.at
    if at is not None:
        parsed = parse_time(at)
        if parsed is None:
            return refuse("settings.error.time", text=at)
        new_time = parsed
    settings = copy.deepcopy(workspace.settings or {})
    schedule = settings.setdefault("schedule", {})
    before = dict(schedule.get(step) or {})
    schedule[step] = {"weekday": new_weekday, "time": new_time.strftime("%H:%M")}
    workspace.settings = settings  # a new dict, so the JSON column is written
    return _saved(session, workspace, person_id, now, f"schedule.{step}", before, schedule[step])


def set_number(
    session: AsyncSession,
    workspace: Workspace,
    name: str,
    text: str,
    person_id: int | None,
    now: datetime,
) -> Change:
    """Escalation age (weeks), grace period (hours) or agenda lead (minutes)."""
    low, high = LIMITS[name]
    cleaned = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not cleaned.isdigit() or not low <= int(cleaned) <= high:
        return refuse("settings.error.number", text=text, low=low, high=high)
    settings = copy.deepcopy(workspace.settings or {})
    before = settings.get(name)
    settings[name] = int(cleaned)
    workspace.settings = settings
    return _saved(session, workspace, person_id, now, name, before, int(cleaned))


def set_timezone(
    session: AsyncSession, workspace: Workspace, text: str, person_id: int | None, now: datetime
) -> Change:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return refuse("settings.error.timezone", text=text)
    before = workspace.timezone
    workspace.timezone = name
    return _saved(session, workspace, person_id, now, "timezone", before, name)


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


async def set_override(
    session: AsyncSession,
    workspace: Workspace,
    day: date,
    is_workday: bool,
    note: str,
    person_id: int | None,
    now: datetime,
) -> Change:
    """Mark a day as a holiday or a (make-up) working day for this workspace."""
    row = await session.scalar(
        select(WorkdayOverride).where(
            WorkdayOverride.workspace_id == workspace.id, WorkdayOverride.day == day
        )
    )
    before = None if row is None else {"workday": row.is_workday, "note": row.note}
    if row is None:
        row = WorkdayOverride(workspace_id=workspace.id, day=day)
        session.add(row)
    row.is_workday = is_workday
    row.note = note[:200]
    after = {"day": day.isoformat(), "workday": is_workday, "note": row.note}
    await session.flush()
    return _saved(session, workspace, person_id, now, "calendar", before, after)


async def remove_override(
    session: AsyncSession, workspace: Workspace, day: date, person_id: int | None, now: datetime
) -> Change:
    row = await session.scalar(
        select(WorkdayOverride).where(
            WorkdayOverride.workspace_id == workspace.id, WorkdayOverride.day == day
        )
    )
    if row is None:
        return refuse("settings.error.no_override", day=day.isoformat())
    before = {"day": day.isoformat(), "workday": row.is_workday, "note": row.note}
    await session.delete(row)
    return _saved(session, workspace, person_id, now, "calendar", before, None)


async def overrides(session: AsyncSession, workspace_id: int | None) -> list[WorkdayOverride]:
    query = select(WorkdayOverride).order_by(WorkdayOverride.workspace_id, WorkdayOverride.day)
    if workspace_id is not None:
        query = query.where(WorkdayOverride.workspace_id == workspace_id)
    return list(await session.scalars(query))
