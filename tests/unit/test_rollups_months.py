"""Which weeks make a month, and when the month's summary is due."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.periods import Period
from bot.rollups.months import (
    InvalidWindow,
    Month,
    first_working_day,
    month_of_week,
    parse_month,
    parse_window,
    summary_due_on,
)
from bot.workdays import WorkdayCalendar


def test_a_week_belongs_to_the_month_of_its_thursday() -> None:
    # November 2026: Thursdays 5, 12, 19, 26 → W45..W48; W49 (Thu 3 Dec) is December's
    assert [w.key for w in Month(2026, 11).weeks()] == [
        "2026-W45", "2026-W46", "2026-W47", "2026-W48",
    ]  # fmt: skip
    # September 2026 starts on a Tuesday: W36 (31 Aug–6 Sep, Thu 3 Sep) is September's
    assert Month(2026, 9).weeks()[0].key == "2026-W36"
    assert month_of_week(Period(2026, 36)) == Month(2026, 9)
    # 2026 has 53 ISO weeks; the 53rd (Thu 31 Dec) is December's, and 2027-W01 is January's
    assert Month(2026, 12).weeks()[-1].key == "2026-W53"
    assert month_of_week(Period(2027, 1)) == Month(2027, 1)


@given(st.integers(min_value=2000, max_value=2100))
def test_the_months_of_a_year_hold_exactly_its_weeks(year: int) -> None:
    weeks = [w for m in range(1, 13) for w in Month(year, m).weeks()]
    assert weeks == sorted(set(weeks)) and all(w.iso_year == year for w in weeks)
    assert len(weeks) == date(year, 12, 28).isocalendar().week
    assert all(len(Month(year, m).weeks()) in (4, 5) for m in range(1, 13))


def test_the_first_working_day_of_october_2026_is_the_8th() -> None:
    # National Day (with Mid-Autumn) is 1–7 October 2026: September's summary is due the 8th
    calendar = WorkdayCalendar()
    assert first_working_day(Month(2026, 10), calendar) == date(2026, 10, 8)
    assert first_working_day(Month(2026, 12), calendar) == date(2026, 12, 1)
    # so September's summary is due then, and on no other day of October
    assert summary_due_on(date(2026, 10, 8), calendar) == Month(2026, 9)
    assert summary_due_on(date(2026, 10, 1), calendar) is None
    assert summary_due_on(date(2026, 10, 9), calendar) is None
    assert summary_due_on(date(2027, 1, 4), WorkdayCalendar({date(2027, 1, 1): False})) == Month(
        2026, 12
    )
    # an office override wins: a local rest day on Tuesday 1 December moves it to the 2nd
    overridden = WorkdayCalendar({date(2026, 12, 1): False})
    assert first_working_day(Month(2026, 12), overridden) == date(2026, 12, 2)


def test_months_and_windows_are_read_leniently_and_refused_politely() -> None:
    assert parse_month(" 2026-11 ") == Month(2026, 11)
    assert parse_month("202603") == Month(2026, 3)
    assert parse_window("2026-H1").key == "2026-H1"
    assert parse_window("2026h2").key == "2026-H2"
    assert parse_window("2026").is_year
    assert parse_window("2026-02..2026-05").key == "2026-02..2026-05"
    for bad in ("2026-13", "十一月", "2026-05..2026-02", ""):
        with pytest.raises(InvalidWindow) as caught:
            parse_window(bad)
        assert caught.value.translated("zh-CN")


@given(st.text(max_size=20))
def test_no_text_makes_the_window_parser_raise_anything_but_invalid_window(text: str) -> None:
    with contextlib.suppress(InvalidWindow):
        parse_window(text)
