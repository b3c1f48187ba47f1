"""Reporting weeks (周期): an ISO week, Monday to Sunday, in the workspace's time zone.

ISO weeks rather than "week N of the calendar year" because the office numbers its weeks
that way and because an ISO week never splits across a year boundary: 2026-12-31 belongs
to 2026-W53 and 2027-01-01 too, so a week that straddles New Year is still one report.

Everything here is pure: the caller passes the instant (from :mod:`bot.clock`) and the
workspace's zone, so the same code answers "which week is it?" for every workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta, tzinfo

from bot.i18n import translate

_PERIOD_RE = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


class InvalidPeriod(ValueError):
    """A week that cannot be parsed or does not exist.

    It carries a catalog key and parameters besides the English message, so a handler can
    tell the user what was wrong in the user's language without parsing exception text.
    """

    def __init__(self, message: str, message_key: str, **params: object) -> None:
        super().__init__(message)
        self.message_key = message_key
        self.params = params

    def translated(self, locale: str) -> str:
        """The explanation for the user, from the catalog."""
        return translate(locale, self.message_key, **self.params)


def weeks_in_year(iso_year: int) -> int:
    """52 or 53: 28 December always lies in the last ISO week of its year."""
    return date(iso_year, 12, 28).isocalendar().week


@dataclass(frozen=True, order=True)
class Period:
    """One reporting week; ordered chronologically because fields compare (year, week)."""

    iso_year: int
    week: int

    def __post_init__(self) -> None:
        if not MINYEAR <= self.iso_year <= MAXYEAR:
            raise InvalidPeriod(
                f"year {self.iso_year} is out of range",
                "periods.error.year_range",
                year=self.iso_year,
            )
        weeks = weeks_in_year(self.iso_year)
        if not 1 <= self.week <= weeks:
            raise InvalidPeriod(
                f"{self.iso_year} has {weeks} ISO weeks; week {self.week} does not exist",
                "periods.error.no_such_week",
                year=self.iso_year,
                week=self.week,
                weeks=weeks,
            )

    @property
    def start(self) -> date:
        """The Monday that opens the week."""
        return date.fromisocalendar(self.iso_year, self.week, 1)

    @property
    def end(self) -> date:
        """The Sunday that closes the week (inclusive)."""
        return self.start + timedelta(days=6)

    @property
    def key(self) -> str:
        """Stable text id, e.g. ``2026-W48``; used in storage, callbacks and file names."""
        return f"{self.iso_year:04d}-W{self.week:02d}"

    def next(self) -> Period:
        return period_of_date(self.start + timedelta(days=7))

    def previous(self) -> Period:
        return period_of_date(self.start - timedelta(days=7))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= _as_date(day) <= self.end

    def __str__(self) -> str:
        return self.key


def _as_date(day: date) -> date:
    """A ``datetime`` is a ``date`` subclass; compare calendar days only."""
    return day.date() if isinstance(day, datetime) else day


def period_of_date(d: date) -> Period:
    """The week a calendar day belongs to (already a local date: no zone involved)."""
    iso = _as_date(d).isocalendar()
    return Period(iso.year, iso.week)


def period_containing(moment: datetime, tz: tzinfo) -> Period:
    """The week of an instant as seen in the workspace's zone.

    Converting first matters: Monday 01:00 in Shanghai is still Sunday in UTC, and the
    office expects the new week to have begun.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("period_containing needs a timezone-aware datetime")
    return period_of_date(moment.astimezone(tz).date())


def parse_period(text: str) -> Period:
    """Read ``2026-W48``, ``2026W48`` or ``2026-w48`` (surrounding blanks ignored).

    Raises :class:`InvalidPeriod` (a ``ValueError``) for anything else, including week 53
    of a year that has only 52 ISO weeks.
    """
    match = _PERIOD_RE.match(text.strip())
    if match is None:
        raise InvalidPeriod(
            f"not a reporting week: {text!r}; expected a form like 2026-W48",
            "periods.error.unparsable",
            text=text.strip(),
        )
    return Period(int(match.group(1)), int(match.group(2)))


def local_datetime(period: Period, weekday: int, at: time, tz: tzinfo) -> datetime:
    """The aware instant of ``weekday`` (ISO: 1 = Monday ... 7 = Sunday) at ``at`` in ``tz``.

    The weekly cycle is defined in local wall-clock time ("Thursday 09:00"); this is the
    single place that turns such a rule into an instant the scheduler can compare.
    """
    if not 1 <= weekday <= 7:
        raise ValueError(f"weekday must be 1 (Monday) to 7 (Sunday), got {weekday}")
    day = period.start + timedelta(days=weekday - 1)
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)


def weekday_name(weekday: int, locale: str) -> str:
    """周一 / Monday ... for ISO weekday 1..7, from the catalog."""
    if not 1 <= weekday <= 7:
        raise ValueError(f"weekday must be 1 (Monday) to 7 (Sunday), got {weekday}")
    return translate(locale, f"periods.weekday.{weekday}")


def format_day(d: date, locale: str, *, with_year: bool = False) -> str:
    """11月23日 / 23 Nov, optionally with the year, wording from the catalog."""
    month = translate(locale, f"periods.month.{d.month}")
    if with_year:
        return translate(locale, "periods.date.with_year", year=d.year, month=month, day=d.day)
    return translate(locale, "periods.date.short", month=month, day=d.day)


def _date_range(period: Period, locale: str) -> str:
    """The week's days; years appear only where the week leaves its ISO year."""
    start, end = period.start, period.end
    if start.year == end.year == period.iso_year:
        if start.month == end.month:
            month = translate(locale, f"periods.month.{start.month}")
            return translate(
                locale,
                "periods.range.same_month",
                month=month,
                start_day=start.day,
                end_day=end.day,
            )
        return translate(
            locale,
            "periods.range.general",
            start=format_day(start, locale),
            end=format_day(end, locale),
        )
    return translate(
        locale,
        "periods.range.general",
        start=format_day(start, locale, with_year=start.year != period.iso_year),
        end=format_day(end, locale, with_year=True),
    )


def label(period: Period, locale: str) -> str:
    """Human label: ``2026年第48周（11月23日—11月29日）`` / ``2026 week 48 (23–29 Nov)``."""
    return translate(
        locale,
        "periods.label",
        year=period.iso_year,
        week=period.week,
        range=_date_range(period, locale),
    )
