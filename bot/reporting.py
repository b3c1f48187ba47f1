"""A group's weekly report over its life: period, draft, submit, revise (DESIGN §4).

The dialog (:mod:`bot.dialog`) asks the questions; this module owns what a report *is*:
which week it is for, when it is late, what it must follow up, and what submitting it
does to the problem and decision ledgers. Every function works inside the caller's unit
of work and takes the current instant as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import audit, schedule
from bot.periods import Period, parse_period
from bot.workdays import WorkdayCalendar
from storage.models import (
    Decision,
    Exemption,
    FollowUp,
    IndicatorValue,
    Problem,
    StatusChange,
    Submission,
    SubmissionRevision,
    TaskGroup,
    WorkdayOverride,
    Workspace,
)
from storage.models import Period as PeriodRow
from storage.upsert import insert_or_ignore

PROGRESS_STATUSES = ("on_track", "delayed", "blocked")
FOLLOW_UP_OUTCOMES = ("resolved", "in_progress", "needs_coordination")
# What a follow-up outcome makes of a problem or a decision.
PROBLEM_STATUS = {
    "resolved": "resolved",
    "in_progress": "in_progress",
    "needs_coordination": "needs_coordination",
}
DECISION_STATUS = {
    "resolved": "done",
    "in_progress": "in_progress",
    "needs_coordination": "needs_coordination",
}
CLOSED = ("resolved", "done")


async def calendar_for(session: AsyncSession, workspace: Workspace) -> WorkdayCalendar:
    rows = await session.scalars(
        select(WorkdayOverride).where(WorkdayOverride.workspace_id == workspace.id)
    )
    return WorkdayCalendar({row.day: row.is_workday for row in rows})


async def period_row(session: AsyncSession, workspace: Workspace, period: Period) -> PeriodRow:
    """The database row of a week, created on first use with its deadline."""
    tz = ZoneInfo(workspace.timezone)
    calendar = await calendar_for(session, workspace)
    deadline = schedule.moment(workspace.settings, "deadline", period, tz, calendar)
    await insert_or_ignore(
        session,
        PeriodRow,
        workspace_id=workspace.id,
        key=period.key,
        starts_on=period.start,
        ends_on=period.end,
        deadline_at=deadline,
    )
    row = await session.scalar(
        select(PeriodRow).where(PeriodRow.workspace_id == workspace.id, PeriodRow.key == period.key)
    )
    assert row is not None
    return row


async def reporting_period(session: AsyncSession, workspace: Workspace, now: datetime) -> PeriodRow:
    calendar = await calendar_for(session, workspace)
    tz = ZoneInfo(workspace.timezone)
    period = schedule.reporting_period(workspace.settings, now, tz, calendar)
    return await period_row(session, workspace, period)


def period_of(row: PeriodRow) -> Period:
    return parse_period(row.key)


async def exemption_for(
    session: AsyncSession, group: TaskGroup, period: PeriodRow
) -> Exemption | None:
    return await session.scalar(
        select(Exemption).where(Exemption.group_id == group.id, Exemption.period_id == period.id)
    )


async def find_submission(
    session: AsyncSession, group_id: int, period_id: int
) -> Submission | None:
    return await session.scalar(
        select(Submission)
        .where(Submission.group_id == group_id, Submission.period_id == period_id)
        .options(
            selectinload(Submission.indicator_values),
            selectinload(Submission.follow_ups),
            selectinload(Submission.revisions),
        )
        .execution_options(populate_existing=True)
    )


async def open_submission(
    session: AsyncSession, group: TaskGroup, period: PeriodRow, person_id: int, now: datetime
) -> Submission:
    """The group's report for the week, created as an empty draft if there is none yet.

    Primary and deputy share it: whoever continues sees what the other typed.
    """
    await insert_or_ignore(
        session,
        Submission,
        group_id=group.id,
        period_id=period.id,
        state="draft",
        new_problems=[],
        photos=[],
        late=False,
        started_by_id=person_id,
        updated_at=now,
    )
    submission = await find_submission(session, group.id, period.id)
    assert submission is not None
    return submission


@dataclass(frozen=True)
class FollowUpItem:
    kind: str  # "problem" | "decision"
    id: int
    text: str
    status: str
    due_on: str | None = None


async def follow_up_items(
    session: AsyncSession, group: TaskGroup, period: PeriodRow
) -> list[FollowUpItem]:
    """Open decisions and problems of the group from earlier weeks, decisions first."""
    earlier = select(PeriodRow.id).where(
        PeriodRow.workspace_id == group.workspace_id, PeriodRow.starts_on < period.starts_on
    )
    decisions = await session.scalars(
        select(Decision)
        .where(
            Decision.group_id == group.id,
            Decision.status.not_in(CLOSED),
            Decision.decided_period_id.in_(earlier),
        )
        .order_by(Decision.id)
    )
    problems = await session.scalars(
        select(Problem)
        .where(
            Problem.group_id == group.id,
            Problem.status.not_in(CLOSED),
            Problem.opened_period_id.in_(earlier),
        )
        .order_by(Problem.id)
    )
    items = [
        FollowUpItem("decision", d.id, d.text, d.status, d.due_on.isoformat() if d.due_on else None)
        for d in decisions
    ]
    items += [FollowUpItem("problem", p.id, p.text, p.status) for p in problems]
    return items


def set_follow_up(submission: Submission, item: FollowUpItem, outcome: str, note: str) -> None:
    for row in submission.follow_ups:
        if (row.problem_id, row.decision_id) == _item_keys(item):
            row.outcome, row.note = outcome, note
            return
    problem_id, decision_id = _item_keys(item)
    submission.follow_ups.append(
        FollowUp(problem_id=problem_id, decision_id=decision_id, outcome=outcome, note=note)
    )


def _item_keys(item: FollowUpItem) -> tuple[int | None, int | None]:
    return (item.id, None) if item.kind == "problem" else (None, item.id)


def set_indicator(submission: Submission, indicator_id: int, value: float, raw: str) -> None:
    for row in submission.indicator_values:
        if row.indicator_id == indicator_id:
            row.value, row.raw_text = value, raw[:100]
            return
    submission.indicator_values.append(
        IndicatorValue(indicator_id=indicator_id, value=value, raw_text=raw[:100])
    )


def snapshot(submission: Submission) -> dict[str, Any]:
    """The report as submitted, frozen into a revision: what agendas and bulletins read."""
    return {
        "done_text": submission.done_text,
        "progress_status": submission.progress_status,
        "percent": submission.percent,
        "plan_text": submission.plan_text,
        "indicators": {str(v.indicator_id): v.value for v in submission.indicator_values},
        # What was typed for each value ("1,200人次"), so dropping later changes keeps it.
        "indicator_texts": {str(v.indicator_id): v.raw_text for v in submission.indicator_values},
        "follow_ups": [
            {
                "problem_id": f.problem_id,
                "decision_id": f.decision_id,
                "outcome": f.outcome,
                "note": f.note,
            }
            for f in submission.follow_ups
        ],
        "new_problems": list(submission.new_problems),
        "photos": list(submission.photos),
    }


def restore(submission: Submission) -> None:
    """Throw away unsubmitted changes: back to the last revision's content.

    Rows are updated in place rather than replaced, so that no unique key sees a new row
    beside the old one it stands for before the old one is deleted.
    """
    content = submission.revisions[-1].content
    submission.done_text = content["done_text"]
    submission.progress_status = content["progress_status"]
    submission.percent = content["percent"]
    submission.plan_text = content["plan_text"]
    submission.new_problems = list(content["new_problems"])
    submission.photos = list(content["photos"])
    indicators = {int(key): value for key, value in content["indicators"].items()}
    texts = {int(key): text for key, text in content.get("indicator_texts", {}).items()}
    current = {row.indicator_id: row for row in submission.indicator_values}
    for row in list(submission.indicator_values):
        if row.indicator_id not in indicators:
            submission.indicator_values.remove(row)
    for indicator_id, value in indicators.items():
        set_indicator(
            submission,
            indicator_id,
            value,
            texts.get(indicator_id) or _typed(current.get(indicator_id), value),
        )
    answers = {(f["problem_id"], f["decision_id"]): f for f in content["follow_ups"]}
    for row in list(submission.follow_ups):
        answer = answers.pop((row.problem_id, row.decision_id), None)
        if answer is None:
            submission.follow_ups.remove(row)
        else:
            row.outcome, row.note = answer["outcome"], answer["note"]
    submission.follow_ups.extend(FollowUp(**answer) for answer in answers.values())


def _typed(row: IndicatorValue | None, value: float) -> str:
    """A revision frozen before typed texts were kept: keep the row's text if it says that."""
    return row.raw_text if row is not None and row.value == value else ""


