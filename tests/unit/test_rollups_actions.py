"""Adjustments, publication and good-practice marks on sample data: bounded, audit-logged,
withdrawable, and a published assessment frozen against later changes.

The clock is fixed at Saturday 2026-11-28; the sample's 12 weeks end with W47.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.caller import Caller
from bot.rollups import assessment, highlights
from bot.rollups.commands import _points
from bot.rollups.months import Month, half_year
from bot.rollups.outputs import monthly_replies
from bot.rollups.refusals import RollupRefused
from bot.sample import load_sample
from storage.db import Database
from storage.models import AuditLog, Submission, SubmissionRevision, TaskGroup, Workspace

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
H2 = half_year(2026, 2)
pytestmark = pytest.mark.usefixtures("frozen_clock")
_chat_ids = itertools.count(-4_000_000_000_000 - os.getpid() * 1000, -1)


@pytest.fixture
async def office(database: Database) -> tuple[Database, int]:
    chat_id = next(_chat_ids)
    async with database.session() as session:
        summary = await load_sample(session, chat_id, weeks=12, end_period="2026-W47")
    return database, summary.workspace_id


async def parts(session, workspace_id: int) -> tuple[Workspace, TaskGroup]:  # type: ignore[no-untyped-def]
    workspace = await session.get(Workspace, workspace_id)
    group = await session.scalar(
        select(TaskGroup).where(TaskGroup.workspace_id == workspace_id, TaskGroup.code == "S01")
    )
    return workspace, group


async def actions(session, workspace_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    rows = await session.scalars(
        select(AuditLog.action).where(AuditLog.workspace_id == workspace_id).order_by(AuditLog.id)
    )
    return [action for action in rows if action.startswith(("assessment.", "highlight."))]


async def test_adjustments_need_a_reason_stay_within_the_bound_and_show_beside_the_score(
    office: tuple[Database, int],
) -> None:
    db, workspace_id = office
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        before = next(
            s
            for s in (await assessment.compute(session, workspace, H2, NOW)).scores
            if s.code == "S01"
        )
        with pytest.raises(RollupRefused) as no_reason:
            await assessment.adjust(session, workspace, H2, group, 2, "  ", None, NOW)
        assert no_reason.value.key == "rollups.adjust.needs_reason"
        await assessment.adjust(session, workspace, H2, group, 6, "牵头承办全区现场会", None, NOW)
        second = await assessment.adjust(
            session, workspace, H2, group, 4, "经验在全市推广", None, NOW
        )
        with pytest.raises(RollupRefused) as too_much:  # 6 + 4 + 0.5 > 10
            await assessment.adjust(session, workspace, H2, group, 0.5, "再加", None, NOW)
        assert too_much.value.params == {"limit": "10", "current": "+10"}
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        after = next(
            s
            for s in (await assessment.compute(session, workspace, H2, NOW)).scores
            if s.code == "S01"
        )
        assert after.computed == before.computed and after.adjustment == 10.0
        assert after.final == pytest.approx(min(100.0, (before.computed or 0) + 10))
        await assessment.withdraw_adjustment(session, workspace, second.id, None, NOW)
    async with db.session() as session:
        workspace, _ = await parts(session, workspace_id)
        again = next(
            s
            for s in (await assessment.compute(session, workspace, H2, NOW)).scores
            if s.code == "S01"
        )
        assert again.adjustment == 6.0
        assert await actions(session, workspace_id) == [
            "assessment.adjust", "assessment.adjust", "assessment.adjust.withdraw",
        ]  # fmt: skip


async def test_a_published_assessment_is_stored_as_it_was(office: tuple[Database, int]) -> None:
    db, workspace_id = office
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        published = await assessment.publish(session, workspace, H2, None, NOW)
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        workspace.settings = {
            "rubric": {"on_time": 100, "decisions": 0, "problems": 0, "indicators": 0}
        }
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        stored = await assessment.assess(session, workspace, H2, NOW)
        fresh = await assessment.compute(session, workspace, H2, NOW)
        assert stored == published and stored.rubric["weights"]["on_time"] == 40
        assert list(fresh.rubric["weights"]) == ["on_time"]  # only future computations change
        with pytest.raises(RollupRefused):
            await assessment.publish(session, workspace, H2, None, NOW)
        with pytest.raises(RollupRefused):
            await assessment.adjust(session, workspace, H2, group, 1, "迟到的加分", None, NOW)
        assert await actions(session, workspace_id) == ["assessment.publish"]


async def test_a_good_practice_is_marked_withdrawn_and_listed_by_its_reports_month(
    office: tuple[Database, int],
) -> None:
    db, workspace_id = office
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        revision_id, content = (
            await session.execute(
                select(SubmissionRevision.id, SubmissionRevision.content)
                .join(Submission, Submission.id == SubmissionRevision.submission_id)
                .where(Submission.group_id == group.id)
                .order_by(SubmissionRevision.id.desc())
                .limit(1)
            )
        ).one()
        marked = await highlights.mark(
            session, workspace, revision_id, "  提档升级经验\n第二行不要 ", 1, NOW, 1
        )
        assert marked.title == "提档升级经验" and marked.passage == highlights.passages(content)[0]
        practices = await highlights.of_month(session, workspace, Month(2026, 11))
        assert [p.title for p in practices] == ["提档升级经验"]
        replies = await monthly_replies(session, workspace, "2026-11", "zh-CN", NOW)
        # what the scheduled monthly step posts: the chart with a caption, the text, the Word file
        chart, text, word = replies
        assert chart.attachment and chart.attachment.kind == "photo"
        assert chart.attachment.data.startswith(b"\x89PNG") and "2026年11月工作总结" in chart.text
        assert "提档升级经验" in text.text and "四、好的做法经验" in text.text
        assert word.attachment and word.attachment.filename == "monthly-2026-11.docx"
        await highlights.withdraw(session, workspace, marked.id, 1, NOW)
        assert await highlights.of_month(session, workspace, Month(2026, 11)) == []
        with pytest.raises(RollupRefused):
            await highlights.withdraw(session, workspace, marked.id, 1, NOW)
        assert await actions(session, workspace_id) == ["highlight.mark", "highlight.withdraw"]


def test_titles_are_one_line_and_not_empty() -> None:
    with pytest.raises(RollupRefused):
        highlights.clean_title("   \n  ")
    with pytest.raises(RollupRefused):
        highlights.clean_title("长" * 61)
    assert highlights.passages({"done_text": "完成验收3个。开展培训；走访企业15家\n其他"}) == [
        "完成验收3个。", "开展培训；", "走访企业15家", "其他",
    ]  # fmt: skip


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda x: round(x, 1)))
def test_points_read_back_what_was_written(value: float) -> None:
    assert _points(f"{value:+g}") == pytest.approx(value)
    assert _points(f"{value:+g}分".replace("+", "＋")) == pytest.approx(value)


@given(st.text(max_size=12))
def test_points_either_parse_or_raise_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        _points(text)


async def test_the_year_by_halves_or_as_one_window(office: tuple[Database, int]) -> None:
    db, workspace_id = office
    async with db.session() as session:
        workspace, _ = await parts(session, workspace_id)
        by_halves = await assessment.year_ranking(session, workspace, 2026, NOW)
        first, second = by_halves.halves
        s01 = next(r for r in by_halves.rows if r.code == "S01")
        halves = [next(s.final for s in h.scores if s.code == "S01") for h in (first, second)]
        assert s01.halves == tuple(halves)
        present = [h for h in halves if h is not None]  # the sample starts in W36: H2 only
        assert halves[0] is None and s01.final == pytest.approx(sum(present) / len(present))
        assert len(by_halves.shortlist) >= 3 and all(r.rank <= 3 for r in by_halves.shortlist)
        workspace.settings = {"year_ranking": "whole", "shortlist_size": 5}
        whole = await assessment.year_ranking(session, workspace, 2026, NOW)
        assert whole.mode == "whole" and whole.whole is not None
        assert whole.whole.window_key == "2026" and len(whole.shortlist) >= 5
        assert [r.code for r in whole.rows] == [s.code for s in whole.whole.scores]


async def test_a_report_chosen_by_its_button_is_named_by_highlight(
    office: tuple[Database, int],
) -> None:
    """The button under a group's entry in /report: press, then /highlight TITLE, then the
    passage; another person's /highlight is not taken for the answer."""
    from bot.rollups import commands
    from storage.models import Membership, Person

    db, workspace_id = office
    async with db.session() as session:
        workspace, group = await parts(session, workspace_id)
        director = await session.scalar(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.workspace_id == workspace_id, Membership.role == "director")
        )
        revision_id = await session.scalar(
            select(SubmissionRevision.id)
            .join(Submission, Submission.id == SubmissionRevision.submission_id)
            .where(Submission.group_id == group.id)
            .order_by(SubmissionRevision.id.desc())
        )
        caller = Caller(session, director, "zh-CN", NOW, director.id, True)
        button = commands.report_button(revision_id, "zh-CN")
        asked = await commands.button(caller, button.data or "", None)
        assert "请在1小时内发送 /highlight 标题" in asked.replies[0].text
        named = await commands.highlight(caller, "提档升级“一站式”服务")
        [reply] = named.replies
        assert "提档升级“一站式”服务" in reply.text and reply.buttons[0][0].label == "整篇周报"
        done = await commands.button(caller, reply.buttons[0][0].data or "", None)
        assert "已标记为好的做法" in done.replies[0].text
        [practice] = await highlights.of_month(session, workspace, Month(2026, 11))
        assert practice.title == "提档升级“一站式”服务" and practice.passage == ""
        # a second /highlight starts afresh: the chosen report was used up
        again = await commands.highlight(caller, "另一条")
        assert "请选择专项组" in again.replies[0].text


