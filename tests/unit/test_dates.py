"""Due dates as people type them, with hand-computed days and hypothesis properties.

Tuesday 1 December 2026 is "today" unless a case says otherwise.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.ledgers.dates import parse_due_date
from bot.parsing import InputError

TODAY = date(2026, 12, 1)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("12月15日", date(2026, 12, 15)),
        ("12月15号", date(2026, 12, 15)),
        ("１２月１５日", date(2026, 12, 15)),
        ("2026-12-15", date(2026, 12, 15)),
        ("2026/12/15", date(2026, 12, 15)),
        ("2026年12月15日", date(2026, 12, 15)),
        ("2027.1.5", date(2027, 1, 5)),
        ("12/15", date(2026, 12, 15)),
        ("12-15", date(2026, 12, 15)),
        ("1月10日", date(2027, 1, 10)),  # January has passed by more than half a year
        ("本周五", date(2026, 12, 4)),
        ("这周五", date(2026, 12, 4)),
        ("周五", date(2026, 12, 4)),
        ("下周五", date(2026, 12, 11)),
        ("下星期一", date(2026, 12, 7)),
        ("下下周三", date(2026, 12, 16)),
        ("本周日", date(2026, 12, 6)),
        ("周二", date(2026, 12, 1)),  # today is Tuesday
        ("今天", date(2026, 12, 1)),
        ("明天", date(2026, 12, 2)),
        ("月底", date(2026, 12, 31)),
        ("下月底", date(2027, 1, 31)),
        ("年底", date(2026, 12, 31)),
        ("两周内", date(2026, 12, 15)),
        ("10天后", date(2026, 12, 11)),
        ("3个月内", date(2027, 3, 1)),
        (" 12月15日。", date(2026, 12, 15)),
    ],
)
def test_due_dates_as_people_type_them(text: str, due: date) -> None:
    assert parse_due_date(text, TODAY) == due


@pytest.mark.parametrize(
    "text", ["尽快", "", "   ", "12月", "2月30日", "13/01", "2026-13-01", "下周八", "很快", "0/0"]
)
def test_what_is_not_one_day_is_refused(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_due_date(text, TODAY)
    assert refused.value.key == "date.not_a_date"


@pytest.mark.parametrize("text", ["11月20日", "2026-11-30", "11/30", "2025-12-31"])
def test_days_already_past_are_refused(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_due_date(text, TODAY)
    assert refused.value.key == "date.past"


def test_a_day_years_away_is_refused() -> None:
    with pytest.raises(InputError) as refused:
        parse_due_date("2040-01-01", TODAY)
    assert refused.value.key == "date.too_far"


def test_this_weeks_friday_on_a_saturday_is_past() -> None:
    saturday = date(2026, 12, 5)
    with pytest.raises(InputError) as refused:
        parse_due_date("本周五", saturday)
    assert refused.value.key == "date.past"
    assert parse_due_date("周五", saturday) == date(2026, 12, 11)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(days, st.integers(min_value=0, max_value=365 * 4))
def test_an_iso_date_ahead_parses_back(today: date, ahead: int) -> None:
    due = today + timedelta(days=ahead)
    assert parse_due_date(due.isoformat(), today) == due
    assert parse_due_date(f"{due.year}年{due.month}月{due.day}日", today) == due


@given(days, st.integers(min_value=0, max_value=150))
@example(date(2003, 12, 1), 90)  # 2月29日 of the coming leap year, from a common year
def test_a_month_and_day_within_the_coming_months_is_that_day(today: date, ahead: int) -> None:
    due = today + timedelta(days=ahead)
    assert parse_due_date(f"{due.month}月{due.day}日", today) == due


@given(days, st.integers(min_value=0, max_value=6))
def test_weekday_words_name_a_day_of_the_right_week(today: date, weekday: int) -> None:
    name = "一二三四五六日"[weekday]
    following = parse_due_date(f"下周{name}", today)
    assert following.weekday() == weekday
    assert (following - today).days in range(1, 14)
    coming = parse_due_date(f"周{name}", today)
    assert coming.weekday() == weekday and 0 <= (coming - today).days < 7


@given(days, st.text(max_size=30))
def test_any_text_is_a_day_from_today_on_or_is_refused(today: date, text: str) -> None:
    try:
        due = parse_due_date(text, today)
    except InputError as error:
        assert error.key in ("date.not_a_date", "date.past", "date.too_far")
        return
    assert due >= today
