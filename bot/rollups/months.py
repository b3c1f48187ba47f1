"""Months and assessment windows as sets of reporting weeks.

**The rule: a reporting week belongs to the month that contains its Thursday.** This is
the ISO 8601 rule that assigns a week to its year, applied to months, so every week falls
in exactly one month, a month has four or five whole weeks, and the twelve months of a
year hold exactly the ISO weeks of that year (2026-W53, Thursday 31 December, belongs to
December 2026; 2027-W53 does not exist). It is also the rule office statistics use when a
week straddles two months: the week is counted where most of its working days are, and
Thursday is the day reports open. A half year is months 1–6 or 7–12; a window is a run of
whole months, written ``2026-01..2026-06``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import translate
from bot.periods import Period, period_of_date, weeks_in_year
from bot.replies import say
from bot.workdays import WorkdayCalendar

_MONTH_RE = re.compile(r"^(\d{4})-?(\d{1,2})$")
_HALF_RE = re.compile(r"^(\d{4})-?[Hh]([12])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


class InvalidWindow(ValueError):
    """A month or window that cannot be read; carries a catalog key for the user."""

    def __init__(self, message_key: str, **params: object) -> None:
        super().__init__(translate("en", message_key, **params))
        self.message_key = message_key
        self.params = params

    def translated(self, locale: str) -> str:
        """As plain text: a toast, the command line."""
        return translate(locale, self.message_key, **self.params)

    def said(self, locale: str) -> str:
        """As a reply (HTML): what the person typed is in it, escaped."""
        return say(locale, self.message_key, **self.params)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def weeks(self) -> list[Period]:
        """The ISO weeks whose Thursday falls in this month, in order."""
        first_thursday = self.first_day + timedelta(days=(3 - self.first_day.weekday()) % 7)
        weeks = []
        day = first_thursday
        while day.month == self.month:
            weeks.append(period_of_date(day))
            day += timedelta(days=7)
        return weeks

    def __str__(self) -> str:
        return self.key


def parse_month(text: str) -> Month:
    """``2026-11`` or ``202611``; anything else raises :class:`InvalidWindow`."""
    match = _MONTH_RE.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise InvalidWindow("rollups.error.bad_month", text=text.strip())
    return Month(int(match.group(1)), int(match.group(2)))


def month_of_week(period: Period) -> Month:
    """The month a reporting week is counted in (the month of its Thursday)."""
    thursday = period.start + timedelta(days=3)
    return Month(thursday.year, thursday.month)


def first_working_day(month: Month, calendar: WorkdayCalendar) -> date:
    """The day the month's summary of the month before is due: its first working day."""
    return calendar.next_workday(month.first_day)


@dataclass(frozen=True)
class Window:
    """A run of whole months to assess: a half year, a year, or any ``from..to``."""

    first: Month
    last: Month

    @property
    def key(self) -> str:
        """``2026-H1``, ``2026`` or ``2026-02..2026-05``: how adjustments and publications
        name the window they belong to."""
        if self.first.year == self.last.year:
            year = self.first.year
            if (self.first.month, self.last.month) == (1, 12):
                return f"{year:04d}"
            if (self.first.month, self.last.month) == (1, 6):
                return f"{year:04d}-H1"
            if (self.first.month, self.last.month) == (7, 12):
                return f"{year:04d}-H2"
        return f"{self.first.key}..{self.last.key}"

    def months(self) -> list[Month]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = month.next()
        return months

    def weeks(self) -> list[Period]:
        return [week for month in self.months() for week in month.weeks()]

    @property
    def is_year(self) -> bool:
        return self.first == Month(self.first.year, 1) and self.last == Month(self.first.year, 12)


def window(first: Month, last: Month) -> Window:
    if last < first:
        raise InvalidWindow("rollups.error.bad_range", first=first.key, last=last.key)
    return Window(first, last)


def half_year(year: int, half: int) -> Window:
    return (
        Window(Month(year, 1), Month(year, 6))
        if half == 1
        else Window(Month(year, 7), Month(year, 12))
    )


def whole_year(year: int) -> Window:
    return Window(Month(year, 1), Month(year, 12))


def parse_window(text: str) -> Window:
    """``2026-H1``, ``2026``, ``2026-03`` (one month) or ``2026-01..2026-06``."""
    text = text.strip()
    if match := _HALF_RE.match(text):
        return half_year(int(match.group(1)), int(match.group(2)))
    if match := _YEAR_RE.match(text):
        return whole_year(int(match.group(1)))
    if ".." in text:
        first, _, last = text.partition("..")
        return window(parse_month(first), parse_month(last))
    month = parse_month(text)
    return Window(month, month)


def current_half(today: date) -> Window:
    """The half year that ``today`` falls in."""
    return half_year(today.year, 1 if today.month <= 6 else 2)


def year_progress(last: Month) -> tuple[int, int]:
    """(weeks of the year up to the end of ``last``, weeks in the year): the time share
    against which a yearly target is measured (时序进度)."""
    elapsed = sum(len(Month(last.year, m).weeks()) for m in range(1, last.month + 1))
    return elapsed, weeks_in_year(last.year)


def summary_due_on(day: date, calendar: WorkdayCalendar) -> Month | None:
    """The month whose summary is due on ``day``: the month before, if ``day`` is the first
    working day of its month (for the scheduled ``monthly`` step); else None."""
    month = Month(day.year, day.month)
    return month.previous() if first_working_day(month, calendar) == day else None