def test_rubric_changes_are_checked() -> None:
    from bot.rollups.rubric import parse_changes

    changed = parse_changes(
        "按时报送=50 decisions=30 problems=20 指标=0 grades=95,85,70 limit=5", {}
    )
    assert changed["rubric"] == {"on_time": 50, "decisions": 30, "problems": 20, "indicators": 0}
    assert changed["grade_thresholds"] == {"excellent": 95, "good": 85, "fair": 70}
    assert changed["adjustment_limit"] == 5
    assert parse_changes("year=whole shortlist=5", {})["year_ranking"] == "whole"
    for bad in (
        "on_time=-1",
        "grades=60,80,90",
        "year=sometimes",
        "on_time=0 decisions=0 problems=0 indicators=0",
        "hello",
        "limit=99",
    ):
        with pytest.raises(RollupRefused):
            parse_changes(bad, {})


@given(st.text(max_size=30))
def test_rubric_text_either_parses_or_is_refused_politely(text: str) -> None:
    from bot.rollups.rubric import parse_changes

    with contextlib.suppress(RollupRefused):
        parse_changes(text, {})


async def test_rubric_command_changes_future_assessments_and_is_logged(
    office: tuple[Database, int],
) -> None:
    from bot.rollups import commands
    from storage.models import Membership, Person

    db, workspace_id = office
    async with db.session() as session:
        staff = await session.scalar(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.workspace_id == workspace_id, Membership.role == "staff")
        )
        caller = Caller(session, staff, "zh-CN", NOW, staff.id, True)
        shown = await commands.rubric(caller, "")
        assert "按时报送40分" in shown.replies[0].text
        answer = await commands.rubric(caller, "按时报送=100 议定事项=0 问题解决=0 指标=0")
        assert "评分规则已更新" in answer.replies[0].text
        refused = await commands.rubric(caller, "按时报送=abc")
        assert "无效" in refused.replies[0].text
    async with db.session() as session:
        workspace, _ = await parts(session, workspace_id)
        fresh = await assessment.compute(session, workspace, H2, NOW)
        assert list(fresh.rubric["weights"]) == ["on_time"]
        logged = await session.scalars(
            select(AuditLog.action).where(AuditLog.workspace_id == workspace_id)
        )
        assert "settings.rubric" in list(logged)
