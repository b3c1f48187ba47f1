"""What one week's reports need, read in a handful of statements (the loader).

The agenda and the bulletin are compiled from one :class:`PeriodData`: the roster, how
each group reported, the *committed* content of each report (the last
:class:`~storage.models.SubmissionRevision`, never the working copy a contact may be
editing), the two ledgers as of the week (through :mod:`bot.ledgers`), the indicators'
year to date and the 8-week trend.

Why a single loader: a thousand groups must compile in well under two seconds and five
years of history must cost no more than one week, so every statement is bounded by the
week's period id (or the few period ids of its year and of its trend), never per group
and never over the whole history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import ledgers, schedule
from bot.periods import Period
from storage.models import (
    Exemption,
    Indicator,
    Problem,
    Submission,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)
from storage.models import Period as PeriodRow

TREND_WEEKS = 8
# Indicators in these units are rates: their year to date is the average, not the sum.
RATE_UNITS = frozenset({"%", "％"})
REPORTING = ("on_time", "late", "missing", "exempt")


@dataclass(frozen=True)
class GroupWeek:
    """One group's week: how it reported and what its last committed revision says."""

    group_id: int
    code: str
    name: str
    reporting: str  # one of REPORTING
    exempt_reason: str = ""
    progress_status: str | None = None  # on_track | delayed | blocked
    percent: int | None = None
    submitted_at: datetime | None = None
    done_text: str = ""
    plan_text: str = ""

    @property
    def reported(self) -> bool:
        return self.reporting in ("on_time", "late")


@dataclass(frozen=True)
class IndicatorLine:
    group_name: str
    name: str
    unit: str
    week: float | None
    year_to_date: float | None
    target: float | None

    @property
    def attainment(self) -> float | None:
        """Year to date against the target (0.5 = half way), when both are known."""
        if self.year_to_date is None or not self.target:
            return None
        return self.year_to_date / self.target


@dataclass(frozen=True)
class ProblemLine:
    group_name: str
    text: str
    status: str
    opened_period_key: str
    age_weeks: int
    escalated: bool
    to_meeting: bool
    note: str = ""  # the owner group's follow-up note of this week, if any


@dataclass(frozen=True)
class DecisionLine:
    group_name: str
    text: str
    due_on: date | None
    status: str
    overdue: bool
    note: str = ""


@dataclass(frozen=True)
class TrendWeek:
    period_key: str
    on_time_rate: float  # 0.0 – 1.0 of the groups expected to report
    open_problems: int


@dataclass(frozen=True)
class PeriodData:
    """Everything the compilers read about one workspace's week; plain data, no session."""

    workspace_title: str
    period_key: str
    deadline_at: datetime | None
    meeting_on: date  # the Monday meeting that hears the week (DESIGN §3)
    as_of_day: date  # the day overdue is judged on: today, at most the Monday after the week
    escalation_weeks: int
    groups: tuple[GroupWeek, ...]
    indicators: tuple[IndicatorLine, ...]
    open_problems: tuple[ProblemLine, ...]
    problems_opened: tuple[ProblemLine, ...]
    problems_resolved: tuple[ProblemLine, ...]
    open_decisions: tuple[DecisionLine, ...]
    trend: tuple[TrendWeek, ...]


def as_of_day(period: Period, now: datetime, timezone: str) -> date:
    """Today in the workspace, but never later than the Monday after the week.

    The Monday meeting judges overdue on its own day; a week rebuilt a year later is
    still judged as it was then.
    """
    return min(now.astimezone(ZoneInfo(timezone)).date(), period.end + timedelta(days=1))


def _meeting_day(workspace: Workspace, period: Period) -> date:
    tz = ZoneInfo(workspace.timezone)
    return schedule.nominal_moment(workspace.settings or {}, "meeting", period, tz).date()


