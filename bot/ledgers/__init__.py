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

from bot.audit import record
from bot.periods import period_containing
from bot.reporting import change_status, reporting_period
from storage.models import Decision, Period, Problem, StatusChange, TaskGroup, Workspace

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
    # "Resolved later" as the ids of the (few) weeks after ``as_of``: with the index on
    # (workspace, resolved week) the database reads the unresolved problems and those
    # resolved later, not every problem the workspace's years of history hold.
    later = select(Period.id).where(
        Period.workspace_id == workspace.id, Period.starts_on > as_of.starts_on
    )
    rows = await session.execute(
        select(Problem, TaskGroup.name, TaskGroup.position, opened.key, opened.starts_on)
        .join(TaskGroup, TaskGroup.id == Problem.group_id)
        .join(opened, opened.id == Problem.opened_period_id)
        .where(
            Problem.workspace_id == workspace.id,
            opened.starts_on <= as_of.starts_on,
            or_(Problem.resolved_period_id.is_(None), Problem.resolved_period_id.in_(later)),
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


# --- the live ledgers and the changes /decide, /decisions and /problems make ----------------
#
# Every change writes the row, a StatusChange (the ledger's history) and an audit entry in
# the caller's transaction: the three commit or vanish together. A change that finds its
# target already in the wanted state does nothing and says so (False), so a button pressed
# twice changes the ledger once.


def this_week(workspace: Workspace, now: datetime) -> Period:
    """The calendar week containing ``now``: the live ledgers are as of its end.

    A row never added to the session: the ledgers read only its dates, and a glance at
    /problems must change nothing (a member's did create the week's row; the fuzz suite's
    "outsiders change nothing" caught it). What records into a week makes its row.
    """
    week = period_containing(now, ZoneInfo(workspace.timezone))
    return Period(workspace_id=workspace.id, key=week.key, starts_on=week.start, ends_on=week.end)


def local_today(workspace: Workspace, now: datetime) -> date:
    return now.astimezone(ZoneInfo(workspace.timezone)).date()


async def live_problems(
    session: AsyncSession, workspace: Workspace, now: datetime
) -> list[ProblemView]:
    """Open problems now, escalated ones first, then in roster order and oldest first."""
    views = await open_problems(session, workspace, this_week(workspace, now))
    return sorted(views, key=lambda v: (not v.escalated, v.group_position, -v.age_weeks, v.id))


async def live_decisions(
    session: AsyncSession, workspace: Workspace, now: datetime
) -> list[DecisionView]:
    """Open decisions now, by due date; overdue as of today in the workspace's zone."""
    week = this_week(workspace, now)
    return await open_decisions(session, workspace, week, local_today(workspace, now))


def _history(
    session: AsyncSession,
    target: Problem | Decision,
    status: str,
    period: Period,
    person_id: int | None,
    note: str,
    now: datetime,
) -> None:
    is_problem = isinstance(target, Problem)
    session.add(
        StatusChange(
            problem_id=target.id if is_problem else None,
            decision_id=None if is_problem else target.id,
            period_id=period.id,
            status=status,
            note=note,
            person_id=person_id,
            created_at=now,
        )
    )


async def record_decision(
    session: AsyncSession,
    workspace: Workspace,
    group: TaskGroup,
    text: str,
    due_on: date | None,
    person_id: int | None,
    now: datetime,
) -> Decision:
    """A decision of the meeting, decided in the current reporting period.

    The owner group's dialog follows it up from the next period on
    (:func:`bot.reporting.follow_up_items` reads decisions of earlier periods).
    """
    period = await reporting_period(session, workspace, now)
    decision = Decision(
        workspace_id=workspace.id,
        group_id=group.id,
        text=text,
        due_on=due_on,
        status="open",
        decided_period_id=period.id,
        created_by_id=person_id,
        created_at=now,
    )
    session.add(decision)
    await session.flush()
    _history(session, decision, "open", period, person_id, "", now)
    after = {"text": text, "group": group.code, "due_on": due_on.isoformat() if due_on else None}
    record(
        session,
        action="decision.create",
        now=now,
        workspace_id=workspace.id,
        person_id=person_id,
        after=after,
        decision_id=decision.id,
    )
    return decision


async def close_decision(
    session: AsyncSession,
    workspace: Workspace,
    decision: Decision,
    person_id: int | None,
    note: str,
    now: datetime,
) -> bool:
    """销号: status done, closed now; False if it was closed already."""
    if decision.status == "done":
        return False
    before = decision.status
    period = await reporting_period(session, workspace, now)
    change_status(decision, "done", period, now)
    _history(session, decision, "done", period, person_id, note, now)
    record(
        session,
        action="decision.close",
        now=now,
        workspace_id=workspace.id,
        person_id=person_id,
        before={"status": before},
        after={"status": "done", "note": note},
        decision_id=decision.id,
    )
    return True


async def resolve_problem(
    session: AsyncSession,
    workspace: Workspace,
    problem: Problem,
    person_id: int | None,
    now: datetime,
) -> bool:
    """Mark a problem resolved (in the current reporting period); False if it was already."""
    if problem.status == "resolved":
        return False
    before = problem.status
    period = await reporting_period(session, workspace, now)
    change_status(problem, "resolved", period, now)
    _history(session, problem, "resolved", period, person_id, "", now)
    record(
        session,
        action="problem.resolve",
        now=now,
        workspace_id=workspace.id,
        person_id=person_id,
        before={"status": before},
        after={"status": "resolved"},
        problem_id=problem.id,
    )
    return True


# In the status history a flag for the meeting is an event of its own, beside the statuses.
FLAGGED, UNFLAGGED = "flagged", "unflagged"


async def flag_problem(
    session: AsyncSession,
    workspace: Workspace,
    problem: Problem,
    to_meeting: bool,
    person_id: int | None,
    now: datetime,
) -> bool:
    """Put a problem on (or take it off) the meeting's agenda; False if it already was."""
    if problem.to_meeting == to_meeting or problem.status == "resolved":
        return False
    problem.to_meeting = to_meeting
    period = await reporting_period(session, workspace, now)
    _history(session, problem, FLAGGED if to_meeting else UNFLAGGED, period, person_id, "", now)
    record(
        session,
        action="problem.flag" if to_meeting else "problem.unflag",
        now=now,
        workspace_id=workspace.id,
        person_id=person_id,
        before={"to_meeting": not to_meeting},
        after={"to_meeting": to_meeting},
        problem_id=problem.id,
    )
    return True
