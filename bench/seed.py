"""Offices for the benchmarks, written straight through the models (fast, and no Telegram).

Each office is one workspace with one task group per contact; every contact is already bound
to a sandbox user (as after their first message), and every group has two indicators, so
the dialog step measured (the done text, then « back) is the one every contact meets.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tests.databases
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Contact,
    Decision,
    FollowUp,
    Indicator,
    Period,
    Person,
    Problem,
    StatusChange,
    Submission,
    TaskGroup,
    Workspace,
)

POSTGRES_ENVS = ("LIHUI_BENCH_POSTGRES_URL", "LIHUI_TEST_POSTGRES_URL")


def postgres_server() -> str | None:
    return next((os.environ[name] for name in POSTGRES_ENVS if os.environ.get(name)), None)


def fresh_postgres(server: str) -> contextlib.AbstractAsyncContextManager[str]:
    """A new empty database on ``server``, dropped afterwards (the tests' own helper)."""
    return tests.databases.fresh_postgres(server, prefix="lihui_bench")


async def seed_offices(
    database_url: str,
    offices: list[list[tuple[int, str]]],
    chat_ids: list[int] | None = None,
) -> None:
    """One workspace per entry of ``offices``; each (user id, username) reports for a group.

    ``chat_ids``: the office chats (groups that exist in the sandbox), else made-up ids.
    """
    database = Database(database_url)
    await upgrade(database)
    # Created well before the benchmarks' Thursday, so its weekly cycle applies to that week.
    now = datetime(2026, 10, 1, tzinfo=UTC)
    try:
        async with database.session() as session:
            for number, contacts in enumerate(offices, start=1):
                chat_id = chat_ids[number - 1] if chat_ids else -1_000_000_000 - number
                workspace = Workspace(chat_id=chat_id, title=f"基准办公室{number}", created_at=now)
                session.add(workspace)
                await session.flush()
                for position, (user_id, username) in enumerate(contacts, start=1):
                    person = Person(
                        telegram_user_id=user_id,
                        username=username,
                        display_name=username,
                        started_bot=True,
                    )
                    group = TaskGroup(
                        workspace_id=workspace.id,
                        code=f"G{position}",
                        name=f"第{position}专项组",
                        position=position,
                    )
                    group.indicators = [
                        Indicator(name="服务人次", unit="人次", position=0),
                        Indicator(name="新增岗位", unit="个", position=1),
                    ]
                    group.contacts = [Contact(person=person, kind="primary")]
                    session.add(group)
                await session.flush()
    finally:
        await database.dispose()


async def open_ledger_sizes(session: AsyncSession, workspace_id: int) -> tuple[int, int]:
    """How many problems are unresolved and decisions unclosed in the workspace."""
    problems = await session.scalar(
        select(func.count())
        .select_from(Problem)
        .where(Problem.workspace_id == workspace_id, Problem.resolved_period_id.is_(None))
    )
    decisions = await session.scalar(
        select(func.count())
        .select_from(Decision)
        .where(Decision.workspace_id == workspace_id, Decision.closed_at.is_(None))
    )
    return int(problems or 0), int(decisions or 0)


async def close_old_items(
    session: AsyncSession, workspace_id: int, keep_problems: int, keep_decisions: int
) -> None:
    """Leave only the newest ``keep_*`` problems and decisions open; close the rest early.

    Each one closed is closed in the week after it was raised (never later than the week
    before the sample's last), as a diligent office would have: its follow-ups and status
    changes after that week are removed, so later reports never mention it again. Five
    years of sample history then differ from one week's in history only, not in what the
    current week carries (the sample otherwise leaves ~120 problems and ~100 decisions open).
    """
    periods = list(
        await session.scalars(
            select(Period).where(Period.workspace_id == workspace_id).order_by(Period.starts_on)
        )
    )
    index = {period.id: number for number, period in enumerate(periods)}
    last_closing = max(0, len(periods) - 2)

    def closing_week(raised_in: int) -> Period:
        raised = index[raised_in]
        return periods[min(raised + 1, max(last_closing, raised))]

    problems = list(
        await session.scalars(
            select(Problem)
            .where(Problem.workspace_id == workspace_id, Problem.resolved_period_id.is_(None))
            .order_by(Problem.id.desc())
            .offset(keep_problems)
        )
    )
    for problem in problems:
        week = closing_week(problem.opened_period_id)
        problem.status = "resolved"
        problem.resolved_period_id = week.id
        problem.resolved_at = _mid_week(week)
        await _forget_after(session, week, problem_id=problem.id)
    decisions = list(
        await session.scalars(
            select(Decision)
            .where(Decision.workspace_id == workspace_id, Decision.closed_at.is_(None))
            .order_by(Decision.id.desc())
            .offset(keep_decisions)
        )
    )
    for decision in decisions:
        week = closing_week(decision.decided_period_id)
        decision.status = "done"
        decision.closed_at = _mid_week(week)
        await _forget_after(session, week, decision_id=decision.id)
    await session.flush()


def _mid_week(period: Period) -> datetime:
    """Wednesday noon of the week (UTC), inside it whatever the office's timezone."""
    return datetime.combine(period.starts_on + timedelta(days=2), time(12), tzinfo=UTC)


async def _forget_after(
    session: AsyncSession,
    week: Period,
    problem_id: int | None = None,
    decision_id: int | None = None,
) -> None:
    """Remove an item's follow-ups and status changes from weeks after ``week``."""
    later = select(Period.id).where(
        Period.workspace_id == week.workspace_id, Period.starts_on > week.starts_on
    )
    later_submissions = select(Submission.id).where(Submission.period_id.in_(later))
    follow_ups = delete(FollowUp).where(FollowUp.submission_id.in_(later_submissions))
    changes = delete(StatusChange).where(StatusChange.period_id.in_(later))
    if problem_id is not None:
        follow_ups = follow_ups.where(FollowUp.problem_id == problem_id)
        changes = changes.where(StatusChange.problem_id == problem_id)
    else:
        follow_ups = follow_ups.where(FollowUp.decision_id == decision_id)
        changes = changes.where(StatusChange.decision_id == decision_id)
    await session.execute(follow_ups)
    await session.execute(changes)