def is_late(period: PeriodRow, now: datetime) -> bool:
    return period.deadline_at is not None and now > period.deadline_at


async def submit(
    session: AsyncSession,
    submission: Submission,
    period: PeriodRow,
    person_id: int,
    now: datetime,
) -> SubmissionRevision:
    """Submit or re-submit: freeze a revision and apply the report to the ledgers.

    Lateness is decided by the first submission; a revision after the deadline of a report
    that was on time keeps it on time, and the revision itself records its own lateness.
    """
    first = submission.state != "submitted"
    if first:
        submission.late = is_late(period, now)
        submission.submitted_at = now
    submission.state = "submitted"
    submission.submitted_by_id = person_id
    submission.updated_at = now
    revision = SubmissionRevision(
        number=len(submission.revisions) + 1,
        content=snapshot(submission),
        author_id=person_id,
        late=is_late(period, now),
        created_at=now,
    )
    submission.revisions.append(revision)
    group = await session.get(TaskGroup, submission.group_id)
    assert group is not None
    previous = submission.revisions[-2].content if len(submission.revisions) > 1 else None
    audit.record(
        session,
        action="report.submit",
        now=now,
        workspace_id=group.workspace_id,
        person_id=person_id,
        before=previous,
        after=revision.content,
        group=group.code,
        period=period.key,
        revision=revision.number,
    )
    await _apply_follow_ups(session, submission, period, person_id, now)
    await _sync_new_problems(session, submission, group, period, person_id, now)
    return revision


