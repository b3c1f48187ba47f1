"""The assessment rubric as a pure function: plain facts in, scores and ranks out.

Nothing here reads the database or the clock; :mod:`bot.rollups.facts` gathers the facts
and :mod:`bot.rollups.assessment` shows the result. Every number a group sees is the
outcome of the rules below, so they are the whole explanation of a score:

**Components** (weights are a workspace setting, ``settings["rubric"]``; defaults 40/30/20/10):

- ``on_time`` 按时报送: weeks reported by the deadline ÷ weeks due. A week is due from the
  week the group joined; exempt weeks (免报) are not due, so they count neither for nor
  against. A late report (迟报) is shown but earns nothing: the component is about the
  deadline the meeting depends on.
- ``decisions`` 议定事项按期办结: decisions of the group due within the window (and due by
  the day of assessment, or already closed) closed on or before their due date ÷ those
  decisions. A decision without a due date has no date to meet and is not counted.
- ``problems`` 问题解决: problems of the group open at some time in the window that were
  resolved by its end ÷ those problems.
- ``indicators`` 指标完成: indicators with a target that reached the time share of their
  yearly target (时序进度: target × weeks of the year elapsed ÷ weeks in the year; elapsed
  up to the window's end, or to the last week past its deadline if the window is still
  running) by the end of the window ÷ indicators with a target. An indicator in ``%`` is
  a rate, not a total: its average over the window's reported weeks is compared with the
  target itself.

**No data.** A component a group has nothing to be measured on (no decision was due, no
problem was raised, no indicator has a target) is left out and its weight is shared among
the group's other components in proportion: score = 100 × Σ(weight × ratio) ÷ Σ weight over
the components that have data. Full marks instead would reward a group for having had no
decisions assigned, and zero would punish it for something that never happened; the
re-weighting measures each group only on what it was asked to do, and shows it. A group
with no week due at all (it joined after the window) is not assessed.

**Joining.** A group is assessed from the week it joined: the first week whose deadline
falls after the group was created, or the week of its first report or exemption if that
is earlier (a group created in the roster after it had started reporting).

**Adjustments** (加减分) are added to the computed score, their sum bounded by
``±limit`` (default 10) and the result kept within 0–100.

**Ties.** Groups are ranked by final score rounded to one decimal (the number people
see); equal scores are ordered by the components' ratios in the rubric's order (on-time
reporting first); groups equal on all of these share a rank (并列) and are listed in
roster order.

**Grades** 优秀 / 良好 / 一般 / 较差 by thresholds on the final score (default 90 / 80 / 60).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

COMPONENTS = ("on_time", "decisions", "problems", "indicators")
DEFAULT_WEIGHTS: dict[str, float] = {
    "on_time": 40,
    "decisions": 30,
    "problems": 20,
    "indicators": 10,
}
DEFAULT_THRESHOLDS: dict[str, float] = {"excellent": 90, "good": 80, "fair": 60}
GRADES = ("excellent", "good", "fair", "poor")
DEFAULT_ADJUSTMENT_LIMIT = 10.0
DEFAULT_SHORTLIST = 3

WeekStatus = Literal["on_time", "late", "missing", "exempt"]


# --- the facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFact:
    """One week of the window for one group, as the loader saw it."""

    period_key: str  # "2026-W05": zero-padded, so keys compare like weeks
    status: WeekStatus


@dataclass(frozen=True)
class DecisionFact:
    due_on: date
    closed_on: date | None  # the local day it was closed (销号), if it was


@dataclass(frozen=True)
class ProblemFact:
    opened_key: str
    resolved_key: str | None


@dataclass(frozen=True)
class IndicatorFact:
    name: str
    unit: str
    target: float
    # (period key, value) for every report of the indicator in the window's year so far
    values: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class GroupFacts:
    group_id: int
    code: str
    name: str
    position: int
    joined_key: str | None  # the first week the group is assessed on; None: from the start
    weeks: tuple[WeekFact, ...]  # the window's weeks that are due by now
    decisions: tuple[DecisionFact, ...] = ()
    problems: tuple[ProblemFact, ...] = ()
    indicators: tuple[IndicatorFact, ...] = ()


@dataclass(frozen=True)
class WindowFacts:
    """What the rules need to know about the window itself."""

    first_key: str  # first week of the window
    last_key: str  # last week of the window
    as_of: date  # the day of assessment: decisions due after it have time left
    elapsed_weeks: int  # weeks of the year up to the window's end (时序进度)
    year_weeks: int  # weeks in that year (52 or 53)


@dataclass(frozen=True)
class Rubric:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    adjustment_limit: float = DEFAULT_ADJUSTMENT_LIMIT
    shortlist: int = DEFAULT_SHORTLIST

    def as_dict(self) -> dict[str, Any]:
        return {
            "weights": dict(self.weights),
            "thresholds": dict(self.thresholds),
            "adjustment_limit": self.adjustment_limit,
            "shortlist": self.shortlist,
        }


def rubric_from_settings(settings: Mapping[str, Any] | None) -> Rubric:
    """The workspace's rubric: ``rubric`` (weights by component; a component left out or
    given 0 is not scored), ``grade_thresholds``, ``adjustment_limit``, ``shortlist_size``."""
    settings = settings or {}
    weights = {
        **DEFAULT_WEIGHTS,
        **{k: float(v) for k, v in (settings.get("rubric") or {}).items()},
    }
    weights = {k: weights[k] for k in COMPONENTS if weights.get(k, 0) > 0}
    thresholds = {
        **DEFAULT_THRESHOLDS,
        **{k: float(v) for k, v in (settings.get("grade_thresholds") or {}).items()},
    }
    return Rubric(
        weights=weights,
        thresholds=thresholds,
        adjustment_limit=float(settings.get("adjustment_limit", DEFAULT_ADJUSTMENT_LIMIT)),
        shortlist=int(settings.get("shortlist_size", DEFAULT_SHORTLIST)),
    )


# --- the results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentScore:
    key: str
    weight: float  # as set in the rubric
    achieved: float  # the raw numbers: achieved of total ("按时报送 24/26 周")
    total: float
    effective_weight: float = 0.0  # after sharing out the weights of components with no data
    points: float | None = None  # None: no data, left out
    details: dict[str, int] = field(default_factory=dict)  # e.g. late / missing / exempt weeks

    @property
    def ratio(self) -> float | None:
        return self.achieved / self.total if self.total else None


@dataclass(frozen=True)
class GroupScore:
    group_id: int
    code: str
    name: str
    position: int
    weeks_assessed: int
    components: tuple[ComponentScore, ...]
    computed: float | None  # None: nothing to assess
    adjustment: float = 0.0
    final: float | None = None
    grade: str | None = None
    rank: int | None = None
    tied: bool = False


def _on_time(group: GroupFacts) -> ComponentScore:
    weeks = [w for w in group.weeks if group.joined_key is None or w.period_key >= group.joined_key]
    counts = {
        status: sum(1 for w in weeks if w.status == status)
        for status in ("on_time", "late", "missing", "exempt")
    }
    due = len(weeks) - counts["exempt"]
    return ComponentScore("on_time", 0, counts["on_time"], due, details=counts)


def _decisions(group: GroupFacts, window: WindowFacts) -> ComponentScore:
    counted = [
        d
        for d in group.decisions
        if d.due_on <= window.as_of or (d.closed_on is not None and d.closed_on <= window.as_of)
    ]
    on_time = sum(1 for d in counted if d.closed_on is not None and d.closed_on <= d.due_on)
    closed_late = sum(1 for d in counted if d.closed_on is not None and d.closed_on > d.due_on)
    details = {"closed_late": closed_late, "open": len(counted) - on_time - closed_late}
    return ComponentScore("decisions", 0, on_time, len(counted), details=details)


def _problems(group: GroupFacts, window: WindowFacts) -> ComponentScore:
    counted = [
        p
        for p in group.problems
        if p.opened_key <= window.last_key
        and (p.resolved_key is None or p.resolved_key >= window.first_key)
    ]
    resolved = sum(
        1 for p in counted if p.resolved_key is not None and p.resolved_key <= window.last_key
    )
    return ComponentScore("problems", 0, resolved, len(counted))


def indicator_met(indicator: IndicatorFact, window: WindowFacts) -> tuple[float, float, bool]:
    """(achieved, expected, met) of one indicator by the window's end (see the module doc)."""
    if indicator.unit.strip() in ("%", "％"):
        values = [v for key, v in indicator.values if window.first_key <= key <= window.last_key]
        achieved = sum(values) / len(values) if values else 0.0
        return achieved, indicator.target, bool(values) and achieved >= indicator.target
    achieved = sum(v for key, v in indicator.values if key <= window.last_key)
    expected = indicator.target * window.elapsed_weeks / window.year_weeks
    return achieved, expected, achieved >= expected


