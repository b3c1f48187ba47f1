"""The agenda and the bulletin of the hand-worked week in ``fixture.py``, on both backends."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reports.agenda import Agenda, compile_agenda
from bot.reports.bulletin import Bulletin, compile_bulletin, from_json, to_json
from bot.reports.data import PeriodData
from bot.reports.service import week_data
from storage.db import Database
from tests.reports.fixture import NOW, WEEK, build_office


@pytest.fixture
async def data(database: Database) -> PeriodData:
    async with database.session() as session:
        office = await build_office(session)
        return await week_data(session, office.workspace, WEEK, NOW)


@pytest.fixture
def agenda(data: PeriodData) -> Agenda:
    return compile_agenda(data)


@pytest.fixture
def bulletin(data: PeriodData) -> Bulletin:
    return compile_bulletin(data)


def test_each_group_reports_as_it_did(data: PeriodData) -> None:
    assert [(g.name, g.reporting) for g in data.groups] == [
        ("甲组", "on_time"),
        ("乙组", "late"),
        ("丙组", "missing"),  # a draft is not a report
        ("丁组", "exempt"),
        ("戊组", "on_time"),
    ]
    assert data.groups[3].exempt_reason == "集中督查"


def test_the_committed_revision_is_read_never_the_working_copy(data: PeriodData) -> None:
    first = data.groups[0]
    assert first.done_text == "举办招聘会<2场>"  # revision 2, not the draft being edited
    assert (first.progress_status, first.percent) == ("on_track", 60)
    people = next(line for line in data.indicators if line.name == "服务人次")
    assert people.week == 100.0  # not revision 1's 80, not the working copy's 999


def test_year_to_date_sums_the_iso_year_and_averages_rates(data: PeriodData) -> None:
    people, rate = data.indicators
    # 40 + 50 + 100; the 1000 of 2025-W52 belongs to the year before.
    assert (people.week, people.year_to_date, people.target) == (100.0, 190.0, 1000.0)
    assert people.attainment == pytest.approx(0.19)
    # 成功率 is a rate (%): 70, 90, 80 average to 80.
    assert (rate.week, rate.year_to_date) == (80.0, 80.0)
    assert rate.attainment == pytest.approx(80 / 90)


def test_reporting_counts_and_on_time_rate(bulletin: Bulletin) -> None:
    counts = bulletin.counts
    assert (counts.total, counts.on_time, counts.late, counts.missing, counts.exempt) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert counts.expected == 4
    assert counts.on_time_rate == 0.5
    assert bulletin.progress_counts == {"on_track": 1, "delayed": 1, "blocked": 1, None: 2}


def test_problems_opened_resolved_open_and_escalated(bulletin: Bulletin) -> None:
    assert [p.text for p in bulletin.problems_opened] == ["经费未到位"]
    assert [p.text for p in bulletin.problems_resolved] == ["账号未开通", "审批流程长"]
    # Roster order, then oldest first; P6 was resolved the week before.
    assert [(p.text, p.age_weeks, p.escalated) for p in bulletin.problems_open] == [
        ("场地<紧张>", 3, True),
        ("经费未到位", 1, False),
        ("数据口径不一", 2, False),
    ]
    assert [p.text for p in bulletin.escalated] == ["场地<紧张>"]
    assert bulletin.problems_open[0].note == "已对接街道"


def test_decisions_due_this_week_and_overdue(bulletin: Bulletin) -> None:
    assert bulletin.as_of_day == date(2026, 11, 28)  # Saturday: today, before the Monday
    assert [(d.text, d.due_on, d.overdue) for d in bulletin.decisions_open] == [
        ("协调活动场地", date(2026, 11, 20), True),
        ("报送阶段进展", date(2026, 11, 29), False),
        ("核实经费需求", date(2026, 12, 4), False),
    ]
    assert [d.text for d in bulletin.decisions_due] == ["报送阶段进展"]
    assert [d.text for d in bulletin.decisions_overdue] == ["协调活动场地"]
    assert bulletin.decisions_open[0].note == "正在协调场地"


def test_the_trend_covers_the_weeks_there_are(bulletin: Bulletin) -> None:
    # W46: 甲 乙 戊 on time of 5; W47: 甲 of 5 (乙 late); W48: 甲 戊 of 4 (丁 exempt).
    # Open at the end of W46: P1 P4 P5 P6; W47: P1 P3 P4 P5; W48: P1 P2 P3.
    assert [(t.period_key, t.on_time_rate, t.open_problems) for t in bulletin.trend] == [
        ("2026-W46", 0.6, 4),
        ("2026-W47", 0.2, 4),
        ("2026-W48", 0.5, 3),
    ]


def test_the_agenda_names_the_absent_first(agenda: Agenda) -> None:
    assert agenda.not_reported == ("丙组",)
    assert agenda.exempt == (("丁组", "集中督查"),)
    assert agenda.late == ("乙组",)
    assert agenda.meeting_on == date(2026, 11, 30)


def test_the_agenda_sections(agenda: Agenda) -> None:
    assert [d.text for d in agenda.decisions] == ["协调活动场地", "报送阶段进展", "核实经费需求"]
    assert [g.name for g in agenda.progress] == ["甲组", "乙组", "丙组", "丁组", "戊组"]
    assert [(g.group_name, [p.text for p in g.problems]) for g in agenda.problems] == [
        ("甲组", ["场地<紧张>"]),
        ("乙组", ["经费未到位"]),
    ]  # P3 is not for the meeting; P5 was resolved this week
    assert [(p.group_name, p.plan) for p in agenda.plans] == [
        ("甲组", "筹备春季招聘月"),
        ("乙组", "继续走访"),
    ]  # 戊组 reported no plan


def test_a_bulletin_survives_its_json(bulletin: Bulletin) -> None:
    assert from_json(to_json(bulletin)) == bulletin
