"""A small office whose week 2026-W48 is worked out by hand (the expected values below).

Five groups, three weeks of history (W46–W48) and one week of the year before:

============  =========================================================================
甲组 (G1)      on time every week; on track, 60%; 服务人次 40 / 50 / 100 (W48 revised
               from 80 to 100; its working copy, being edited again, says 999)
乙组 (G2)      on time W46, late W47 and W48; delayed; 成功率 % 70 / 90 / 80 (avg 80)
丙组 (G3)      W48: a draft only, never submitted: missing
丁组 (G4)      W48: exempt, "集中督查"
戊组 (G5)      on time W46, W48 (missing W47); blocked, 30%
============  =========================================================================

Problems: P1 G1 W46 for the meeting, open (age 3: escalated); P2 G2 W48 for the meeting
(age 1); P3 G5 W47 not for the meeting (age 2); P4 G1 W46 resolved in W48; P5 G2 W46
resolved in W48; P6 G5 W46 resolved in W47.
Decisions: D1 G5 W46 due 11-20 open (overdue); D2 G1 W47 due 11-29 in progress (due this
week, not overdue on Saturday 11-28); D3 G2 W46 done in W47 (gone); D4 G1 W48 due 12-04.
Follow-up notes of W48: G5 on D1 "正在协调场地", G1 on P1 "已对接街道".

The clock: Saturday 2026-11-28 10:00 in Shanghai, after the Friday deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.periods import parse_period
from storage.models import (
    Decision,
    Exemption,
    Indicator,
    IndicatorValue,
    Period,
    Problem,
    Submission,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
WEEK = "2026-W48"
TITLE = "温暖二七领导小组办公室"


@dataclass
class Office:
    workspace: Workspace
    periods: dict[str, Period]
    groups: dict[str, TaskGroup]
    indicators: dict[str, Indicator]
    problems: dict[str, Problem]
    decisions: dict[str, Decision]


def _deadline(key: str) -> datetime:
    friday = parse_period(key).start + timedelta(days=4)
    return datetime.combine(friday, time(18, 0), SHANGHAI).astimezone(UTC)


def content(
    done: str,
    plan: str,
    status: str | None,
    percent: int | None,
    indicators: dict[int, float] | None = None,
    follow_ups: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A revision's content in the shape of :func:`bot.reporting.snapshot`."""
    return {
        "done_text": done,
        "progress_status": status,
        "percent": percent,
        "plan_text": plan,
        "indicators": {str(k): v for k, v in (indicators or {}).items()},
        "follow_ups": follow_ups or [],
        "new_problems": [],
        "photos": [],
    }


async def build_office(session: AsyncSession, chat_id: int = -1001) -> Office:
    workspace = Workspace(chat_id=chat_id, title=TITLE, settings={}, created_at=NOW)
    session.add(workspace)
    await session.flush()
    periods = {}
    for key in ("2025-W52", "2026-W46", "2026-W47", WEEK):
        week = parse_period(key)
        periods[key] = Period(
            workspace_id=workspace.id,
            key=key,
            starts_on=week.start,
            ends_on=week.end,
            deadline_at=_deadline(key),
        )
    session.add_all(periods.values())
    groups = {
        code: TaskGroup(workspace_id=workspace.id, code=code, name=name, position=position)
        for position, (code, name) in enumerate(
            [("G1", "甲组"), ("G2", "乙组"), ("G3", "丙组"), ("G4", "丁组"), ("G5", "戊组")], 1
        )
    }
    session.add_all(groups.values())
    await session.flush()
    indicators = {
        "people": Indicator(group_id=groups["G1"].id, name="服务人次", unit="人次", target=1000),
        "rate": Indicator(group_id=groups["G2"].id, name="成功率", unit="%", target=90),
    }
    session.add_all(indicators.values())
    await session.flush()
    office = Office(workspace, periods, groups, indicators, {}, {})
    await _ledgers(session, office)
    await _reports(session, office)
    return office


def _at(key: str, weekday: int, hour: int) -> datetime:
    day = parse_period(key).start + timedelta(days=weekday - 1)
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