def _indicators(group: GroupFacts, window: WindowFacts) -> ComponentScore:
    met = sum(1 for i in group.indicators if indicator_met(i, window)[2])
    return ComponentScore("indicators", 0, met, len(group.indicators))


def _components(
    group: GroupFacts, window: WindowFacts, rubric: Rubric
) -> tuple[ComponentScore, ...]:
    raw = {
        "on_time": _on_time(group),
        "decisions": _decisions(group, window),
        "problems": _problems(group, window),
        "indicators": _indicators(group, window),
    }
    scored = [replace(raw[key], weight=weight) for key, weight in rubric.weights.items()]
    measured = sum(c.weight for c in scored if c.total)
    if not measured:
        return tuple(scored)
    result = []
    for component in scored:
        if not component.total:
            result.append(component)
            continue
        effective = 100 * component.weight / measured
        ratio = component.achieved / component.total
        result.append(replace(component, effective_weight=effective, points=effective * ratio))
    return tuple(result)


def grade_of(score: float, thresholds: Mapping[str, float]) -> str:
    for grade in ("excellent", "good", "fair"):
        if score >= thresholds[grade]:
            return grade
    return "poor"


def score_group(
    group: GroupFacts, window: WindowFacts, rubric: Rubric, adjustment: float = 0.0
) -> GroupScore:
    components = _components(group, window, rubric)
    on_time = _on_time(group)
    weeks_assessed = int(on_time.total + on_time.details["exempt"])
    scored = [c.points for c in components if c.points is not None]
    if not scored or weeks_assessed == 0:
        return GroupScore(
            group.group_id, group.code, group.name, group.position, weeks_assessed, components, None
        )
    computed = sum(scored)
    limit = rubric.adjustment_limit
    bounded = max(-limit, min(limit, adjustment))
    final = max(0.0, min(100.0, computed + bounded))
    return GroupScore(
        group.group_id, group.code, group.name, group.position, weeks_assessed, components,
        computed, bounded, final, grade_of(round(final, 1), rubric.thresholds),
    )  # fmt: skip


