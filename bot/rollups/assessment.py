"""The half-year assessment (半年考核) and the year-end ranking (年度评优), compiled.

:func:`assess` loads the facts, applies the workspace's rubric (:mod:`bot.rollups.scoring`)
and the window's adjustments, and returns an :class:`Assessment`: plain data that the
renderers show and that :func:`publish` freezes as JSON. Once a window is published, its
stored content is what everybody sees from then on, whatever the rubric becomes; only
unpublished windows are computed afresh.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.rollups import facts as facts_module
from bot.rollups.months import Window, half_year, whole_year, year_progress
from bot.rollups.refusals import RollupRefused
from bot.rollups.scoring import (
    ComponentScore,
    GroupScore,
    WindowFacts,
    YearScore,
    rank_year_by_halves,
    rubric_from_settings,
    score_groups,
    shortlist,
)
from storage.models import PublishedAssessment, ScoreAdjustment, TaskGroup, Workspace

YEAR_MODES = ("halves", "whole")


@dataclass(frozen=True)
class AdjustmentView:
    id: int
    group_id: int
    group_name: str
    points: float
    reason: str


@dataclass(frozen=True)
class Assessment:
    window_key: str
    first_month: str
    last_month: str
    rubric: dict[str, Any]
    scores: tuple[GroupScore, ...]
    adjustments: tuple[AdjustmentView, ...] = ()
    computed_on: str = ""  # ISO date of the computation
    weeks_due: int = 0  # weeks of the window whose deadline had passed
    published_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Assessment:
        scores = tuple(
            GroupScore(
                **{
                    **score,
                    "components": tuple(ComponentScore(**c) for c in score["components"]),
                }
            )
            for score in data["scores"]
        )
        adjustments = tuple(AdjustmentView(**a) for a in data.get("adjustments", ()))
        return cls(**{**data, "scores": scores, "adjustments": adjustments})

    def shortlist(self) -> list[GroupScore]:
        return shortlist(self.scores, int(self.rubric.get("shortlist", 3)))


async def _published(
    session: AsyncSession, workspace: Workspace, window_key: str
) -> PublishedAssessment | None:
    return await session.scalar(
        select(PublishedAssessment).where(
            PublishedAssessment.workspace_id == workspace.id,
            PublishedAssessment.window_key == window_key,
        )
    )


async def adjustments_of(
    session: AsyncSession, workspace: Workspace, window_key: str
) -> list[AdjustmentView]:
    rows = await session.execute(
        select(ScoreAdjustment, TaskGroup.name)
        .join(TaskGroup, TaskGroup.id == ScoreAdjustment.group_id)
        .where(
            ScoreAdjustment.workspace_id == workspace.id,
            ScoreAdjustment.window_key == window_key,
            ScoreAdjustment.withdrawn_at.is_(None),
        )
        .order_by(TaskGroup.position, ScoreAdjustment.id)
    )
    return [AdjustmentView(a.id, a.group_id, name, a.points, a.reason) for a, name in rows.all()]


async def compute(
    session: AsyncSession, workspace: Workspace, window: Window, now: datetime
) -> Assessment:
    """The window's assessment by today's rubric and adjustments (never the stored one)."""
    weeks = window.weeks()
    year_start = whole_year(window.last.year).weeks()[0]
    facts = await facts_module.load(session, workspace, weeks, now, reports_from=year_start)
    whole, year_weeks = year_progress(window.last)
    elapsed = facts_module.elapsed_weeks(facts, weeks, whole)
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()
    window_facts = WindowFacts(weeks[0].key, weeks[-1].key, today, elapsed, year_weeks)
    rubric = rubric_from_settings(workspace.settings)
    adjustments = await adjustments_of(session, workspace, window.key)
    totals: dict[int, float] = {}
    for adjustment in adjustments:
        totals[adjustment.group_id] = totals.get(adjustment.group_id, 0.0) + adjustment.points
    groups = facts_module.group_facts(facts, weeks[0], weeks[-1])
    scores = score_groups(groups, window_facts, rubric, totals)
    return Assessment(
        window.key, window.first.key, window.last.key, rubric.as_dict(), tuple(scores),
        tuple(adjustments), today.isoformat(), len(facts.due_keys),
    )  # fmt: skip


async def assess(
    session: AsyncSession, workspace: Workspace, window: Window, now: datetime
) -> Assessment:
    """The published assessment of the window if there is one, else computed now."""
    stored = await _published(session, workspace, window.key)
    if stored is not None:
        return Assessment.from_json(stored.content)
    return await compute(session, workspace, window, now)


async def publish(
    session: AsyncSession,
    workspace: Workspace,
    window: Window,
    person_id: int | None,
    now: datetime,
) -> Assessment:
    """Freeze the window's assessment as it is now; a window is published once."""
    if await _published(session, workspace, window.key) is not None:
        raise RollupRefused("rollups.assess.already_published", window=window.key)
    assessment = await compute(session, workspace, window, now)
    stamped = Assessment(**{**assessment.__dict__, "published_at": now.isoformat()})
    session.add(
        PublishedAssessment(
            workspace_id=workspace.id,
            window_key=window.key,
            content=stamped.to_json(),
            published_by_id=person_id,
            published_at=now,
        )
    )
    audit.record(
        session, action="assessment.publish", now=now, workspace_id=workspace.id,
        person_id=person_id, after={"window": window.key, "groups": len(stamped.scores)},
    )  # fmt: skip
    return stamped