async def _apply_follow_ups(
    session: AsyncSession,
    submission: Submission,
    period: PeriodRow,
    person_id: int,
    now: datetime,
) -> None:
    for follow_up in submission.follow_ups:
        if follow_up.outcome is None:
            continue
        if follow_up.problem_id is not None:
            target: Problem | Decision | None = await session.get(Problem, follow_up.problem_id)
            status = PROBLEM_STATUS[follow_up.outcome]
        else:
            target = await session.get(Decision, follow_up.decision_id)
            status = DECISION_STATUS[follow_up.outcome]
        if target is None or target.status == status:
            continue
        change_status(target, status, period, now)
        session.add(
            StatusChange(
                problem_id=follow_up.problem_id,
                decision_id=follow_up.decision_id,
                period_id=period.id,
                submission_id=submission.id,
                status=status,
                note=follow_up.note,
                person_id=person_id,
                created_at=now,
            )
        )


def change_status(
    target: Problem | Decision, status: str, period: PeriodRow, now: datetime
) -> None:
    """Set a problem's or a decision's status, with when (and in which week) it closed."""
    target.status = status
    if isinstance(target, Problem):
        target.resolved_at = now if status == "resolved" else None
        target.resolved_period_id = period.id if status == "resolved" else None
        if status == "needs_coordination":
            target.to_meeting = True
    else:
        target.closed_at = now if status == "done" else None


async def _sync_new_problems(
    session: AsyncSession,
    submission: Submission,
    group: TaskGroup,
    period: PeriodRow,
    person_id: int,
    now: datetime,
) -> None:
    """Make the ledger hold exactly the new problems of the latest revision, in order."""
    existing = list(
        await session.scalars(
            select(Problem)
            .where(Problem.source_submission_id == submission.id)
            .order_by(Problem.id)
        )
    )
    wanted = submission.new_problems
    for problem, item in zip(existing, wanted, strict=False):
        problem.text, problem.to_meeting = item["text"], bool(item["to_meeting"])
    for item in wanted[len(existing) :]:
        problem = Problem(
            workspace_id=group.workspace_id,
            group_id=group.id,
            text=item["text"],
            to_meeting=bool(item["to_meeting"]),
            status="open",
            opened_period_id=period.id,
            source_submission_id=submission.id,
            created_at=now,
        )
        session.add(problem)
        await session.flush()
        session.add(
            StatusChange(
                problem_id=problem.id,
                period_id=period.id,
                submission_id=submission.id,
                status="open",
                person_id=person_id,
                created_at=now,
            )
        )
    for problem in existing[len(wanted) :]:
        await session.delete(problem)
