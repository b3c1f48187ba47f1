"""The weekly bulletin (周通报), compiled from one week's data (DESIGN §5).

A :class:`Bulletin` holds facts only (names, numbers, dates, statuses), never wording: the
text, the Word file and the chart are rendered from it in the reader's language. That is
what makes publication safe to store: the frozen JSON of a published bulletin
(:func:`to_json`) rebuilds the same document years later, whatever the ledgers say then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.periods import parse_period
from bot.reports import codec
from bot.reports.data import (
    DecisionLine,
    GroupWeek,
    IndicatorLine,
    PeriodData,
    ProblemLine,
    TrendWeek,
)

PROGRESS = ("on_track", "delayed", "blocked")


@dataclass(frozen=True)
class ReportingCounts:
    total: int
    on_time: int
    late: int
    missing: int
    exempt: int

    @property
    def expected(self) -> int:
        """Groups that had to report: everyone but the exempt."""
        return self.total - self.exempt

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.expected if self.expected else 0.0


@dataclass(frozen=True)
class Bulletin:
    workspace_title: str
    period_key: str
    as_of_day: date
    escalation_weeks: int
    groups: tuple[GroupWeek, ...]
    indicators: tuple[IndicatorLine, ...]
    problems_open: tuple[ProblemLine, ...]
    problems_opened: tuple[ProblemLine, ...]
    problems_resolved: tuple[ProblemLine, ...]
    decisions_open: tuple[DecisionLine, ...]
    trend: tuple[TrendWeek, ...]

    @property
    def counts(self) -> ReportingCounts:
        tally = {kind: 0 for kind in ("on_time", "late", "missing", "exempt")}
        for group in self.groups:
            tally[group.reporting] += 1
        return ReportingCounts(total=len(self.groups), **tally)

    @property
    def progress_counts(self) -> dict[str | None, int]:
        """Groups per progress status; None counts the groups that did not report."""
        counts: dict[str | None, int] = {status: 0 for status in (*PROGRESS, None)}
        for group in self.groups:
            status = group.progress_status if group.reported else None
            counts[status if status in PROGRESS else None] += 1
        return counts

    @property
    def escalated(self) -> tuple[ProblemLine, ...]:
        """Open problems at or past the escalation age, oldest first."""
        found = [p for p in self.problems_open if p.escalated]
        return tuple(sorted(found, key=lambda p: -p.age_weeks))

    @property
    def decisions_due(self) -> tuple[DecisionLine, ...]:
        """Open decisions due within the week itself."""
        week = parse_period(self.period_key)
        return tuple(d for d in self.decisions_open if d.due_on and d.due_on in week)

    @property
    def decisions_overdue(self) -> tuple[DecisionLine, ...]:
        return tuple(d for d in self.decisions_open if d.overdue)


def compile_bulletin(data: PeriodData) -> Bulletin:
    return Bulletin(
        workspace_title=data.workspace_title,
        period_key=data.period_key,
        as_of_day=data.as_of_day,
        escalation_weeks=data.escalation_weeks,
        groups=data.groups,
        indicators=data.indicators,
        problems_open=data.open_problems,
        problems_opened=data.problems_opened,
        problems_resolved=data.problems_resolved,
        decisions_open=data.open_decisions,
        trend=data.trend,
    )


def to_json(bulletin: Bulletin) -> dict[str, Any]:
    return codec.dump(bulletin)


def from_json(data: dict[str, Any]) -> Bulletin:
    return codec.load(Bulletin, data)
