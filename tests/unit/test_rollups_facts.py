"""The loader: the facts of every group from a few statements, read by the scoring's rules.

On SQLite, and on PostgreSQL when ``LIHUI_TEST_POSTGRES_URL`` is set. The clock is fixed
at Saturday 2026-11-28 16:00 in Shanghai: weeks up to W48 are past their deadline.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.periods import Period, parse_period
from bot.reporting import period_row
from bot.rollups import facts as facts_module
from bot.rollups.months import Month
from bot.sample import load_sample
from storage.db import Database
from storage.models import (
    Decision,
    Exemption,
    Indicator,
    Problem,
    Submission,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_clock")
_chat_ids = itertools.count(-3_000_000_000_000 - os.getpid() * 1000, -1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def build(db: Database) -> int:
    """Two groups in November 2026 (weeks 45–48):

    A, on the roster since January: W45 on time, W46 late, W47 exempt, W48 missing; a
    decision due Friday 13 November closed at 01:00 on the 14th in Shanghai (17:00 on the
    13th in UTC: late, by the office's clock); an indicator with a target.
    B, created on Wednesday 11 November (W46, before its Friday deadline): W48 on time;
    a problem raised in W46 and resolved in W47.
    """
    async with db.session() as session:
        workspace = Workspace(chat_id=next(_chat_ids), settings={}, created_at=NOW)
        session.add(workspace)
        await session.flush()
        a = TaskGroup(
            workspace_id=workspace.id, code="A", name="甲组", position=1, created_at=utc(2026, 1, 1)
        )
        b = TaskGroup(
            workspace_id=workspace.id,
            code="B",
            name="乙组",
            position=2,
            created_at=utc(2026, 11, 11, 2),
        )
        a.indicators = [Indicator(name="服务人次", unit="人次", target=5300.0)]
        session.add_all([a, b])
        await session.flush()
        weeks = {w: await period_row(session, workspace, Period(2026, w)) for w in (45, 46, 47, 48)}

        def report(group: TaskGroup, week: int, late: bool, content: dict[str, Any]) -> None:
            submission = Submission(
                group_id=group.id, period_id=weeks[week].id, state="submitted", late=late,
                new_problems=[], photos=[], updated_at=NOW,
            )  # fmt: skip
            submission.revisions = [SubmissionRevision(number=1, content=content, created_at=NOW)]
            session.add(submission)

        indicator = a.indicators[0].id
        report(a, 45, False, {"progress_status": "on_track", "indicators": {str(indicator): 300}})
        report(a, 46, True, {"progress_status": "delayed", "indicators": {str(indicator): 200}})
        report(b, 48, False, {"progress_status": "on_track"})
        session.add(Exemption(group_id=a.id, period_id=weeks[47].id, reason="免报", created_at=NOW))
        session.add(
            Decision(
                workspace_id=workspace.id, group_id=a.id, text="议定", due_on=date(2026, 11, 13),
                status="done", decided_period_id=weeks[45].id, created_at=NOW,
                closed_at=utc(2026, 11, 13, 17),
            )
        )  # fmt: skip
        session.add(
            Problem(
                workspace_id=workspace.id, group_id=b.id, text="问题", status="resolved",
                opened_period_id=weeks[46].id, resolved_period_id=weeks[47].id, created_at=NOW,
            )
        )  # fmt: skip
        return workspace.id


async def test_the_facts_of_two_groups(database: Database) -> None:
    workspace_id = await build(database)
    weeks = Month(2026, 11).weeks()
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        facts = await facts_module.load(session, workspace, weeks, NOW)
    assert facts.due_keys == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    a, b = facts_module.group_facts(facts, weeks[0], weeks[-1])
    assert [(w.period_key[-3:], w.status) for w in a.weeks] == [
        ("W45", "on_time"), ("W46", "late"), ("W47", "exempt"), ("W48", "missing"),
    ]  # fmt: skip
    assert a.joined_key == "2026-W01"
    assert [(d.due_on, d.closed_on) for d in a.decisions] == [
        (date(2026, 11, 13), date(2026, 11, 14))
    ]
    [indicator] = a.indicators
    assert indicator.target == 5300.0 and indicator.values == (
        ("2026-W45", 300.0),
        ("2026-W46", 200.0),
    )
    assert b.joined_key == "2026-W46"  # created Wednesday of W46, before that week's deadline
    assert [(p.opened_key, p.resolved_key) for p in b.problems] == [("2026-W46", "2026-W47")]
    assert facts.reports[(b.group_id, "2026-W48")].progress_status == "on_track"


async def test_a_group_created_after_its_weeks_deadline_joins_the_next_week(
    database: Database,
) -> None:
    async with database.session() as session:
        workspace = Workspace(chat_id=next(_chat_ids), settings={}, created_at=NOW)
        session.add(workspace)
        await session.flush()
        # Saturday 14 November, after W46's Friday 18:00 deadline
        session.add(
            TaskGroup(
                workspace_id=workspace.id,
                code="C",
                name="丙组",
                position=1,
                created_at=utc(2026, 11, 14, 2),
            )
        )
    weeks = Month(2026, 11).weeks()
    async with database.session() as session:
        facts = await facts_module.load(session, workspace, weeks, NOW)
    assert [g.joined_key for g in facts.groups] == ["2026-W47"]


async def statements(db: Database, groups: int) -> int:
    chat_id = next(_chat_ids)
    async with db.session() as session:
        await load_sample(session, chat_id, weeks=8, groups=groups, end_period="2026-W47")
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    weeks = [parse_period(f"2026-W{w}") for w in range(40, 48)]
    async with db.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
        event.listen(db.engine.sync_engine, "before_cursor_execute", counter)
        try:
            facts = await facts_module.load(session, workspace, weeks, NOW)
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", counter)
    assert len(facts.groups) == groups
    return count


async def test_the_loader_costs_the_same_statements_for_13_groups_or_40(database: Database) -> None:
    few = await statements(database, 13)
    many = await statements(database, 40)
    assert few == many <= 10


async def test_the_time_share_stops_at_the_last_week_past_its_deadline(database: Database) -> None:
    """On Saturday 28 November 2026 the second half's weeks are due up to W48: a yearly
    target is expected at 48/53 of itself, not at the 53/53 of the window's end."""
    from bot.rollups.months import half_year, year_progress

    workspace_id = await build(database)
    h2 = half_year(2026, 2)
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        facts = await facts_module.load(session, workspace, h2.weeks(), NOW)
    whole, year_weeks = year_progress(h2.last)
    assert (whole, year_weeks) == (53, 53)
    assert facts_module.elapsed_weeks(facts, h2.weeks(), whole) == 48
