"""Gather what the roll-ups need from the database, in a few statements for all groups.

One :func:`load` serves the monthly summary and the assessment: the roster, the latest
revision of every report from the start of the year (statuses, indicators, texts),
exemptions, and the problem and decision ledgers. The queries are per workspace, never
per group, so thirteen groups or two hundred cost the same number of round trips.
:func:`group_facts` then turns the rows into the plain facts :mod:`bot.rollups.scoring`
takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot import schedule
from bot.periods import Period, parse_period, period_containing
from bot.reporting import calendar_for
from bot.rollups.scoring import (
    DecisionFact,
    GroupFacts,
    IndicatorFact,
    ProblemFact,
    WeekFact,
)
from storage.models import (
    Decision,
    Exemption,
    Problem,
    Submission,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)
from storage.models import Period as PeriodRow


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    name: str
    unit: str
    target: float | None


@dataclass(frozen=True)
class GroupInfo:
    id: int
    code: str
    name: str
    position: int
    joined_key: str | None
    indicators: tuple[IndicatorInfo, ...]


@dataclass(frozen=True)
class Report:
    """The latest revision of one group's report for one week."""

    group_id: int
    period_key: str
    late: bool
    revision_id: int
    progress_status: str | None
    percent: int | None
    indicators: dict[int, float]
    done_text: str
    plan_text: str


@dataclass(frozen=True)
class DecisionRow:
    id: int
    group_id: int
    text: str
    decided_key: str
    due_on: date | None
    closed_on: date | None


@dataclass(frozen=True)
class ProblemRow:
    id: int
    group_id: int
    text: str
    opened_key: str
    resolved_key: str | None


@dataclass
class Facts:
    groups: list[GroupInfo]
    due_keys: list[str]  # the weeks asked for whose deadline has passed, in order
    reports: dict[tuple[int, str], Report] = field(default_factory=dict)
    exempt: set[tuple[int, str]] = field(default_factory=set)
    decisions: list[DecisionRow] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)

    def status(self, group_id: int, key: str) -> str:
        """on_time | late | missing | exempt, for a week whose deadline has passed."""
        if (group_id, key) in self.exempt:
            return "exempt"
        report = self.reports.get((group_id, key))
        if report is None:
            return "missing"
        return "late" if report.late else "on_time"


async def _due_keys(
    session: AsyncSession, workspace: Workspace, weeks: Sequence[Period], now: datetime
) -> list[str]:
    tz = ZoneInfo(workspace.timezone)
    calendar = await calendar_for(session, workspace)
    settings = workspace.settings or {}
    # A holiday only ever moves a deadline later, so a nominal deadline still ahead needs
    # no calendar (and no warning about a year the calendar does not know yet).
    return [
        week.key
        for week in weeks
        if schedule.nominal_moment(settings, "deadline", week, tz) < now
        and schedule.moment(settings, "deadline", week, tz, calendar) < now
    ]


def _joined_key(
    created_at: datetime | None, first_seen: str | None, workspace: Workspace, now: datetime
) -> str | None:
    """The first week a group is assessed on (see :mod:`bot.rollups.scoring`, Joining).

    A creation stamp later than the clock's now cannot be on the clock's timeline: the
    stamp is the database's real time and the clock a moved one (a demo, a test). Such a
    group counts from its first report or exemption, or from the beginning without one.
    """
    if created_at is None or created_at > now:
        return first_seen if created_at is not None else None
    tz = ZoneInfo(workspace.timezone)
    week = period_containing(created_at, tz)
    if schedule.nominal_moment(workspace.settings or {}, "deadline", week, tz) < created_at:
        week = week.next()
    keys = [week.key] + ([first_seen] if first_seen else [])
    return min(keys)


async def _groups(session: AsyncSession, workspace: Workspace, now: datetime) -> list[GroupInfo]:
    seen_reports = (
        select(Submission.group_id.label("group_id"), PeriodRow.key.label("key"))
        .join(PeriodRow, PeriodRow.id == Submission.period_id)
        .where(PeriodRow.workspace_id == workspace.id, Submission.state == "submitted")
    )
    seen_exempt = (
        select(Exemption.group_id.label("group_id"), PeriodRow.key.label("key"))
        .join(PeriodRow, PeriodRow.id == Exemption.period_id)
        .where(PeriodRow.workspace_id == workspace.id)
    )
    seen = seen_reports.union_all(seen_exempt).subquery()
    first_seen = dict(
        (
            await session.execute(
                select(seen.c.group_id, func.min(seen.c.key)).group_by(seen.c.group_id)
            )
        ).all()
    )
    rows = await session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace.id, TaskGroup.active.is_(True))
        .options(selectinload(TaskGroup.indicators))
        .order_by(TaskGroup.position)
    )
    return [
        GroupInfo(
            g.id, g.code, g.name, g.position,
            _joined_key(g.created_at, first_seen.get(g.id), workspace, now),
            tuple(IndicatorInfo(i.id, i.name, i.unit, i.target) for i in g.indicators),
        )
        for g in rows
    ]  # fmt: skip


