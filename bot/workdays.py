"""Working days in mainland China: official holidays, make-up working days (调休), overrides.

The official calendar comes from the maintained ``chinese_calendar`` package, which is
updated each year after the State Council publishes the next year's holidays. Until the
package knows a year, and for local arrangements, a workspace keeps overrides
(``date -> True`` for a working day, ``False`` for a rest day) that always win.

For a year the package does not cover and the workspace has not configured, the calendar
falls back to Monday-Friday and warns once per year: a wrong guess about a holiday is
better than a crash in the scheduler, but the office must be told to fill the year in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import Literal

import chinese_calendar
from chinese_calendar import Holiday

from bot.i18n import translate

logger = logging.getLogger(__name__)

Direction = Literal["forward", "backward"]

# No real calendar has a run of rest days this long; hitting it means the overrides are wrong.
_MAX_SEARCH_DAYS = 366


@cache
def package_covers(year: int) -> bool:
    """Whether ``chinese_calendar`` has the official holidays of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkdayCalendar:
    """One workspace's view of working days: the package's calendar plus its overrides."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides: Mapping[date, bool] = MappingProxyType(dict(overrides or {}))
        self._configured_years = frozenset(d.year for d in self.overrides)
        self._warned_years: set[int] = set()

    def known_year(self, year: int) -> bool:
        """Covered by the package, or configured here by at least one override in that year.

        A single override marks the year as configured on purpose: an admin entering the
        new year's holidays by hand starts with one date, and from then on the year is the
        admin's responsibility, so the unknown-year warning stops.
        """
        return package_covers(year) or year in self._configured_years

    def is_workday(self, d: date) -> bool:
        """Whether people work on ``d``; a make-up Saturday (调休) is a working day."""
        if d in self.overrides:
            return self.overrides[d]
        if package_covers(d.year):
            return chinese_calendar.is_workday(d)
        if d.year not in self._configured_years:
            self._warn_unknown_year(d.year)
        return d.weekday() < 5

    def is_holiday(self, d: date) -> bool:
        """Whether ``d`` is a rest day: an official holiday or an ordinary weekend day."""
        return not self.is_workday(d)

    def holiday_name(self, d: date, locale: str) -> str | None:
        """The festival ``d`` is a rest day for (国庆节 / National Day), if it has one.

        ``None`` on working days (make-up days included), ordinary weekends, years the
        package does not cover and override rest days, which carry no name.
        """
        if self.is_workday(d) or not package_covers(d.year):
            return None
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        if not on_holiday or name is None:
            return None
        return translate(locale, _holiday_key(name))

    def next_workday(self, d: date, inclusive: bool = True) -> date:
        """The first working day on or after ``d`` (strictly after if not ``inclusive``)."""
        return self._search(d if inclusive else d + timedelta(days=1), timedelta(days=1))

    def previous_workday(self, d: date, inclusive: bool = True) -> date:
        """The last working day on or before ``d`` (strictly before if not ``inclusive``)."""
        return self._search(d if inclusive else d - timedelta(days=1), timedelta(days=-1))

    def workdays_between(self, a: date, b: date) -> list[date]:
        """The working days from ``a`` to ``b``, both included; empty when ``b < a``."""
        days = (a + timedelta(days=i) for i in range((b - a).days + 1))
        return [day for day in days if self.is_workday(day)]

    def shift_to_workday(self, d: date, direction: Direction) -> date:
        """``d`` itself if it is a working day, else the nearest one in ``direction``."""
        if direction == "forward":
            return self.next_workday(d)
        if direction == "backward":
            return self.previous_workday(d)
        raise ValueError(f"direction must be 'forward' or 'backward', got {direction!r}")

    def unknown_years_warned(self) -> frozenset[int]:
        """Years looked up without calendar data, so that the UI can show the notice."""
        return frozenset(self._warned_years)

    def unknown_year_notices(self, locale: str) -> list[str]:
        """The user-facing notice (``workdays.unknown_year``) for each such year."""
        return [
            translate(locale, "workdays.unknown_year", year=year)
            for year in sorted(self._warned_years)
        ]

    def _search(self, start: date, step: timedelta) -> date:
        day = start
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_workday(day):
                return day
            day += step
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days of {start}")

    def _warn_unknown_year(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        logger.warning(
            "No official holiday data for %d (chinese_calendar %s does not cover it): "
            "treating Monday to Friday as working days. Add the holidays and make-up "
            "working days of %d as workspace overrides, or upgrade chinesecalendar.",
            year,
            getattr(chinese_calendar, "__version__", "?"),
            year,
        )


def _holiday_key(package_name: str) -> str:
    """Catalog key for the package's English holiday name ("National Day")."""
    try:
        return f"workdays.holiday.{Holiday(package_name).name}"
    except ValueError:
        return "workdays.holiday.other"  # a holiday added by a newer package version


def schedule_day(nominal: date, calendar: WorkdayCalendar) -> date:
    """The day a weekly step (open, reminder, deadline) really happens.

    A step whose nominal day is a rest day moves *forward* to the next working day, never
    back: people do not work on holidays, so a prompt sent on 1 October would go unread,
    and by the usual rule a deadline falling on a holiday extends to the next working day
    rather than silently shortening the time to report. A make-up working Saturday counts
    as a working day. The result may fall in the following ISO week (a Thursday open on
    National Day moves to 8 October); the weekly cycle decides what that means for it.
    """
    return calendar.shift_to_workday(nominal, "forward")


def week_step_day(nominal: date, week_start: date, calendar: WorkdayCalendar) -> date:
    """The day the week's open or reminder really happens: inside its own week if it can.

    Forward to the next working day while that stays in the week; otherwise back to the
    last working day of the week before the nominal day (the office reports the week
    before National Day on 30 September, not together with the next week on 8 October);
    and only when the whole week is rest days, forward to the first working day after it,
    so that the week still opens.
    """
    week_end = week_start + timedelta(days=6)
    forward = calendar.next_workday(nominal)
    if forward <= week_end:
        return forward
    day = nominal - timedelta(days=1)
    while day >= week_start:
        if calendar.is_workday(day):
            return day
        day -= timedelta(days=1)
    return forward
