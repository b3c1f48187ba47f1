"""The rubric on a fixture half year (2026-H1: weeks W01–W26), every score computed by hand.

Window: 26 weeks; the year 2026 has 53 ISO weeks, so the time share of a yearly target by
the end of June is 26/53. Assessed on Wednesday 24 June 2026.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.rollups.months import half_year, year_progress
from bot.rollups.scoring import (
    DecisionFact,
    GroupFacts,
    GroupScore,
    IndicatorFact,
    ProblemFact,
    Rubric,
    WeekFact,
    WindowFacts,
    rank_year_by_halves,
    rubric_from_settings,
    score_groups,
    shortlist,
)

H1 = WindowFacts("2026-W01", "2026-W26", date(2026, 6, 24), 26, 53)


def key(week: int) -> str:
    return f"2026-W{week:02d}"


def weeks(*statuses: tuple[int, str], first: int = 1) -> tuple[WeekFact, ...]:
    """``(count, status)`` runs from week ``first`` on: weeks((24, "on_time"), (2, "late"))."""
    facts, week = [], first
    for count, status in statuses:
        for _ in range(count):
            facts.append(WeekFact(key(week), status))  # type: ignore[arg-type]
            week += 1
    return tuple(facts)


def resolved(n: int) -> tuple[ProblemFact, ...]:
    return tuple(ProblemFact(key(2 + i), key(3 + i)) for i in range(n))


def met() -> IndicatorFact:
    return IndicatorFact("服务人次", "人次", 53.0, ((key(1), 30.0),))  # expected 26 by W26


def unmet() -> IndicatorFact:
    return IndicatorFact("服务人次", "人次", 530.0, ((key(1), 30.0),))  # expected 260


GROUP_A = GroupFacts(
    1, "A", "甲组", 1, None,
    weeks((24, "on_time"), (1, "late"), (1, "missing")),
    decisions=(
        DecisionFact(date(2026, 3, 10), date(2026, 3, 9)),  # on time
        DecisionFact(date(2026, 6, 26), date(2026, 6, 20)),  # due later, closed already: on time
        DecisionFact(date(2026, 4, 10), date(2026, 4, 20)),  # closed late
        DecisionFact(date(2026, 6, 26), None),  # due after the day of assessment: not counted
    ),
    problems=(
        ProblemFact(key(2), key(5)),
        ProblemFact(key(10), key(12)),
        ProblemFact("2025-W50", key(3)),  # carried into the window, resolved in it
        ProblemFact(key(20), None),  # still open
        ProblemFact("2025-W40", "2025-W45"),  # closed before the window: not counted
        ProblemFact(key(28), None),  # raised after the window: not counted
    ),
    indicators=(
        # cumulative: 270 by W26 against 530 × 26/53 = 260 → met (W27's 500 is after the window)
        IndicatorFact(
            "服务人次", "人次", 530.0, ((key(3), 200.0), (key(20), 70.0), (key(27), 500.0))
        ),
        # a rate: mean of the window's values (93, 95) = 94 < 95 → not met (W27 is outside)
        IndicatorFact("调解成功率", "%", 95.0, ((key(4), 93.0), (key(9), 95.0), (key(27), 100.0))),
    ),
)  # fmt: skip
GROUP_B = GroupFacts(  # two exempt weeks; no decision at all
    2, "B", "乙组", 2, None,
    weeks((12, "on_time"), (2, "exempt"), (12, "on_time")),
    problems=(ProblemFact(key(2), key(4)), ProblemFact(key(6), None)),
    indicators=(met(),),
)  # fmt: skip
GROUP_C = GroupFacts(  # joined in week 14: the 13 weeks before it are not its weeks
    3, "C", "丙组", 3, key(14),
    weeks((13, "missing"), (12, "on_time"), (1, "late")),
    decisions=(DecisionFact(date(2026, 5, 1), date(2026, 4, 30)),),
)  # fmt: skip
GROUP_D = GroupFacts(
    4, "D", "丁组", 4, None,
    weeks((26, "on_time")),
    decisions=(DecisionFact(date(2026, 2, 1), None), DecisionFact(date(2026, 3, 1), None)),
    problems=resolved(2),
    indicators=(met(),),
)  # fmt: skip
GROUP_E = GroupFacts(
    5, "E", "戊组", 5, None,
    weeks((13, "on_time"), (13, "missing")),
    decisions=(
        DecisionFact(date(2026, 2, 1), date(2026, 2, 1)),
        DecisionFact(date(2026, 3, 1), date(2026, 2, 20)),
    ),
    problems=resolved(2),
    indicators=(unmet(),),
)  # fmt: skip
GROUP_F = replace(GROUP_E, group_id=6, code="F", name="己组", position=6)  # E's twin
GROUP_G = GroupFacts(7, "G", "庚组", 7, key(30), weeks((26, "missing")))  # joins after the window

FIXTURE = [GROUP_A, GROUP_B, GROUP_C, GROUP_D, GROUP_E, GROUP_F, GROUP_G]
ADJUSTMENTS = {1: 5.0, 2: -15.0}  # B's −15 is bounded to −10


@pytest.fixture
def ranked() -> dict[str, GroupScore]:
    return {s.code: s for s in score_groups(FIXTURE, H1, Rubric(), ADJUSTMENTS)}


def component(score: GroupScore, name: str) -> tuple[float, float, float | None]:
    c = next(c for c in score.components if c.key == name)
    return c.achieved, c.total, c.points


def test_every_component_of_a_group_with_data_for_all_four(ranked: dict[str, GroupScore]) -> None:
    a = ranked["A"]
    achieved, total, points = component(a, "on_time")
    assert (achieved, total) == (24, 26) and points == pytest.approx(40 * 24 / 26)
    on_time = next(c for c in a.components if c.key == "on_time")
    assert on_time.details == {"on_time": 24, "late": 1, "missing": 1, "exempt": 0}
    assert component(a, "decisions") == (2, 3, pytest.approx(20.0))
    assert component(a, "problems") == (3, 4, pytest.approx(15.0))
    assert component(a, "indicators") == (1, 2, pytest.approx(5.0))
    assert a.computed == pytest.approx(76.923, abs=1e-3)  # 36.923 + 20 + 15 + 5
    assert a.adjustment == 5.0 and a.final == pytest.approx(81.923, abs=1e-3)
    assert a.grade == "good"


def test_exempt_weeks_count_neither_way_and_a_missing_component_shares_its_weight(
    ranked: dict[str, GroupScore],
) -> None:
    b = ranked["B"]
    assert component(b, "on_time")[:2] == (24, 24)
    # no decisions: 40 + 20 + 10 = 70 measured, each weight scaled by 100/70
    assert component(b, "decisions") == (0, 0, None)
    assert component(b, "on_time")[2] == pytest.approx(4000 / 70)  # 57.143
    assert component(b, "problems")[2] == pytest.approx(1000 / 70)  # 28.571 × 1/2
    assert component(b, "indicators")[2] == pytest.approx(1000 / 70)  # 14.286 × 1
    assert b.computed == pytest.approx(85.714, abs=1e-3)
    assert b.adjustment == -10.0  # −15 asked, bounded to −10
    assert b.final == pytest.approx(75.714, abs=1e-3) and b.grade == "fair"


def test_a_group_that_joined_late_is_assessed_over_its_own_weeks(
    ranked: dict[str, GroupScore],
) -> None:
    c = ranked["C"]
    assert c.weeks_assessed == 13
    assert component(c, "on_time")[:2] == (12, 13)
    # decisions 1/1; no problems and no targets: 40 + 30 = 70 measured
    assert c.computed == pytest.approx(100 * 40 / 70 * 12 / 13 + 100 * 30 / 70)  # 95.604
    assert c.grade == "excellent"


def test_ties_are_broken_by_on_time_reporting_then_shared(ranked: dict[str, GroupScore]) -> None:
    d, e, f = ranked["D"], ranked["E"], ranked["F"]
    # D: 40 + 0 + 20 + 10; E and F: 20 + 30 + 20 + 0: all 70.0
    assert d.final == e.final == f.final == pytest.approx(70.0)
    assert (d.rank, e.rank, f.rank) == (4, 5, 5)
    assert not d.tied and e.tied and f.tied


def test_the_whole_ranking(ranked: dict[str, GroupScore]) -> None:
    order = [s.code for s in score_groups(FIXTURE, H1, Rubric(), ADJUSTMENTS)]
    assert order == ["C", "A", "B", "D", "E", "F", "G"]
    assert ranked["G"].final is None and ranked["G"].rank is None  # joined after the window
    assert [s.rank for s in score_groups(FIXTURE, H1, Rubric(), ADJUSTMENTS)][:6] == [
        1,
        2,
        3,
        4,
        5,
        5,
    ]


def test_the_shortlist_takes_everyone_tied_at_the_last_place() -> None:
    ranking = score_groups(FIXTURE, H1, Rubric(), ADJUSTMENTS)
    assert [s.code for s in shortlist(ranking, 3)] == ["C", "A", "B"]
    assert [s.code for s in shortlist(ranking, 5)] == ["C", "A", "B", "D", "E", "F"]


def test_the_workspace_sets_the_weights_and_a_zero_weight_drops_a_component() -> None:
    rubric = rubric_from_settings(
        {"rubric": {"on_time": 50, "decisions": 50, "problems": 0, "indicators": 0}}
    )
    assert rubric.weights == {"on_time": 50.0, "decisions": 50.0}
    [a] = score_groups([GROUP_A], H1, rubric)
    assert a.computed == pytest.approx(50 * 24 / 26 + 50 * 2 / 3)  # 46.154 + 33.333 = 79.487
    assert [c.key for c in a.components] == ["on_time", "decisions"]


def test_grade_thresholds_are_a_setting() -> None:
    rubric = rubric_from_settings({"grade_thresholds": {"excellent": 95, "good": 75, "fair": 50}})
    scores = {s.code: s for s in score_groups(FIXTURE, H1, rubric, ADJUSTMENTS)}
    assert scores["C"].grade == "excellent"  # 95.6
    assert scores["A"].grade == "good"  # 81.9
    assert scores["D"].grade == "fair"  # 70.0


def test_adjustments_keep_the_score_within_0_and_100() -> None:
    [c] = score_groups([GROUP_C], H1, Rubric(), {3: 10.0})
    assert c.final == 100.0  # 95.6 + 10, capped


def test_the_window_facts_of_the_first_half_of_2026() -> None:
    h1 = half_year(2026, 1)
    weeks_ = h1.weeks()
    assert (weeks_[0].key, weeks_[-1].key, len(weeks_)) == ("2026-W01", "2026-W26", 26)
    assert year_progress(h1.last) == (26, 53)


def test_the_year_by_its_halves() -> None:
    first = score_groups(FIXTURE, H1, Rubric(), ADJUSTMENTS)
    h2 = WindowFacts("2026-W27", "2026-W53", date(2026, 12, 31), 53, 53)
    g_second = GroupFacts(7, "G", "庚组", 7, key(30), weeks((24, "on_time"), first=30))
    a_second = replace(GROUP_A, weeks=())  # no week of A was due in the second half
    second = score_groups([a_second, g_second], h2, Rubric())
    years = {y.code: y for y in rank_year_by_halves(first, second, Rubric().thresholds)}
    # A is not assessed in the second half: its year is its first half
    assert years["A"].final == pytest.approx(81.923, abs=1e-3)
    assert years["G"].halves == (None, 100.0) and years["G"].final == 100.0
    assert years["G"].rank == 1 and years["A"].rank == 3  # C 95.6 is second
