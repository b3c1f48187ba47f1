"""Working days: the package's 2026 calendar (verified against chinesecalendar 1.11), overrides,
unknown years and the scheduling policy."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from bot.workdays import WorkdayCalendar, package_covers, schedule_day

UNKNOWN_YEAR = 2035


@pytest.fixture
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_national_day_2026(calendar: WorkdayCalendar) -> None:
    for day in _days(date(2026, 10, 1), date(2026, 10, 7)):
        assert calendar.is_holiday(day), day
    assert calendar.is_workday(date(2026, 10, 8))  # Thursday
    assert calendar.is_workday(date(2026, 10, 9))  # Friday


def test_national_day_2026_make_up_days(calendar: WorkdayCalendar) -> None:
    assert calendar.is_workday(date(2026, 9, 20))  # Sunday, 调休
    assert calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert calendar.is_holiday(date(2026, 10, 11))  # an ordinary Sunday


def test_spring_festival_2026(calendar: WorkdayCalendar) -> None:
    for day in _days(date(2026, 2, 15), date(2026, 2, 23)):
        assert calendar.is_holiday(day), day
    assert calendar.is_workday(date(2026, 2, 14))  # Saturday, 调休
    assert calendar.is_workday(date(2026, 2, 28))  # Saturday, 调休
    assert calendar.is_workday(date(2026, 2, 24))


def test_holiday_names(calendar: WorkdayCalendar) -> None:
    assert calendar.holiday_name(date(2026, 10, 3), "zh-CN") == "国庆节"
    assert calendar.holiday_name(date(2026, 10, 3), "en") == "National Day"
    assert calendar.holiday_name(date(2026, 2, 17), "zh-CN") == "春节"
    assert calendar.holiday_name(date(2026, 1, 1), "zh-CN") == "元旦"
    assert calendar.holiday_name(date(2026, 4, 5), "zh-CN") == "清明节"
    assert calendar.holiday_name(date(2026, 5, 1), "zh-CN") == "劳动节"
    assert calendar.holiday_name(date(2026, 6, 19), "zh-CN") == "端午节"
    assert calendar.holiday_name(date(2026, 9, 25), "en") == "Mid-Autumn Festival"


def test_no_holiday_name_on_working_or_ordinary_days(calendar: WorkdayCalendar) -> None:
    assert calendar.holiday_name(date(2026, 10, 10), "zh-CN") is None  # make-up Saturday
    assert calendar.holiday_name(date(2026, 10, 11), "zh-CN") is None  # plain Sunday
    assert calendar.holiday_name(date(2026, 11, 26), "zh-CN") is None  # plain Thursday


def test_override_beats_package() -> None:
    calendar = WorkdayCalendar({date(2026, 10, 5): True, date(2026, 11, 26): False})
    assert calendar.is_workday(date(2026, 10, 5))
    assert calendar.holiday_name(date(2026, 10, 5), "zh-CN") is None
    assert calendar.is_holiday(date(2026, 11, 26))
    assert calendar.is_holiday(date(2026, 10, 4))  # untouched days keep the package's answer


def test_overrides_are_copied() -> None:
    overrides = {date(2026, 11, 26): False}
    calendar = WorkdayCalendar(overrides)
    overrides[date(2026, 11, 26)] = True
    assert calendar.is_holiday(date(2026, 11, 26))


def test_next_and_previous_workday(calendar: WorkdayCalendar) -> None:
    assert calendar.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert calendar.next_workday(date(2026, 10, 8)) == date(2026, 10, 8)
    assert calendar.next_workday(date(2026, 10, 8), inclusive=False) == date(2026, 10, 9)
    assert calendar.next_workday(date(2026, 10, 9), inclusive=False) == date(2026, 10, 10)
    assert calendar.previous_workday(date(2026, 10, 7)) == date(2026, 9, 30)
    assert calendar.previous_workday(date(2026, 10, 8), inclusive=False) == date(2026, 9, 30)


def test_workdays_between(calendar: WorkdayCalendar) -> None:
    assert calendar.workdays_between(date(2026, 10, 1), date(2026, 10, 11)) == [
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]
    assert calendar.workdays_between(date(2026, 10, 11), date(2026, 10, 1)) == []


def test_shift_to_workday(calendar: WorkdayCalendar) -> None:
    assert calendar.shift_to_workday(date(2026, 10, 2), "forward") == date(2026, 10, 8)
    assert calendar.shift_to_workday(date(2026, 10, 2), "backward") == date(2026, 9, 30)
    with pytest.raises(ValueError, match="direction"):
        calendar.shift_to_workday(date(2026, 10, 2), "sideways")  # type: ignore[arg-type]


def test_schedule_day_moves_holiday_thursday_forward(calendar: WorkdayCalendar) -> None:
    assert schedule_day(date(2026, 10, 1), calendar) == date(2026, 10, 8)  # open
    assert schedule_day(date(2026, 10, 2), calendar) == date(2026, 10, 8)  # deadline
    assert schedule_day(date(2026, 2, 19), calendar) == date(2026, 2, 24)
    assert schedule_day(date(2026, 9, 25), calendar) == date(2026, 9, 28)  # 中秋 Friday


def test_schedule_day_keeps_working_days(calendar: WorkdayCalendar) -> None:
    assert schedule_day(date(2026, 11, 26), calendar) == date(2026, 11, 26)
    assert schedule_day(date(2026, 10, 10), calendar) == date(2026, 10, 10)  # make-up Saturday


def test_known_years() -> None:
    assert package_covers(2026)
    assert not package_covers(UNKNOWN_YEAR)
    calendar = WorkdayCalendar({date(UNKNOWN_YEAR, 10, 1): False})
    assert calendar.known_year(2026)
    assert calendar.known_year(UNKNOWN_YEAR)
    assert not calendar.known_year(UNKNOWN_YEAR + 1)


def test_unknown_year_warns_once_and_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkdayCalendar({date(UNKNOWN_YEAR + 1, 1, 1): False})
    with caplog.at_level(logging.WARNING, logger="bot.workdays"):
        assert calendar.is_workday(date(UNKNOWN_YEAR, 10, 1))  # a Monday
        assert calendar.is_holiday(date(UNKNOWN_YEAR, 10, 6))  # a Saturday
        assert calendar.next_workday(date(UNKNOWN_YEAR, 10, 6)) == date(UNKNOWN_YEAR, 10, 8)
        assert calendar.holiday_name(date(UNKNOWN_YEAR, 10, 6), "zh-CN") is None
        assert calendar.is_holiday(date(UNKNOWN_YEAR + 1, 1, 1))  # configured: no warning
        assert calendar.is_workday(date(UNKNOWN_YEAR + 1, 1, 2))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(UNKNOWN_YEAR) in warnings[0].getMessage()
    assert "override" in warnings[0].getMessage()
    assert calendar.unknown_years_warned() == frozenset({UNKNOWN_YEAR})


def test_unknown_year_override_still_wins() -> None:
    calendar = WorkdayCalendar({date(UNKNOWN_YEAR, 10, 1): False, date(UNKNOWN_YEAR, 10, 7): True})
    assert calendar.is_holiday(date(UNKNOWN_YEAR, 10, 1))
    assert calendar.is_workday(date(UNKNOWN_YEAR, 10, 7))  # a Sunday made a working day
    assert schedule_day(date(UNKNOWN_YEAR, 10, 1), calendar) == date(UNKNOWN_YEAR, 10, 2)


def test_unknown_year_notice_from_catalog() -> None:
    calendar = WorkdayCalendar()
    assert calendar.unknown_year_notices("zh-CN") == []
    calendar.is_workday(date(UNKNOWN_YEAR, 3, 1))
    (zh,) = calendar.unknown_year_notices("zh-CN")
    (en,) = calendar.unknown_year_notices("en")
    assert "2035年" in zh
    assert "2035" in en
    assert "overrides" in en
