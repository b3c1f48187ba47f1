"""The weekly cycle's times and what is due: hand-computed against the 2026 calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cycle import (
    STEPS,
    Occurrence,
    at_text,
    due,
    moved_reason,
    next_runs,
    occurrences_between,
)
from bot.periods import Period
from bot.schedule import reporting_period
from bot.workdays import WorkdayCalendar, week_step_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEGINNING = datetime(2026, 1, 1, tzinfo=SHANGHAI)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


def table(occurrences: list[Occurrence]) -> list[tuple[str, str, datetime]]:
    return [(o.step, o.key, o.at) for o in occurrences]


def test_a_normal_week(calendar: WorkdayCalendar) -> None:
    week = occurrences_between({}, SHANGHAI, calendar, at(11, 26, 0), at(12, 1, 23))
    assert table(week) == [
        ("open", "2026-W48", at(11, 26, 9)),
        ("remind", "2026-W48", at(11, 27, 12)),
        ("deadline", "2026-W48", at(11, 27, 18)),
        ("summary", "2026-W48", at(11, 30, 8, 30)),
        ("agenda", "2026-W48", at(11, 30, 9)),
        ("monthly", "2026-11", at(12, 1, 9)),
    ]
    assert not any(o.moved for o in week)


def test_national_day_keeps_each_week_in_its_own_days(calendar: WorkdayCalendar) -> None:
    # 1-7 October are holidays; the week of 28 September has its working days before them,
    # so it opens, is reminded and closes on 30 September, and the next week opens on 8th.
    weeks = occurrences_between(
        {}, SHANGHAI, calendar, at(9, 29, 0), at(10, 12, 23), ("open", "remind", "deadline")
    )
    assert table(weeks) == [
        ("open", "2026-W40", at(9, 30, 9)),
        ("remind", "2026-W40", at(9, 30, 12)),
        ("deadline", "2026-W40", at(9, 30, 18)),
        ("open", "2026-W41", at(10, 8, 9)),
        ("remind", "2026-W41", at(10, 9, 12)),
        ("deadline", "2026-W41", at(10, 9, 18)),
    ]
    assert [o.nominal_day for o in weeks[:3]] == [
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 2),
    ]
    assert moved_reason(weeks[0], calendar, "zh-CN") == "原定10月1日，因国庆节调整"
    assert moved_reason(weeks[0], calendar, "en") == "moved from 1 Oct (National Day)"
    assert moved_reason(weeks[3], calendar, "zh-CN") is None


def test_a_deadline_on_a_holiday_extends_when_the_next_week_is_not_open_yet(
    calendar: WorkdayCalendar,
) -> None:
    # Friday 25 September 2026 is the Mid-Autumn Festival: the deadline moves to Monday.
    [deadline] = occurrences_between(
        {}, SHANGHAI, calendar, at(9, 24, 0), at(9, 29, 0), ("deadline",)
    )
    assert (deadline.key, deadline.at) == ("2026-W39", at(9, 28, 18))


def test_a_make_up_saturday_is_a_working_day(calendar: WorkdayCalendar) -> None:
    # A deadline set for Saturdays: 10 October 2026 is a make-up working day (调休), so it
    # stays there; on the ordinary Saturday a week later it moves to Monday.
    settings = {"schedule": {"deadline": {"weekday": 6, "time": "12:00"}}}
    found = occurrences_between(
        settings, SHANGHAI, calendar, at(10, 9, 0), at(10, 20, 0), ("deadline",)
    )
    assert table(found) == [
        ("deadline", "2026-W41", at(10, 10, 12)),
        ("deadline", "2026-W42", at(10, 19, 12)),
    ]
    assert found[1].nominal_day == date(2026, 10, 17)


def test_a_whole_week_of_holidays_still_opens_on_its_first_working_day() -> None:
    # An office's overrides make all of week 48 rest days: it opens Monday 30 November.
    calendar = WorkdayCalendar({date(2026, 11, 23) + timedelta(days=i): False for i in range(7)})
    assert week_step_day(date(2026, 11, 26), date(2026, 11, 23), calendar) == date(2026, 11, 30)
    [opened] = occurrences_between({}, SHANGHAI, calendar, at(11, 20, 0), at(11, 30, 23), ("open",))
    assert (opened.key, opened.at) == ("2026-W48", at(11, 30, 9))


def test_the_dialog_reports_the_week_the_prompt_was_for(calendar: WorkdayCalendar) -> None:
    # The prompt of week 40 goes out on 30 September; a report made then is for week 40.
    assert reporting_period({}, at(9, 30, 10), SHANGHAI, calendar) == Period(2026, 40)
    assert reporting_period({}, at(9, 30, 8), SHANGHAI, calendar) == Period(2026, 39)
    assert reporting_period({}, at(10, 8, 10), SHANGHAI, calendar) == Period(2026, 41)


def test_due_runs_what_is_within_grace_and_skips_what_is_older(
    calendar: WorkdayCalendar,
) -> None:
    # Down from Thursday morning to Monday 10:00: the Monday steps run late, the rest of
    # the week (more than 24 hours ago) is skipped; nothing older than a week is owed.
    plan = due({}, SHANGHAI, calendar, BEGINNING, at(11, 30, 10))
    assert table(plan.run) == [
        ("summary", "2026-W48", at(11, 30, 8, 30)),
        ("agenda", "2026-W48", at(11, 30, 9)),
    ]
    assert table(plan.skip) == [
        ("open", "2026-W48", at(11, 26, 9)),
        ("remind", "2026-W48", at(11, 27, 12)),
        ("deadline", "2026-W48", at(11, 27, 18)),
    ]


def test_due_leaves_out_what_is_settled_and_what_came_before_the_workspace(
    calendar: WorkdayCalendar,
) -> None:
    settled = {("summary", "2026-W48")}
    plan = due({}, SHANGHAI, calendar, at(11, 28, 0), at(11, 30, 10), settled)
    assert table(plan.run) == [("agenda", "2026-W48", at(11, 30, 9))]
    assert plan.skip == []


def test_the_grace_period_is_a_setting(calendar: WorkdayCalendar) -> None:
    plan = due({"grace_hours": 1.25}, SHANGHAI, calendar, BEGINNING, at(11, 30, 10))
    assert table(plan.run) == [("agenda", "2026-W48", at(11, 30, 9))]
    assert ("summary", "2026-W48", at(11, 30, 8, 30)) in table(plan.skip)


def test_nothing_is_due_before_its_minute(calendar: WorkdayCalendar) -> None:
    just_before = due({}, SHANGHAI, calendar, at(11, 26, 0), at(11, 26, 8, 59))
    assert just_before.run == [] and just_before.skip == []
    on_time = due({}, SHANGHAI, calendar, at(11, 26, 0), at(11, 26, 9))
    assert table(on_time.run) == [("open", "2026-W48", at(11, 26, 9))]


def test_next_runs_lists_every_step_once(calendar: WorkdayCalendar) -> None:
    runs = next_runs({}, SHANGHAI, calendar, at(11, 26, 10))
    assert [o.step for o in runs] == list(STEPS)
    assert table(runs) == [
        ("open", "2026-W49", at(12, 3, 9)),
        ("remind", "2026-W48", at(11, 27, 12)),
        ("deadline", "2026-W48", at(11, 27, 18)),
        ("agenda", "2026-W48", at(11, 30, 9)),
        ("summary", "2026-W48", at(11, 30, 8, 30)),
        ("monthly", "2026-11", at(12, 1, 9)),
    ]


def test_settings_move_steps_and_the_agenda_follows_the_meeting(
    calendar: WorkdayCalendar,
) -> None:
    settings = {
        "schedule": {"meeting": {"weekday": 2, "time": "15:00"}, "open": {"time": "08:00"}},
        "agenda_lead_minutes": 90,
    }
    found = occurrences_between(
        settings, SHANGHAI, calendar, at(11, 26, 0), at(12, 1, 23), ("open", "agenda")
    )
    assert table(found) == [
        ("open", "2026-W48", at(11, 26, 8)),
        ("agenda", "2026-W48", at(12, 1, 13, 30)),
    ]


def test_times_read_in_both_languages(calendar: WorkdayCalendar) -> None:
    [opened] = occurrences_between({}, SHANGHAI, calendar, at(11, 26, 0), at(11, 26, 10), ("open",))
    assert at_text(opened, "zh-CN") == "11月26日（周四）09:00"
    assert at_text(opened, "en") == "Thursday 26 Nov 09:00"


def test_the_monthly_summary_waits_for_a_working_day(calendar: WorkdayCalendar) -> None:
    [september] = occurrences_between(
        {}, SHANGHAI, calendar, at(9, 30, 0), at(10, 31, 0), ("monthly",)
    )
    assert (september.key, september.at) == ("2026-09", at(10, 8, 9))
    assert moved_reason(september, calendar, "zh-CN") == "原定10月1日，因国庆节调整"