async def adjust(
    session: AsyncSession,
    workspace: Workspace,
    window: Window,
    group: TaskGroup,
    points: float,
    reason: str,
    person_id: int | None,
    now: datetime,
) -> ScoreAdjustment:
    """Add a manual adjustment (加减分): it needs a reason, and the group's total in the
    window stays within the workspace's bound (default ±10). Audit-logged."""
    reason = reason.strip()
    if not reason:
        raise RollupRefused("rollups.adjust.needs_reason")
    if await _published(session, workspace, window.key) is not None:
        raise RollupRefused("rollups.assess.already_published", window=window.key)
    limit = rubric_from_settings(workspace.settings).adjustment_limit
    current = sum(
        a.points
        for a in await adjustments_of(session, workspace, window.key)
        if a.group_id == group.id
    )
    if points == 0 or abs(current + points) > limit + 1e-9:
        raise RollupRefused(
            "rollups.adjust.out_of_bounds", limit=f"{limit:g}", current=f"{current:+g}"
        )
    row = ScoreAdjustment(
        workspace_id=workspace.id, group_id=group.id, window_key=window.key, points=points,
        reason=reason[:500], person_id=person_id, created_at=now,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    audit.record(
        session, action="assessment.adjust", now=now, workspace_id=workspace.id,
        person_id=person_id, after={"id": row.id, "window": window.key, "group": group.code,
                                    "points": points, "reason": row.reason},
    )  # fmt: skip
    return row


async def withdraw_adjustment(
    session: AsyncSession,
    workspace: Workspace,
    adjustment_id: int,
    person_id: int | None,
    now: datetime,
) -> ScoreAdjustment:
    row = await session.get(ScoreAdjustment, adjustment_id)
    if row is None or row.workspace_id != workspace.id or row.withdrawn_at is not None:
        raise RollupRefused("rollups.adjust.not_found")
    if await _published(session, workspace, row.window_key) is not None:
        raise RollupRefused("rollups.assess.already_published", window=row.window_key)
    row.withdrawn_at, row.withdrawn_by_id = now, person_id
    audit.record(
        session, action="assessment.adjust.withdraw", now=now, workspace_id=workspace.id,
        person_id=person_id, before={"id": row.id, "points": row.points, "reason": row.reason},
    )  # fmt: skip
    return row


# --- the year ------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRanking:
    """The year's ranking and the commendation shortlist (年度评优).

    ``mode`` is the workspace's ``settings["year_ranking"]``: ``halves`` (default) averages
    the two half-year finals (each with its own adjustments, published or not); ``whole``
    assesses the twelve months as one window (``whole`` then holds that assessment).
    """

    year: int
    mode: str
    rows: tuple[YearScore, ...]
    shortlist: tuple[YearScore, ...]
    halves: tuple[Assessment, ...] = ()
    whole: Assessment | None = None
    thresholds: dict[str, float] = field(default_factory=dict)


def year_mode(workspace: Workspace) -> str:
    mode = (workspace.settings or {}).get("year_ranking", "halves")
    return mode if mode in YEAR_MODES else "halves"


def _from_whole(assessment: Assessment) -> list[YearScore]:
    return [
        YearScore(
            s.group_id, s.code, s.name, s.position, (None, None), s.final, s.grade, s.rank, s.tied
        )
        for s in assessment.scores
    ]


async def year_ranking(
    session: AsyncSession, workspace: Workspace, year: int, now: datetime
) -> YearRanking:
    rubric = rubric_from_settings(workspace.settings)
    mode = year_mode(workspace)
    if mode == "whole":
        whole = await assess(session, workspace, whole_year(year), now)
        rows = _from_whole(whole)
        halves: tuple[Assessment, ...] = ()
    else:
        first = await assess(session, workspace, half_year(year, 1), now)
        second = await assess(session, workspace, half_year(year, 2), now)
        rows = rank_year_by_halves(first.scores, second.scores, rubric.thresholds)
        halves, whole = (first, second), None
    listed = tuple(r for r in rows if r.rank is not None and r.rank <= rubric.shortlist)
    return YearRanking(year, mode, tuple(rows), listed, halves, whole, dict(rubric.thresholds))