async def _reports(
    session: AsyncSession, workspace: Workspace, first_key: str, last_key: str
) -> dict[tuple[int, str], Report]:
    latest = (
        select(func.max(SubmissionRevision.id))
        .where(SubmissionRevision.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Submission.group_id, PeriodRow.key, Submission.late, SubmissionRevision)
        .join(PeriodRow, PeriodRow.id == Submission.period_id)
        .join(SubmissionRevision, SubmissionRevision.id == latest)
        .where(
            PeriodRow.workspace_id == workspace.id,
            Submission.state == "submitted",
            PeriodRow.key >= first_key,
            PeriodRow.key <= last_key,
        )
    )
    reports = {}
    for group_id, key, late, revision in rows.all():
        content = revision.content or {}
        reports[(group_id, key)] = Report(
            group_id, key, bool(late), revision.id,
            content.get("progress_status"), content.get("percent"),
            {int(k): float(v) for k, v in (content.get("indicators") or {}).items()},
            content.get("done_text") or "", content.get("plan_text") or "",
        )  # fmt: skip
    return reports


async def _exemptions(
    session: AsyncSession, workspace: Workspace, first_key: str, last_key: str
) -> set[tuple[int, str]]:
    rows = await session.execute(
        select(Exemption.group_id, PeriodRow.key)
        .join(PeriodRow, PeriodRow.id == Exemption.period_id)
        .where(
            PeriodRow.workspace_id == workspace.id,
            PeriodRow.key >= first_key,
            PeriodRow.key <= last_key,
        )
    )
    return {(group_id, key) for group_id, key in rows.all()}


async def _decisions(session: AsyncSession, workspace: Workspace) -> list[DecisionRow]:
    tz = ZoneInfo(workspace.timezone)
    rows = await session.execute(
        select(Decision, PeriodRow.key)
        .join(PeriodRow, PeriodRow.id == Decision.decided_period_id)
        .where(Decision.workspace_id == workspace.id)
        .order_by(Decision.id)
    )
    return [
        DecisionRow(
            d.id, d.group_id, d.text, key, d.due_on,
            d.closed_at.astimezone(tz).date() if d.closed_at and d.status == "done" else None,
        )
        for d, key in rows.all()
    ]  # fmt: skip


async def _problems(session: AsyncSession, workspace: Workspace) -> list[ProblemRow]:
    opened = aliased(PeriodRow)
    resolved = aliased(PeriodRow)
    rows = await session.execute(
        select(Problem.id, Problem.group_id, Problem.text, opened.key, resolved.key)
        .join(opened, opened.id == Problem.opened_period_id)
        .outerjoin(resolved, resolved.id == Problem.resolved_period_id)
        .where(Problem.workspace_id == workspace.id)
        .order_by(Problem.id)
    )
    return [ProblemRow(*row) for row in rows.all()]


async def load(
    session: AsyncSession,
    workspace: Workspace,
    weeks: Sequence[Period],
    now: datetime,
    reports_from: Period | None = None,
) -> Facts:
    """Everything about ``weeks``; reports (for year-to-date totals) from ``reports_from``."""
    first = reports_from or weeks[0]
    last = weeks[-1]
    return Facts(
        groups=await _groups(session, workspace, now),
        due_keys=await _due_keys(session, workspace, weeks, now),
        reports=await _reports(session, workspace, first.key, last.key),
        exempt=await _exemptions(session, workspace, weeks[0].key, last.key),
        decisions=await _decisions(session, workspace),
        problems=await _problems(session, workspace),
    )


def elapsed_weeks(facts: Facts, weeks: Sequence[Period], whole: int) -> int:
    """Weeks of the year gone by for the time share of a target (时序进度): up to the last
    week of ``weeks`` past its deadline, so an assessment or a summary made before its
    window ends does not expect the whole window's share yet. ``whole`` is the count up
    to the window's end."""
    if facts.due_keys:
        return min(whole, parse_period(facts.due_keys[-1]).week)
    return min(whole, weeks[0].week - 1)


def _in_weeks(day: date | None, first: Period, last: Period) -> bool:
    return day is not None and first.start <= day <= last.end


def reports_by_group(facts: Facts) -> dict[int, list[Report]]:
    """Each group's reports in week order."""
    grouped: dict[int, list[Report]] = {}
    for (group_id, _), report in sorted(facts.reports.items(), key=lambda item: item[0][1]):
        grouped.setdefault(group_id, []).append(report)
    return grouped


def _indicator_fact(indicator: IndicatorInfo, reports: list[Report], year: int) -> IndicatorFact:
    values = tuple(
        (r.period_key, r.indicators[indicator.id])
        for r in reports
        if indicator.id in r.indicators and parse_period(r.period_key).iso_year == year
    )
    assert indicator.target is not None
    return IndicatorFact(indicator.name, indicator.unit, indicator.target, values)


def group_facts(facts: Facts, first: Period, last: Period) -> list[GroupFacts]:
    """The scoring facts of every group for the weeks ``first`` … ``last``."""
    window_keys = [k for k in facts.due_keys if first.key <= k <= last.key]
    by_group = reports_by_group(facts)
    result = []
    for group in facts.groups:
        weeks = tuple(WeekFact(k, facts.status(group.id, k)) for k in window_keys)  # type: ignore[arg-type]
        decisions = tuple(
            DecisionFact(d.due_on, d.closed_on)
            for d in facts.decisions
            if d.group_id == group.id and d.due_on is not None and _in_weeks(d.due_on, first, last)
        )
        problems = tuple(
            ProblemFact(p.opened_key, p.resolved_key)
            for p in facts.problems
            if p.group_id == group.id
        )
        reports = by_group.get(group.id, [])
        indicators = tuple(
            _indicator_fact(i, reports, last.iso_year)
            for i in group.indicators
            if i.target is not None
        )
        result.append(
            GroupFacts(
                group.id, group.code, group.name, group.position, group.joined_key,
                weeks, decisions, problems, indicators,
            )
        )  # fmt: skip
    return result
