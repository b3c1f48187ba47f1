"""The weekly cycle as data: which step happens when, and which are due now (DESIGN §3).

Pure functions over a workspace's settings, zone and working-day calendar, and an instant
the caller passes in (from :mod:`bot.clock`). The scheduler (``handlers/scheduler.py``)
asks :func:`due` on every tick instead of sleeping until a time, because the clock may
jump (tests and the demo move it through ``LIHUI_CLOCK_FILE``); ``lihui jobs list`` and the
demo's "jump to the next step" ask :func:`next_runs`.

Every occurrence of a step has a key (the week ``2026-W48``, or the month ``2026-11`` for
``monthly``) under which it is claimed once per workspace (``StepClaim``); a step is never
identified by its time, so moving a step in the settings never makes it happen twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from bot import schedule
from bot.i18n import translate
from bot.periods import Period, format_day, period_containing
from bot.workdays import WorkdayCalendar

# In the order of the week, as ``lihui jobs list`` prints them.
STEPS = ("open", "remind", "deadline", "agenda", "summary", "monthly")
# The step's rule in ``bot.schedule`` (``settings["schedule"]`` uses these names too).
RULES = {"open": "open", "remind": "reminder", "deadline": "deadline", "summary": "summary"}
DEFAULT_GRACE = timedelta(hours=24)
DEFAULT_AGENDA_LEAD = timedelta(hours=1)
DEFAULT_MONTHLY = (1, time(9, 0))  # day of the month after, local time
# How far back a start looks for steps it missed; one cycle: older ones are history.
LOOKBACK = timedelta(days=7)


@dataclass(frozen=True, order=True)
class Occurrence:
    """One step for one week (or month): when it happens, and the day it would have been."""

    at: datetime  # aware, in the workspace's zone
    step: str
    key: str  # the claim's period key: 2026-W48, or 2026-11 for monthly
    nominal_day: date | None = None  # set when a holiday moved the step to another day

    @property
    def moved(self) -> bool:
        return self.nominal_day is not None


def grace(settings: dict[str, Any]) -> timedelta:
    """How late a missed step may still run (``settings["grace_hours"]``, default 24)."""
    hours = settings.get("grace_hours")
    return timedelta(hours=float(hours)) if hours is not None else DEFAULT_GRACE


def agenda_lead(settings: dict[str, Any]) -> timedelta:
    """How long before the meeting the agenda is posted (``agenda_lead_minutes``)."""
    minutes = settings.get("agenda_lead_minutes")
    return timedelta(minutes=int(minutes)) if minutes is not None else DEFAULT_AGENDA_LEAD


def monthly_rule(settings: dict[str, Any]) -> tuple[int, time]:
    custom = (settings.get("schedule") or {}).get("monthly") or {}
    day = int(custom.get("day", DEFAULT_MONTHLY[0]))
    at = time.fromisoformat(custom["time"]) if "time" in custom else DEFAULT_MONTHLY[1]
    return day, at


def weekly_occurrence(
    settings: dict[str, Any], step: str, period: Period, tz: tzinfo, calendar: WorkdayCalendar
) -> Occurrence:
    """``step`` (not ``monthly``) of the week ``period``."""
    if step == "agenda":
        meeting = schedule.moment(settings, "meeting", period, tz, calendar)
        return Occurrence(meeting - agenda_lead(settings), step, period.key)
    rule = RULES[step]
    nominal = schedule.nominal_moment(settings, rule, period, tz)
    real = schedule.moment(settings, rule, period, tz, calendar)
    moved = nominal.date() if real.date() != nominal.date() else None
    return Occurrence(real, step, period.key, moved)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def monthly_occurrence(
    settings: dict[str, Any], year: int, month: int, tz: tzinfo, calendar: WorkdayCalendar
) -> Occurrence:
    """The roll-up of ``year-month``, on the first working day from the set day of the
    month after (1 October is National Day: September's summary comes on the 8th)."""
    day, at = monthly_rule(settings)
    nominal = _month_start(year, month + 1) + timedelta(days=day - 1)
    real = calendar.next_workday(nominal)
    when = datetime.combine(real, at, tzinfo=tz)
    return Occurrence(
        when, "monthly", f"{year:04d}-{month:02d}", nominal if real != nominal else None
    )


def occurrences_between(
    settings: dict[str, Any],
    tz: tzinfo,
    calendar: WorkdayCalendar,
    start: datetime,
    end: datetime,
    steps: tuple[str, ...] = STEPS,
) -> list[Occurrence]:
    """Every occurrence with ``start < at <= end``, in time order."""
    found: list[Occurrence] = []
    # A week's steps run from its Thursday to the next Monday, or a week later when a
    # holiday moves them, so the weeks to look at start two weeks before ``start``.
    period = period_containing(start - timedelta(days=14), tz)
    last = period_containing(end, tz)
    while period <= last:
        for step in steps:
            if step != "monthly":
                found.append(weekly_occurrence(settings, step, period, tz, calendar))
        period = period.next()
    if "monthly" in steps:
        local = (start - timedelta(days=62)).astimezone(tz)
        year, month = local.year, local.month
        while _month_start(year, month) <= end.astimezone(tz).date():
            found.append(monthly_occurrence(settings, year, month, tz, calendar))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(o for o in found if start < o.at <= end)


@dataclass(frozen=True)
class Due:
    """What a tick must do for one workspace: steps to run now, and missed ones to skip."""

    run: list[Occurrence]
    skip: list[Occurrence]


def due(
    settings: dict[str, Any],
    tz: tzinfo,
    calendar: WorkdayCalendar,
    since: datetime,
    now: datetime,
    settled: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> Due:
    """Steps whose time has come and that are not ``settled`` (claimed) yet.

    ``since`` is when the workspace began (nothing before it is owed). A step whose time
    passed within the grace period runs (late, once); an older one, up to one cycle back,
    is to be recorded as skipped so the office hears of it instead of never knowing.
    """
    window_start = max(since, now - LOOKBACK)
    found = occurrences_between(settings, tz, calendar, window_start, now)
    return due_among(found, settings, since, now, settled)


def due_among(
    occurrences: list[Occurrence],
    settings: dict[str, Any],
    since: datetime,
    now: datetime,
    settled: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> Due:
    """:func:`due` over occurrences computed beforehand (the scheduler keeps a day's worth,
    so a tick is a filter, not a calendar computation)."""
    window_start = max(since, now - LOOKBACK)
    limit = now - grace(settings)
    run: list[Occurrence] = []
    skip: list[Occurrence] = []
    for occurrence in occurrences:
        if not window_start < occurrence.at <= now or (occurrence.step, occurrence.key) in settled:
            continue
        (run if occurrence.at > limit else skip).append(occurrence)
    return Due(run, skip)


def next_runs(
    settings: dict[str, Any], tz: tzinfo, calendar: WorkdayCalendar, now: datetime
) -> list[Occurrence]:
    """The next occurrence of every step after ``now``, in :data:`STEPS` order.

    For ``lihui jobs list`` and the demo's "jump to the next step" (sort by ``at``).
    """
    upcoming = occurrences_between(settings, tz, calendar, now, now + timedelta(days=70))
    first: dict[str, Occurrence] = {}
    for occurrence in upcoming:
        first.setdefault(occurrence.step, occurrence)
    return [first[step] for step in STEPS if step in first]


def step_name(step: str, locale: str) -> str:
    return translate(locale, f"cycle.step.{step}")


def moved_reason(occurrence: Occurrence, calendar: WorkdayCalendar, locale: str) -> str | None:
    """ "moved from 1 Oct (National Day)" when a holiday moved the step, else None."""
    if occurrence.nominal_day is None:
        return None
    day = format_day(occurrence.nominal_day, locale)
    name = calendar.holiday_name(occurrence.nominal_day, locale)
    if name:
        return translate(locale, "cycle.moved.holiday", day=day, holiday=name)
    return translate(locale, "cycle.moved.rest_day", day=day)


def at_text(occurrence: Occurrence, locale: str) -> str:
    """ "11月26日（周四）09:00" in the workspace's zone."""
    return moment_text(occurrence.at, locale)


def moment_text(local: datetime, locale: str) -> str:
    """A local moment as the cycle's messages write it: "11月26日（周四）09:00"."""
    from bot.periods import weekday_name

    return translate(
        locale,
        "cycle.at",
        day=format_day(local.date(), locale),
        weekday=weekday_name(local.isoweekday(), locale),
        time=local.strftime("%H:%M"),
    )
