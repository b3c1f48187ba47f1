"""What /decide, 销号, resolve and flag write: the row, its history, the audit entry; once.

On a real database (SQLite, and PostgreSQL when available). Monday 30 November 2026 at the
meeting (week 49 by the calendar; the reports being discussed are week 48's).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import ledgers
from bot.periods import parse_period
from bot.reporting import period_row
from storage.db import Database
from storage.models import AuditLog, Decision, Problem, StatusChange, TaskGroup, Workspace

MEETING = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
LATER = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)  # Wednesday of week 50


async def setup(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        workspace = Workspace(chat_id=-1001, title="办公室", settings={}, created_at=MEETING)
        session.add(workspace)
        await session.flush()
        group = TaskGroup(workspace_id=workspace.id, code="EMP", name="就业援助组", position=1)
        session.add(group)
        await session.flush()
        return workspace.id, group.id


async def history(database: Database) -> tuple[list[tuple[str, str]], list[str]]:
    async with database.session() as session:
        changes = await session.scalars(select(StatusChange).order_by(StatusChange.id))
        audit = await session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(c.status, c.note) for c in changes], [a.action for a in audit]


async def test_a_decision_recorded_then_closed_once(database: Database) -> None:
    workspace_id, group_id = await setup(database)
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        group = await session.get(TaskGroup, group_id)
        assert workspace is not None and group is not None
        decision = await ledgers.record_decision(
            session, workspace, group, "平台对接", date(2026, 12, 4), None, MEETING
        )
        w48 = await period_row(session, workspace, parse_period("2026-W48"))
        assert decision.decided_period_id == w48.id
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        [open_view] = await ledgers.live_decisions(session, workspace, LATER)
        assert open_view.overdue  # due Friday 4 December, seen on 9 December
        decision = await session.scalar(select(Decision))
        assert decision is not None
        assert await ledgers.close_decision(session, workspace, decision, None, "已完成", LATER)
        assert not await ledgers.close_decision(session, workspace, decision, None, "又一次", LATER)
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        assert await ledgers.live_decisions(session, workspace, LATER) == []
        w49 = await period_row(session, workspace, parse_period("2026-W49"))
        w50 = await period_row(session, workspace, parse_period("2026-W50"))
        # As of a week that ended before it was closed, it was still open then.
        assert [v.text for v in await ledgers.open_decisions(session, workspace, w49)] == [
            "平台对接"
        ]
        assert await ledgers.open_decisions(session, workspace, w50) == []
    assert await history(database) == (
        [("open", ""), ("done", "已完成")],
        ["decision.create", "decision.close"],
    )


async def test_a_problem_flagged_and_resolved_each_once(database: Database) -> None:
    workspace_id, group_id = await setup(database)
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        w46 = await period_row(session, workspace, parse_period("2026-W46"))
        problem = Problem(
            workspace_id=workspace_id,
            group_id=group_id,
            text="场地不足",
            status="open",
            opened_period_id=w46.id,
            created_at=MEETING,
        )
        session.add(problem)
        await session.flush()
        [view] = await ledgers.live_problems(session, workspace, MEETING)
        assert (view.age_weeks, view.escalated) == (4, True)  # weeks 46 to 49
        assert await ledgers.flag_problem(session, workspace, problem, True, None, MEETING)
        assert not await ledgers.flag_problem(session, workspace, problem, True, None, MEETING)
        assert await ledgers.resolve_problem(session, workspace, problem, None, MEETING)
        assert not await ledgers.resolve_problem(session, workspace, problem, None, MEETING)
        assert not await ledgers.flag_problem(session, workspace, problem, False, None, MEETING)
        w48 = await period_row(session, workspace, parse_period("2026-W48"))
        assert problem.resolved_period_id == w48.id and problem.resolved_at == MEETING
        assert await ledgers.live_problems(session, workspace, MEETING) == []
    assert await history(database) == (
        [("flagged", ""), ("resolved", "")],
        ["problem.flag", "problem.resolve"],
    )