async def load_period(
    session: AsyncSession,
    workspace: Workspace,
    period: Period,
    row: PeriodRow,
    now: datetime,
    *,
    indicators: bool = True,
) -> PeriodData:
    """Read one week of ``workspace`` (``row`` is its period row) as of ``now``.

    ``indicators=False`` leaves the indicators out: their year to date reads every week
    of the year, and the status, the agenda and the chart of ``/report`` show none.
    """
    groups = await _roster(session, workspace.id, indicators=indicators)
    committed = await _committed(session, row.id)
    exempt = await _exemptions(session, row.id)
    weeks = [_group_week(g, committed.get(g.id), exempt.get(g.id)) for g in groups]
    notes = _follow_up_notes(committed.values())
    today = as_of_day(period, now, workspace.timezone)
    problems = await ledgers.open_problems(session, workspace, row)
    decisions = await ledgers.open_decisions(session, workspace, row, today)
    return PeriodData(
        workspace_title=workspace.title,
        period_key=period.key,
        deadline_at=row.deadline_at,
        meeting_on=_meeting_day(workspace, period),
        as_of_day=today,
        escalation_weeks=ledgers.escalation_weeks(workspace),
        groups=tuple(weeks),
        indicators=(
            await _indicators(session, workspace.id, period, groups, committed)
            if indicators
            else ()
        ),
        open_problems=tuple(_problem_line(p, notes.get(("problem", p.id), "")) for p in problems),
        problems_opened=await _problems_moved(session, workspace, row, opened=True),
        problems_resolved=await _problems_moved(session, workspace, row, opened=False),
        open_decisions=tuple(
            _decision_line(d, notes.get(("decision", d.id), "")) for d in decisions
        ),
        trend=await _trend(session, workspace.id, row, len(groups)),
    )


# --- the roster and this week's reports -----------------------------------------------------


@dataclass(frozen=True)
class _Committed:
    late: bool
    submitted_at: datetime | None
    content: dict[str, Any]


@dataclass(frozen=True)
class _Indicator:
    id: int
    name: str
    unit: str
    target: float | None


@dataclass
class _Group:
    id: int
    code: str
    name: str
    indicators: list[_Indicator]


async def _roster(
    session: AsyncSession, workspace_id: int, *, indicators: bool = True
) -> list[_Group]:
    """The active groups in roster order, with their indicators: the columns reports use
    (``indicators=False``: without, for a week read without its indicators).

    Plain rows rather than ORM objects: a thousand groups with their duties and member
    units would cost more to build as objects than everything else the week needs.
    """
    active = and_(TaskGroup.workspace_id == workspace_id, TaskGroup.active.is_(True))
    rows = await session.execute(
        select(TaskGroup.id, TaskGroup.code, TaskGroup.name)
        .where(active)
        .order_by(TaskGroup.position, TaskGroup.id)
    )
    groups = {id_: _Group(id_, code, name, []) for id_, code, name in rows.all()}
    if not indicators:
        return list(groups.values())
    columns = await session.execute(
        select(Indicator.group_id, Indicator.id, Indicator.name, Indicator.unit, Indicator.target)
        .join(TaskGroup, TaskGroup.id == Indicator.group_id)
        .where(active)
        .order_by(Indicator.group_id, Indicator.position, Indicator.id)
    )
    for group_id, id_, name, unit, target in columns.all():
        groups[group_id].indicators.append(_Indicator(id_, name, unit, target))
    return list(groups.values())


async def _committed(session: AsyncSession, period_id: int) -> dict[int, _Committed]:
    """Each group's last revision of the week: what it submitted, not what it is editing."""
    last = (
        select(
            SubmissionRevision.submission_id,
            func.max(SubmissionRevision.number).label("number"),
        )
        .join(Submission, Submission.id == SubmissionRevision.submission_id)
        .where(Submission.period_id == period_id)
        .group_by(SubmissionRevision.submission_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Submission.group_id,
            Submission.late,
            Submission.submitted_at,
            SubmissionRevision.content,
        )
        .join(SubmissionRevision, SubmissionRevision.submission_id == Submission.id)
        .join(
            last,
            and_(
                last.c.submission_id == SubmissionRevision.submission_id,
                last.c.number == SubmissionRevision.number,
            ),
        )
        .where(Submission.period_id == period_id)
    )
    return {
        group_id: _Committed(bool(late), submitted_at, content or {})
        for group_id, late, submitted_at, content in rows.all()
    }


async def _exemptions(session: AsyncSession, period_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(Exemption.group_id, Exemption.reason).where(Exemption.period_id == period_id)
    )
    return {group_id: reason for group_id, reason in rows.all()}