def _tie_key(score: GroupScore) -> tuple[float, ...]:
    ratios = [-(c.ratio if c.ratio is not None else -1.0) for c in score.components]
    return (-round(score.final or 0.0, 1), *ratios)


def rank(scores: Sequence[GroupScore]) -> list[GroupScore]:
    """Assessed groups by rank (ties as the module doc says), then those not assessed."""
    assessed = sorted(
        (s for s in scores if s.final is not None), key=lambda s: (_tie_key(s), s.position)
    )
    ranked: list[GroupScore] = []
    for index, score in enumerate(assessed):
        key = _tie_key(score)
        same = bool(ranked) and _tie_key(ranked[-1]) == key
        position = ranked[-1].rank if same else index + 1
        tied = any(_tie_key(other) == key for other in assessed if other is not score)
        ranked.append(replace(score, rank=position, tied=tied))
    rest = sorted((s for s in scores if s.final is None), key=lambda s: s.position)
    return ranked + rest


def score_groups(
    groups: Sequence[GroupFacts],
    window: WindowFacts,
    rubric: Rubric,
    adjustments: Mapping[int, float] | None = None,
) -> list[GroupScore]:
    """Score every group and rank them: the whole assessment, from facts alone."""
    adjustments = adjustments or {}
    return rank([score_group(g, window, rubric, adjustments.get(g.group_id, 0.0)) for g in groups])


def shortlist(ranked: Sequence[GroupScore], size: int) -> list[GroupScore]:
    """The commendation shortlist: ranks 1..size; a tie at the last place brings all tied."""
    return [s for s in ranked if s.rank is not None and s.rank <= size]


# --- the year --------------------------------------------------------------------------


@dataclass(frozen=True)
class YearScore:
    """A group's year: the mean of its two halves (a half it was not assessed in is left
    out), used when the workspace ranks the year by its halves."""

    group_id: int
    code: str
    name: str
    position: int
    halves: tuple[float | None, float | None]
    final: float | None
    grade: str | None = None
    rank: int | None = None
    tied: bool = False


def rank_year_by_halves(
    first: Sequence[GroupScore], second: Sequence[GroupScore], thresholds: Mapping[str, float]
) -> list[YearScore]:
    """The year's ranking from both halves' finals, averaged.

    Ties: final rounded to one decimal, then the second half's final (the more recent
    work); equal on both, the groups share the rank.
    """
    by_id = {s.group_id: s for s in second}
    years = []
    for one in first:
        two = by_id.get(one.group_id)
        halves = (one.final, two.final if two else None)
        present = [h for h in halves if h is not None]
        final = sum(present) / len(present) if present else None
        grade = grade_of(round(final, 1), thresholds) if final is not None else None
        years.append(
            YearScore(one.group_id, one.code, one.name, one.position, halves, final, grade)
        )

    def key(y: YearScore) -> tuple[float, float]:
        return (
            -round(y.final or 0.0, 1),
            -round(y.halves[1] if y.halves[1] is not None else -1.0, 1),
        )

    assessed = sorted((y for y in years if y.final is not None), key=lambda y: (key(y), y.position))
    ranked: list[YearScore] = []
    for index, year in enumerate(assessed):
        same = ranked and key(ranked[-1]) == key(year)
        position = ranked[-1].rank if same else index + 1
        tied = any(key(o) == key(year) for o in assessed if o is not year)
        ranked.append(replace(year, rank=position, tied=tied))
    return ranked + sorted((y for y in years if y.final is None), key=lambda y: y.position)