async def _ledgers(session: AsyncSession, office: Office) -> None:
    p, g = office.periods, office.groups

    def problem(group: str, text: str, opened: str, resolved: str | None, meeting: bool) -> Problem:
        return Problem(
            workspace_id=office.workspace.id,
            group_id=g[group].id,
            text=text,
            to_meeting=meeting,
            status="resolved" if resolved else "open",
            opened_period_id=p[opened].id,
            resolved_period_id=p[resolved].id if resolved else None,
            created_at=_at(opened, 4, 10),
            resolved_at=_at(resolved, 4, 10) if resolved else None,
        )

    office.problems = {
        "P1": problem("G1", "场地<紧张>", "2026-W46", None, True),
        "P2": problem("G2", "经费未到位", WEEK, None, True),
        "P3": problem("G5", "数据口径不一", "2026-W47", None, False),
        "P4": problem("G1", "账号未开通", "2026-W46", WEEK, False),
        "P5": problem("G2", "审批流程长", "2026-W46", WEEK, True),
        "P6": problem("G5", "志愿者不足", "2026-W46", "2026-W47", False),
    }

    def decision(group: str, text: str, decided: str, due: date | None, status: str) -> Decision:
        return Decision(
            workspace_id=office.workspace.id,
            group_id=g[group].id,
            text=text,
            due_on=due,
            status=status,
            decided_period_id=p[decided].id,
            created_at=_at(decided, 1, 10),
            closed_at=_at("2026-W47", 4, 10) if status == "done" else None,
        )

    office.decisions = {
        "D1": decision("G5", "协调活动场地", "2026-W46", date(2026, 11, 20), "open"),
        "D2": decision("G1", "报送阶段进展", "2026-W47", date(2026, 11, 29), "in_progress"),
        "D3": decision("G2", "梳理典型做法", "2026-W46", None, "done"),
        "D4": decision("G1", "核实经费需求", WEEK, date(2026, 12, 4), "open"),
    }
    session.add_all([*office.problems.values(), *office.decisions.values()])
    await session.flush()


async def _submit(
    session: AsyncSession,
    office: Office,
    group: str,
    key: str,
    contents: list[dict[str, Any]],
    *,
    late: bool = False,
) -> Submission:
    submitted_at = _at(key, 5, 20 if late else 12)
    submission = Submission(
        group_id=office.groups[group].id,
        period_id=office.periods[key].id,
        state="submitted",
        done_text=contents[-1]["done_text"],
        progress_status=contents[-1]["progress_status"],
        percent=contents[-1]["percent"],
        plan_text=contents[-1]["plan_text"],
        new_problems=[],
        photos=[],
        late=late,
        submitted_at=submitted_at,
        updated_at=submitted_at,
    )
    session.add(submission)
    await session.flush()
    for number, revision in enumerate(contents, 1):
        session.add(
            SubmissionRevision(
                submission_id=submission.id,
                number=number,
                content=revision,
                late=late,
                created_at=submitted_at + timedelta(hours=number),
            )
        )
    return submission


async def _reports(session: AsyncSession, office: Office) -> None:
    people, rate = office.indicators["people"].id, office.indicators["rate"].id
    d1, p1 = office.decisions["D1"].id, office.problems["P1"].id
    await _submit(
        session, office, "G1", "2025-W52", [content("旧", "旧", "on_track", 1, {people: 1000})]
    )
    await _submit(
        session, office, "G1", "2026-W46", [content("一", "一", "on_track", 40, {people: 40})]
    )
    await _submit(
        session, office, "G2", "2026-W46", [content("一", "一", "delayed", None, {rate: 70})]
    )
    await _submit(session, office, "G5", "2026-W46", [content("一", "一", "blocked", 20)])
    await _submit(
        session, office, "G1", "2026-W47", [content("二", "二", "on_track", 50, {people: 50})]
    )
    await _submit(
        session,
        office,
        "G2",
        "2026-W47",
        [content("二", "二", "delayed", None, {rate: 90})],
        late=True,
    )
    g1 = await _submit(
        session,
        office,
        "G1",
        WEEK,
        [
            content("初稿", "初稿", "on_track", 50, {people: 80}),
            content(
                "举办招聘会<2场>",
                "筹备春季招聘月",
                "on_track",
                60,
                {people: 100},
                [
                    {
                        "problem_id": p1,
                        "decision_id": None,
                        "outcome": "in_progress",
                        "note": "已对接街道",
                    }
                ],
            ),
        ],
    )
    # G1's working copy, being revised again: nothing of it may reach a report.
    g1.done_text = "正在修改的内容"
    session.add(IndicatorValue(submission_id=g1.id, indicator_id=people, value=999, raw_text="999"))
    await _submit(
        session,
        office,
        "G2",
        WEEK,
        [content("走访企业", "继续走访", "delayed", None, {rate: 80})],
        late=True,
    )
    await _submit(
        session,
        office,
        "G5",
        WEEK,
        [
            content(
                "排查纠纷",
                "",
                "blocked",
                30,
                follow_ups=[
                    {
                        "problem_id": None,
                        "decision_id": d1,
                        "outcome": "in_progress",
                        "note": "正在协调场地",
                    }
                ],
            )
        ],
    )
    draft_at = _at(WEEK, 4, 15)
    session.add(
        Submission(
            group_id=office.groups["G3"].id,
            period_id=office.periods[WEEK].id,
            state="draft",
            done_text="草稿",
            new_problems=[],
            photos=[],
            updated_at=draft_at,
        )
    )
    session.add(
        Exemption(
            group_id=office.groups["G4"].id,
            period_id=office.periods[WEEK].id,
            reason="集中督查",
            created_at=draft_at,
        )
    )
    await session.flush()
