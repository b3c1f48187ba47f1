"""The weekly cycle's times (DESIGN §3), with each workspace's own settings on top.

A step is a weekday and a local time; a workspace may override any of them in its
``settings["schedule"]`` (e.g. ``{"deadline": {"weekday": 5, "time": "17:30"}}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from bot.periods import Period, local_datetime, period_containing
from bot.workdays import WorkdayCalendar, schedule_day, week_step_day


@dataclass(frozen=True)
class StepTime:
    weekday: int  # ISO: 1 = Monday
    at: time
    next_week: bool = False  # the Monday summary and meeting follow the week they are about


DEFAULTS: dict[str, StepTime] = {
    "open": StepTime(4, time(9, 0)),
    "reminder": StepTime(5, time(12, 0)),
    "deadline": StepTime(5, time(18, 0)),
    "summary": StepTime(1, time(8, 30), next_week=True),
    "meeting": StepTime(1, time(10, 0), next_week=True),
}
# Steps that move to a working day when they fall on a holiday (DESIGN §3).
WORKDAY_BOUND = frozenset({"open", "reminder", "deadline"})


def step_time(settings: dict[str, Any], step: str) -> StepTime:
    default = DEFAULTS[step]
    custom = (settings.get("schedule") or {}).get(step) or {}
    weekday = int(custom.get("weekday", default.weekday))
    at = time.fromisoformat(custom["time"]) if "time" in custom else default.at
    return StepTime(weekday, at, default.next_week)


def nominal_moment(settings: dict[str, Any], step: str, period: Period, tz: tzinfo) -> datetime:
    """When ``step`` of ``period`` is due by the weekly rule alone, before holidays."""
    rule = step_time(settings, step)
    week = period.next() if rule.next_week else period
    return local_datetime(week, rule.weekday, rule.at, tz)


def moment(
    settings: dict[str, Any], step: str, period: Period, tz: tzinfo, calendar: WorkdayCalendar
) -> datetime:
    """When ``step`` of ``period`` really happens: moved off holidays where it must be.

    The open and the reminder stay inside their week where they can
    (:func:`bot.workdays.week_step_day`), so that two weeks are never prompted on the same
    day after a long holiday. The deadline moves forward (it extends, rather than silently
    shortening the time to report) as long as that is before the next week opens; when a
    long holiday would push it past that (National Day: the week of 1 October would close
    on 8 October, the day the next week opens), it stays in its week like the open.
    """
    nominal = nominal_moment(settings, step, period, tz)
    if step not in WORKDAY_BOUND:
        return nominal
    day = week_step_day(nominal.date(), period.start, calendar)
    if step == "deadline":
        extended = schedule_day(nominal.date(), calendar)
        next_open = moment(settings, "open", period.next(), tz, calendar).date()
        if extended < next_open:
            day = extended
    return nominal + timedelta(days=(day - nominal.date()).days)


def reporting_period(
    settings: dict[str, Any], now: datetime, tz: tzinfo, calendar: WorkdayCalendar | None = None
) -> Period:
    """The week a report made now is about.

    Reports open on Thursday of their week; until then (Monday to Wednesday) the week
    being reported, late, is the previous one. With a ``calendar`` the real (holiday-moved)
    open time decides, so the prompt sent on 30 September for the week of National Day
    leads to that week's report; without one, the nominal time.
    """
    current = period_containing(now, tz)
    opens = (
        moment(settings, "open", current, tz, calendar)
        if calendar is not None
        else nominal_moment(settings, "open", current, tz)
    )
    if now < opens:
        return current.previous()
    return current
