"""The two ledgers the office follows up week after week: problems and decisions.

One source for "what is open as of a week, how old is it, is it overdue": the agenda, the
bulletin, ``/problems``, ``/decisions`` and the roll-ups all read these views, so a problem
that is "已持续3周" in the agenda is three weeks old everywhere.

"As of" a week means at the end of that week: a problem resolved in a later week was still
open then. This lets a bulletin rebuilt for an old week show that week's ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Decision, Period, Problem, TaskGroup, Workspace

DEFAULT_ESCALATION_WEEKS = 3


def escalation_weeks(workspace: Workspace) -> int:
    """The age from which an open problem is escalated (a workspace setting, default 3)."""
    return int((workspace.settings or {}).get("escalation_weeks", DEFAULT_ESCALATION_WEEKS))


def age_in_weeks(opened_week_start: date, as_of_week_start: date) -> int:
    """Reporting weeks a problem has been open, counting the week it was raised as the first."""
    return max((as_of_week_start - opened_week_start).days // 7 + 1, 1)


@dataclass(frozen=True)
class ProblemView:
    id: int
    group_id: int
    group_name: str
    group_position: int
    text: str
    status: str  # open | in_progress | needs_coordination
    to_meeting: bool
    opened_period_key: str
    age_weeks: int
    escalated: bool


@dataclass(frozen=True)
class DecisionView:
    id: int
    group_id: int
    group_name: str
    group_position: int
    text: str
    due_on: date | None
    status: str  # open | in_progress | needs_coordination
    decided_period_key: str
    overdue: bool


def _end_of(period: Period, workspace: Workspace) -> datetime:
    """The first instant after the week, in the workspace's zone."""
    return datetime.combine(
        period.ends_on + timedelta(days=1), time(0), ZoneInfo(workspace.timezone)
    )


async def open_problems(
    session: AsyncSession, workspace: Workspace, as_of: Period
) -> list[ProblemView]:
    """Problems open at the end of ``as_of``, oldest first within roster order."""
    opened = aliased(Period)
    resolved = aliased(Period)
    rows = await session.execute(
        select(Problem, TaskGroup.name, TaskGroup.position, opened.key, opened.starts_on)
        .join(TaskGroup, TaskGroup.id == Problem.group_id)
        .join(opened, opened.id == Problem.opened_period_id)
        .outerjoin(resolved, resolved.id == Problem.resolved_period_id)
        .where(
            Problem.workspace_id == workspace.id,
            opened.starts_on <= as_of.starts_on,
            or_(Problem.resolved_period_id.is_(None), resolved.starts_on > as_of.starts_on),
        )
        .order_by(TaskGroup.position, opened.starts_on, Problem.id)
    )
    limit = escalation_weeks(workspace)
    views = []
    for problem, name, position, key, starts_on in rows.all():
        age = age_in_weeks(starts_on, as_of.starts_on)
        status = problem.status if problem.status != "resolved" else "in_progress"
        views.append(
            ProblemView(
                problem.id, problem.group_id, name, position, problem.text, status,
                problem.to_meeting, key, age, age >= limit,
            )
        )  # fmt: skip
    return views


async def open_decisions(
    session: AsyncSession, workspace: Workspace, as_of: Period, today: date | None = None
) -> list[DecisionView]:
    """Decisions not closed by the end of ``as_of``, by due date (undated last).

    ``today`` decides what is overdue; by default the last day of ``as_of``.
    """
    decided = aliased(Period)
    cutoff = _end_of(as_of, workspace)
    reference = today or as_of.ends_on
    rows = await session.execute(
        select(Decision, TaskGroup.name, TaskGroup.position, decided.key)
        .join(TaskGroup, TaskGroup.id == Decision.group_id)
        .join(decided, decided.id == Decision.decided_period_id)
        .where(
            Decision.workspace_id == workspace.id,
            decided.starts_on <= as_of.starts_on,
            or_(Decision.closed_at.is_(None), Decision.closed_at >= cutoff),
        )
        .order_by(Decision.due_on.is_(None), Decision.due_on, TaskGroup.position, Decision.id)
    )
    views = []
    for decision, name, position, key in rows.all():
        status = decision.status if decision.status != "done" else "in_progress"
        overdue = decision.due_on is not None and decision.due_on < reference
        views.append(
            DecisionView(
                decision.id, decision.group_id, name, position, decision.text,
                decision.due_on, status, key, overdue,
            )
        )  # fmt: skip
    return views
