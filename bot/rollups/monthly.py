"""The monthly summary (月度总结), compiled: what the month's weeks add up to.

The month's weeks are those whose Thursday falls in it (:mod:`bot.rollups.months`). A week
counts for reporting once its deadline has passed, or earlier for a group that has
already reported it (on time, necessarily). Rates are over the weeks a group was
due: from the week it joined, exempt weeks left out, exactly as the assessment counts.
Indicator totals are compared with the yearly target and with the time share of it
(时序进度, weeks of the year elapsed ÷ weeks in the year); an indicator in ``%`` is a rate
and shows its average instead of a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import ledgers, reporting
from bot.periods import Period
from bot.rollups import facts as facts_module
from bot.rollups import highlights
from bot.rollups.months import Month, whole_year, year_progress
from storage.models import Workspace


@dataclass(frozen=True)
class GroupMonth:
    name: str
    position: int
    statuses: tuple[
        str, ...
    ]  # per week of the month: on_time|late|missing|exempt|not_due|not_joined
    progress: tuple[str | None, ...]  # per week: on_track|delayed|blocked|None
    percent: int | None  # the latest percent complete reported in the month

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses if s == status)

    @property
    def due(self) -> int:
        return self.count("on_time") + self.count("late") + self.count("missing")

    @property
    def reported(self) -> int:
        return self.count("on_time") + self.count("late")


@dataclass(frozen=True)
class IndicatorMonth:
    group_name: str
    name: str
    unit: str
    month_value: float | None  # total, or average for a rate
    year_value: float | None
    target: float | None
    is_rate: bool

    @property
    def year_share(self) -> float | None:
        """Year to date ÷ target (for a rate: the average ÷ target)."""
        if self.target is None or not self.target or self.year_value is None:
            return None
        return self.year_value / self.target


@dataclass(frozen=True)
class MonthlySummary:
    month: Month
    weeks: tuple[Period, ...]
    groups: tuple[GroupMonth, ...]
    indicators: tuple[IndicatorMonth, ...]
    time_share: float  # weeks of the year elapsed by the month's end ÷ weeks in the year
    problems_opened: int
    problems_resolved: int
    open_problems: tuple[ledgers.ProblemView, ...]
    decisions_made: int
    decisions_closed: int
    open_decisions: tuple[ledgers.DecisionView, ...]
    practices: tuple[highlights.PracticeView, ...]
    issued_on: date

    @property
    def due(self) -> int:
        return sum(g.due for g in self.groups)

    @property
    def reported(self) -> int:
        return sum(g.reported for g in self.groups)

    @property
    def on_time(self) -> int:
        return sum(g.count("on_time") for g in self.groups)


def _statuses(
    facts: facts_module.Facts, group: facts_module.GroupInfo, weeks: list[Period]
) -> tuple[str, ...]:
    due = set(facts.due_keys)
    result = []
    for week in weeks:
        if group.joined_key is not None and week.key < group.joined_key:
            result.append("not_joined")
        elif week.key not in due:
            # reported before its deadline has even come: on time, and counted as such
            reported = (group.id, week.key) in facts.reports
            result.append("on_time" if reported else "not_due")
        else:
            result.append(facts.status(group.id, week.key))
    return tuple(result)


def _indicator_rows(
    group: facts_module.GroupInfo, reports: list[facts_module.Report], month_keys: set[str]
) -> list[IndicatorMonth]:
    rows = []
    for indicator in group.indicators:
        year_values = [r.indicators[indicator.id] for r in reports if indicator.id in r.indicators]
        month_values = [
            r.indicators[indicator.id]
            for r in reports
            if indicator.id in r.indicators and r.period_key in month_keys
        ]
        is_rate = indicator.unit.strip() in ("%", "％")

        def combine(values: list[float], rate: bool = is_rate) -> float | None:
            if not values:
                return None
            return sum(values) / len(values) if rate else sum(values)

        rows.append(
            IndicatorMonth(
                group.name, indicator.name, indicator.unit, combine(month_values),
                combine(year_values), indicator.target, is_rate,
            )
        )  # fmt: skip
    return rows


async def compile_month(
    session: AsyncSession, workspace: Workspace, month: Month, now: datetime
) -> MonthlySummary:
    weeks = month.weeks()
    year_start = whole_year(weeks[-1].iso_year).weeks()[0]
    facts = await facts_module.load(session, workspace, weeks, now, reports_from=year_start)
    keys = {w.key for w in weeks}
    groups, indicators = [], []
    by_group = facts_module.reports_by_group(facts)
    for group in facts.groups:
        in_month = [facts.reports.get((group.id, w.key)) for w in weeks]
        percents = [r.percent for r in in_month if r is not None and r.percent is not None]
        groups.append(
            GroupMonth(
                group.name, group.position, _statuses(facts, group, weeks),
                tuple(r.progress_status if r else None for r in in_month),
                percents[-1] if percents else None,
            )
        )  # fmt: skip
        indicators.extend(_indicator_rows(group, by_group.get(group.id, []), keys))
    first_day, last_day = weeks[0].start, weeks[-1].end
    last_row = await reporting.period_row(session, workspace, weeks[-1])
    whole, year_weeks = year_progress(month)
    elapsed = facts_module.elapsed_weeks(facts, weeks, whole)
    return MonthlySummary(
        month=month,
        weeks=tuple(weeks),
        groups=tuple(groups),
        indicators=tuple(indicators),
        time_share=elapsed / year_weeks,
        problems_opened=sum(1 for p in facts.problems if p.opened_key in keys),
        problems_resolved=sum(1 for p in facts.problems if p.resolved_key in keys),
        open_problems=tuple(await ledgers.open_problems(session, workspace, last_row)),
        decisions_made=sum(1 for d in facts.decisions if d.decided_key in keys),
        decisions_closed=sum(
            1 for d in facts.decisions if d.closed_on and first_day <= d.closed_on <= last_day
        ),
        open_decisions=tuple(await ledgers.open_decisions(session, workspace, last_row)),
        practices=tuple(await highlights.of_month(session, workspace, month)),
        issued_on=now.astimezone(ZoneInfo(workspace.timezone)).date(),
    )