def _group_week(group: _Group, report: _Committed | None, exempt: str | None) -> GroupWeek:
    """An exemption wins over a report: the office excused the group for the week."""
    if exempt is not None:
        return GroupWeek(group.id, group.code, group.name, "exempt", exempt_reason=exempt)
    if report is None:
        return GroupWeek(group.id, group.code, group.name, "missing")
    content = report.content
    return GroupWeek(
        group.id,
        group.code,
        group.name,
        "late" if report.late else "on_time",
        progress_status=content.get("progress_status"),
        percent=content.get("percent"),
        submitted_at=report.submitted_at,
        done_text=(content.get("done_text") or "").strip(),
        plan_text=(content.get("plan_text") or "").strip(),
    )


def _follow_up_notes(reports: Any) -> dict[tuple[str, int], str]:
    """This week's follow-up notes by ("problem" | "decision", id)."""
    notes: dict[tuple[str, int], str] = {}
    for report in reports:
        for answer in report.content.get("follow_ups") or []:
            note = (answer.get("note") or "").strip()
            if answer.get("problem_id") is not None:
                notes[("problem", int(answer["problem_id"]))] = note
            elif answer.get("decision_id") is not None:
                notes[("decision", int(answer["decision_id"]))] = note
    return notes


def _problem_line(view: ledgers.ProblemView, note: str) -> ProblemLine:
    return ProblemLine(
        view.group_name,
        view.text,
        view.status,
        view.opened_period_key,
        view.age_weeks,
        view.escalated,
        view.to_meeting,
        note,
    )


def _decision_line(view: ledgers.DecisionView, note: str) -> DecisionLine:
    return DecisionLine(view.group_name, view.text, view.due_on, view.status, view.overdue, note)


async def _problems_moved(
    session: AsyncSession, workspace: Workspace, row: PeriodRow, *, opened: bool
) -> tuple[ProblemLine, ...]:
    """Problems raised (``opened``) or resolved in exactly this week."""
    opened_period = aliased(PeriodRow)
    column = Problem.opened_period_id if opened else Problem.resolved_period_id
    rows = await session.execute(
        select(Problem, TaskGroup.name, opened_period.key, opened_period.starts_on)
        .join(TaskGroup, TaskGroup.id == Problem.group_id)
        .join(opened_period, opened_period.id == Problem.opened_period_id)
        .where(column == row.id)
        .order_by(TaskGroup.position, Problem.id)
    )
    limit = ledgers.escalation_weeks(workspace)
    lines = []
    for problem, name, key, starts_on in rows.all():
        age = ledgers.age_in_weeks(starts_on, row.starts_on)
        status = "resolved" if problem.resolved_period_id == row.id else "open"
        lines.append(
            ProblemLine(name, problem.text, status, key, age, age >= limit, problem.to_meeting)
        )
    return tuple(lines)


# --- indicators: this week and the year to date -----------------------------------------------

# The year's sums read straight from the committed revisions' JSON, in the database: one
# statement however many weeks the year has, and no revision leaves the database.
_LAST_REVISIONS = """
    SELECT r2.submission_id, MAX(r2.number) AS number
    FROM submission_revision r2 JOIN submission s ON s.id = r2.submission_id
    WHERE s.period_id IN :period_ids
    GROUP BY r2.submission_id
"""
_YEAR_TO_DATE_SQL = {
    "sqlite": f"""
        SELECT je.key, SUM(je.value), COUNT(je.value)
        FROM submission_revision r
        JOIN ({_LAST_REVISIONS}) last
          ON last.submission_id = r.submission_id AND last.number = r.number,
        json_each(r.content, '$.indicators') je
        GROUP BY je.key
    """,
    "postgresql": f"""
        SELECT je.key, SUM(CAST(je.value AS DOUBLE PRECISION)), COUNT(je.value)
        FROM submission_revision r
        JOIN ({_LAST_REVISIONS}) last
          ON last.submission_id = r.submission_id AND last.number = r.number
        CROSS JOIN LATERAL json_each_text(r.content -> 'indicators') AS je(key, value)
        GROUP BY je.key
    """,
}


async def _year_to_date(
    session: AsyncSession, workspace_id: int, period: Period
) -> dict[int, tuple[float, int]]:
    """(sum, weeks reported) of every indicator over the ISO year up to and with ``period``."""
    period_ids = list(
        await session.scalars(
            select(PeriodRow.id).where(
                PeriodRow.workspace_id == workspace_id,
                PeriodRow.key.startswith(f"{period.iso_year:04d}-W"),
                PeriodRow.starts_on <= period.start,
            )
        )
    )
    if not period_ids:
        return {}
    statement = text(_YEAR_TO_DATE_SQL[session.bind.dialect.name]).bindparams(
        bindparam("period_ids", expanding=True)
    )
    rows = await session.execute(statement, {"period_ids": period_ids})
    return {int(key): (float(total), int(count)) for key, total, count in rows.all()}


