"""The agenda of the weekly meeting (例会议程), compiled from one week's data (DESIGN §5).

Four sections, always in this order and always all four, so that the numbers 一 to 四
mean the same thing every week; an empty section says "无" (the renderers' concern).
The groups that did not report, and the exempt ones with their reason, come first, so
the meeting knows at once whose progress it will not hear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.reports.data import DecisionLine, GroupWeek, PeriodData, ProblemLine

SECTIONS = ("decisions", "progress", "problems", "plans")


@dataclass(frozen=True)
class GroupProblems:
    group_name: str
    problems: tuple[ProblemLine, ...]


@dataclass(frozen=True)
class GroupPlan:
    group_name: str
    plan: str


@dataclass(frozen=True)
class Agenda:
    workspace_title: str
    period_key: str
    meeting_on: date
    not_reported: tuple[str, ...]  # group names, roster order
    exempt: tuple[tuple[str, str], ...]  # (group name, reason)
    late: tuple[str, ...]
    # 一、上次例会议定事项落实情况: every decision still open, by due date
    decisions: tuple[DecisionLine, ...]
    # 二、各专项组工作进展: every group, roster order
    progress: tuple[GroupWeek, ...]
    # 三、需协调解决的问题: problems flagged for the meeting, by group in roster order
    problems: tuple[GroupProblems, ...]
    # 四、下阶段重点工作: the reported plans, roster order
    plans: tuple[GroupPlan, ...]


def compile_agenda(data: PeriodData) -> Agenda:
    return Agenda(
        workspace_title=data.workspace_title,
        period_key=data.period_key,
        meeting_on=data.meeting_on,
        not_reported=tuple(g.name for g in data.groups if g.reporting == "missing"),
        exempt=tuple((g.name, g.exempt_reason) for g in data.groups if g.reporting == "exempt"),
        late=tuple(g.name for g in data.groups if g.reporting == "late"),
        decisions=data.open_decisions,
        progress=data.groups,
        problems=_flagged_by_group(data.open_problems),
        plans=tuple(GroupPlan(g.name, g.plan_text) for g in data.groups if g.plan_text),
    )


def _flagged_by_group(problems: tuple[ProblemLine, ...]) -> tuple[GroupProblems, ...]:
    """Problems for the meeting, grouped; the ledger already lists them in roster order."""
    groups: dict[str, list[ProblemLine]] = {}
    for problem in problems:
        if problem.to_meeting:
            groups.setdefault(problem.group_name, []).append(problem)
    return tuple(GroupProblems(name, tuple(items)) for name, items in groups.items())
