"""Reporting weeks: ISO numbering, zones, parsing and labels (expectations computed by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.periods import (
    InvalidPeriod,
    Period,
    label,
    local_datetime,
    parse_period,
    period_containing,
    period_of_date,
    weekday_name,
    weeks_in_year,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Keep next()/previous() away from date.min / date.max.
dates = st.dates(min_value=date(1900, 1, 8), max_value=date(2200, 12, 24))


def test_2026_11_28_is_in_week_48() -> None:
    period = period_of_date(date(2026, 11, 28))
    assert period == Period(2026, 48)
    assert period.start == date(2026, 11, 23)
    assert period.end == date(2026, 11, 29)
    assert period.key == "2026-W48"
    assert str(period) == "2026-W48"


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 12, 27), "2026-W52"),
        (date(2026, 12, 28), "2026-W53"),
        (date(2026, 12, 31), "2026-W53"),
        (date(2027, 1, 1), "2026-W53"),
        (date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (date(2025, 12, 29), "2026-W01"),
        (date(2026, 1, 1), "2026-W01"),
        (date(2020, 12, 31), "2020-W53"),
        (date(2021, 1, 3), "2020-W53"),
        (date(2021, 1, 4), "2021-W01"),
    ],
)
def test_year_boundaries(day: date, key: str) -> None:
    assert period_of_date(day).key == key


def test_2026_and_2020_have_53_weeks() -> None:
    assert weeks_in_year(2026) == 53  # 1 January 2026 is a Thursday
    assert weeks_in_year(2020) == 53  # leap year starting on Wednesday
    assert weeks_in_year(2025) == 52
    assert weeks_in_year(2027) == 52


def test_week_53_bounds() -> None:
    assert Period(2026, 53).start == date(2026, 12, 28)
    assert Period(2026, 53).end == date(2027, 1, 3)
    assert Period(2020, 53).start == date(2020, 12, 28)
    assert Period(2020, 53).end == date(2021, 1, 3)


def test_next_and_previous_cross_years() -> None:
    assert Period(2026, 53).next() == Period(2027, 1)
    assert Period(2027, 1).previous() == Period(2026, 53)
    assert Period(2025, 52).next() == Period(2026, 1)
    assert Period(2026, 48).next() == Period(2026, 49)


def test_ordering() -> None:
    assert Period(2025, 52) < Period(2026, 1) < Period(2026, 48) < Period(2026, 53)
    assert max(Period(2027, 1), Period(2026, 53)) == Period(2027, 1)


def test_contains() -> None:
    assert date(2026, 11, 23) in Period(2026, 48)
    assert date(2026, 11, 30) not in Period(2026, 48)


def test_sunday_night_in_shanghai_is_still_that_week() -> None:
    moment = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)  # Sunday 23:30 in Shanghai
    assert period_containing(moment, SHANGHAI) == Period(2026, 48)


def test_monday_morning_in_shanghai_is_the_next_week() -> None:
    moment = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Monday 01:00 in Shanghai
    assert period_containing(moment, SHANGHAI) == Period(2026, 49)
    assert period_containing(moment, UTC) == Period(2026, 48)


def test_naive_moment_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_containing(datetime(2026, 11, 29, 17, 0), SHANGHAI)


def test_local_datetime_thursday_nine() -> None:
    moment = local_datetime(Period(2026, 48), 4, time(9, 0), SHANGHAI)
    assert moment == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert moment.astimezone(SHANGHAI).isoformat() == "2026-11-26T09:00:00+08:00"


def test_local_datetime_sunday_of_week_53() -> None:
    moment = local_datetime(Period(2026, 53), 7, time(18, 0), SHANGHAI)
    assert moment == datetime(2027, 1, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("weekday", [0, 8])
def test_local_datetime_refuses_bad_weekday(weekday: int) -> None:
    with pytest.raises(ValueError, match="weekday"):
        local_datetime(Period(2026, 48), weekday, time(9, 0), SHANGHAI)


@pytest.mark.parametrize("text", ["2026-W48", "2026W48", "2026-w48", " 2026-W48 ", "2026-W8"])
def test_parse_accepted_forms(text: str) -> None:
    expected = Period(2026, 8) if text.endswith("W8") else Period(2026, 48)
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2026", "2026-48", "W48", "2026-W", "26-W48", "2026-W048", "2026–W48", "2026-W48x"],
)
def test_parse_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not a reporting week"):
        parse_period(text)


@pytest.mark.parametrize("text", ["2026-W00", "2025-W53", "2027-W53", "2026-W54", "2026-W99"])
def test_parse_refuses_weeks_that_do_not_exist(text: str) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        parse_period(text)


def test_week_53_accepted_only_when_it_exists() -> None:
    assert parse_period("2020-W53") == Period(2020, 53)
    assert parse_period("2026-W53") == Period(2026, 53)


def test_invalid_period_is_translated() -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse_period("2025-W53")
    assert caught.value.translated("zh-CN") == "2025年只有52周，不存在第53周。"
    assert caught.value.translated("en") == "2025 has only 52 weeks; there is no week 53."


@pytest.mark.parametrize(
    ("key", "zh", "en"),
    [
        ("2026-W48", "2026年第48周（11月23日—11月29日）", "2026 week 48 (23–29 Nov)"),
        ("2026-W49", "2026年第49周（11月30日—12月6日）", "2026 week 49 (30 Nov – 6 Dec)"),
        (
            "2020-W53",
            "2020年第53周（12月28日—2021年1月3日）",
            "2020 week 53 (28 Dec – 3 Jan 2021)",
        ),
        (
            "2026-W53",
            "2026年第53周（12月28日—2027年1月3日）",
            "2026 week 53 (28 Dec – 3 Jan 2027)",
        ),
        (
            "2026-W01",
            "2026年第1周（2025年12月29日—2026年1月4日）",
            "2026 week 1 (29 Dec 2025 – 4 Jan 2026)",
        ),
        ("2027-W01", "2027年第1周（1月4日—1月10日）", "2027 week 1 (4–10 Jan)"),
    ],
)
def test_labels(key: str, zh: str, en: str) -> None:
    period = parse_period(key)
    assert label(period, "zh-CN") == zh
    assert label(period, "en") == en


def test_weekday_names() -> None:
    assert weekday_name(4, "zh-CN") == "周四"
    assert weekday_name(7, "en") == "Sunday"


@given(dates)
def test_key_round_trips(day: date) -> None:
    period = period_of_date(day)
    assert parse_period(period.key) == period
    assert parse_period(period.key.replace("-", "").lower()) == period


@given(dates)
def test_week_is_monday_to_sunday_around_the_day(day: date) -> None:
    period = period_of_date(day)
    assert period.start.isoweekday() == 1
    assert period.end - period.start == timedelta(days=6)
    assert period.start <= day <= period.end


@given(dates)
def test_next_previous_are_adjacent(day: date) -> None:
    period = period_of_date(day)
    assert period.next().start == period.end + timedelta(days=1)
    assert period.next().previous() == period
    assert period.previous() < period < period.next()


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_period_containing_uses_local_date(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    assert period_containing(moment, SHANGHAI) == period_of_date(moment.astimezone(SHANGHAI))


@given(dates)
def test_labels_are_filled_in_both_locales(day: date) -> None:
    period = period_of_date(day)
    for locale in ("zh-CN", "en"):
        text = label(period, locale)
        assert "{" not in text
        assert "periods." not in text
        assert str(period.iso_year) in text