async def _indicators(
    session: AsyncSession,
    workspace_id: int,
    period: Period,
    groups: list[_Group],
    committed: dict[int, _Committed],
) -> tuple[IndicatorLine, ...]:
    if not any(group.indicators for group in groups):
        return ()
    totals = await _year_to_date(session, workspace_id, period)
    lines = []
    for group in groups:
        report = committed.get(group.id)
        values = (report.content.get("indicators") or {}) if report else {}
        for indicator in group.indicators:
            week = values.get(str(indicator.id))
            total, count = totals.get(indicator.id, (0.0, 0))
            if not count:
                ytd = None
            elif indicator.unit in RATE_UNITS:
                ytd = total / count
            else:
                ytd = total
            lines.append(
                IndicatorLine(
                    group.name,
                    indicator.name,
                    indicator.unit,
                    None if week is None else float(week),
                    ytd,
                    indicator.target,
                )
            )
    return tuple(lines)


# --- the 8-week trend -------------------------------------------------------------------------


async def _trend(
    session: AsyncSession, workspace_id: int, row: PeriodRow, group_count: int
) -> tuple[TrendWeek, ...]:
    """On-time rate and open problems of the week and the seven before it.

    Bounded by the (at most) eight period rows: the reports are counted by period id, and
    only problems still open at the first of those weeks are read.
    """
    periods = list(
        await session.scalars(
            select(PeriodRow)
            .where(
                PeriodRow.workspace_id == workspace_id,
                PeriodRow.starts_on <= row.starts_on,
                PeriodRow.starts_on > row.starts_on - timedelta(weeks=TREND_WEEKS),
            )
            .order_by(PeriodRow.starts_on)
        )
    )
    ids = [p.id for p in periods]
    on_time = await _counts(
        session,
        select(Submission.period_id, func.count())
        .where(
            Submission.period_id.in_(ids),
            Submission.state == "submitted",
            Submission.late.is_(False),
        )
        .group_by(Submission.period_id),
    )
    exempt = await _counts(
        session,
        select(Exemption.period_id, func.count())
        .where(Exemption.period_id.in_(ids))
        .group_by(Exemption.period_id),
    )
    spans = await _problem_spans(session, workspace_id, periods[0].starts_on, row.starts_on)
    return tuple(
        TrendWeek(
            p.key,
            _rate(on_time[p.id], group_count - exempt[p.id]),
            sum(1 for opened, resolved in spans if _open_in(p.starts_on, opened, resolved)),
        )
        for p in periods
    )


async def _counts(session: AsyncSession, statement: Select[Any]) -> Counter[int]:
    """A (key, count) grouping as a counter: keys with no rows count zero."""
    return Counter({key: int(count) for key, count in (await session.execute(statement)).all()})


def _rate(count: int, expected: int) -> float:
    return min(count / expected, 1.0) if expected > 0 else 0.0


def _open_in(week: date, opened: date, resolved: date | None) -> bool:
    """Open at the end of ``week``: the same rule as :func:`bot.ledgers.open_problems`."""
    return opened <= week and (resolved is None or resolved > week)


async def _problem_spans(
    session: AsyncSession, workspace_id: int, first: date, last: date
) -> list[tuple[date, date | None]]:
    """(week opened, week resolved) of the problems open at some point in [first, last].

    Only problems unresolved, or resolved after ``first``, are read (both by index): the
    years of problems resolved long ago stay where they are.
    """
    opened = aliased(PeriodRow)
    resolved = aliased(PeriodRow)
    later = select(PeriodRow.id).where(
        PeriodRow.workspace_id == workspace_id, PeriodRow.starts_on > first
    )
    rows = await session.execute(
        select(opened.starts_on, resolved.starts_on)
        .select_from(Problem)
        .join(opened, opened.id == Problem.opened_period_id)
        .outerjoin(resolved, resolved.id == Problem.resolved_period_id)
        .where(
            Problem.workspace_id == workspace_id,
            opened.starts_on <= last,
            or_(Problem.resolved_period_id.is_(None), Problem.resolved_period_id.in_(later)),
        )
    )
    return [(o, r) for o, r in rows.all()]
