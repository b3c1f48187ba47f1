"""Good practices (好的做法经验): a report, or one passage of it, marked with a title.

Marking takes a few button presses, and handlers keep nothing in memory, so the choice
in progress is itself a row: :func:`start` creates a ``draft`` with the title, each press
fills in one more field (group, report, passage), and the last one turns it ``marked``.
A mark names the report's revision as it was when marked, so a later revision of the
report does not change what was praised. Marks and withdrawals are audit-logged.

The one-shot :func:`mark` is for a button that already knows the report (for example
under a group's entry in ``/report``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.rollups.months import Month
from bot.rollups.refusals import RollupRefused
from storage.models import GoodPractice, Submission, SubmissionRevision, TaskGroup, Workspace
from storage.models import Period as PeriodRow

DRAFT_TTL = timedelta(hours=1)  # how long a report picked from /report waits for its title
TITLE_LIMIT = 60  # one line: what a bulletin's list or a summary's heading can carry
MAX_PASSAGES = 8
RECENT_REPORTS = 6
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])|\n")


def clean_title(text: str) -> str:
    """The title's first line, trimmed; refused when empty or longer than one line allows."""
    title = (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""
    if not title:
        raise RollupRefused("rollups.highlight.needs_title")
    if len(title) > TITLE_LIMIT:
        raise RollupRefused("rollups.highlight.title_too_long", limit=TITLE_LIMIT)
    return title


def passages(content: dict[str, object]) -> list[str]:
    """The sentences of a report's 本周工作完成情况, the part one would quote as practice."""
    text = str(content.get("done_text") or "")
    pieces = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in pieces if p][:MAX_PASSAGES]


async def start(
    session: AsyncSession, workspace: Workspace, title: str, person_id: int, now: datetime
) -> GoodPractice:
    draft = GoodPractice(
        workspace_id=workspace.id, title=clean_title(title), status="draft", passage="",
        created_by_id=person_id, created_at=now,
    )  # fmt: skip
    session.add(draft)
    await session.flush()
    return draft


async def start_from_report(
    session: AsyncSession, workspace: Workspace, revision_id: int, person_id: int, now: datetime
) -> GoodPractice:
    """A draft for a report already chosen (a button under it): the title comes next, with
    ``/highlight TITLE`` (see :func:`untitled_draft`)."""
    draft = GoodPractice(
        workspace_id=workspace.id, title="", status="draft", passage="",
        created_by_id=person_id, created_at=now,
    )  # fmt: skip
    session.add(draft)
    await choose_report(session, workspace, draft, revision_id)
    await session.flush()
    return draft


async def untitled_draft(
    session: AsyncSession, workspace: Workspace, person_id: int, now: datetime
) -> GoodPractice | None:
    """The person's report chosen from a button within the last hour, still without title."""
    return await session.scalar(
        select(GoodPractice)
        .where(
            GoodPractice.workspace_id == workspace.id,
            GoodPractice.created_by_id == person_id,
            GoodPractice.status == "draft",
            GoodPractice.title == "",
            GoodPractice.revision_id.is_not(None),
            GoodPractice.created_at > now - DRAFT_TTL,
        )
        .order_by(GoodPractice.id.desc())
        .limit(1)
    )


async def latest_revision(session: AsyncSession, group_id: int, period_key: str) -> int | None:
    """The latest revision of the group's submitted report for the week, if there is one."""
    return await session.scalar(
        select(func.max(SubmissionRevision.id))
        .join(Submission, Submission.id == SubmissionRevision.submission_id)
        .join(PeriodRow, PeriodRow.id == Submission.period_id)
        .where(
            Submission.group_id == group_id,
            Submission.state == "submitted",
            PeriodRow.key == period_key,
        )
    )


async def workspace_of_revision(session: AsyncSession, revision_id: int) -> int | None:
    return await session.scalar(
        select(TaskGroup.workspace_id)
        .join(Submission, Submission.group_id == TaskGroup.id)
        .join(SubmissionRevision, SubmissionRevision.submission_id == Submission.id)
        .where(SubmissionRevision.id == revision_id)
    )


async def draft_of(session: AsyncSession, draft_id: int, person_id: int) -> GoodPractice | None:
    """The person's own draft; another's draft or a finished mark is not theirs to change."""
    row = await session.get(GoodPractice, draft_id)
    if row is None or row.status != "draft" or row.created_by_id != person_id:
        return None
    return row


async def groups_with_reports(session: AsyncSession, workspace: Workspace) -> list[TaskGroup]:
    rows = await session.scalars(
        select(TaskGroup)
        .where(
            TaskGroup.workspace_id == workspace.id,
            TaskGroup.active.is_(True),
            TaskGroup.id.in_(select(Submission.group_id).where(Submission.state == "submitted")),
        )
        .order_by(TaskGroup.position)
    )
    return list(rows)


@dataclass(frozen=True)
class ReportChoice:
    period_key: str
    revision_id: int


async def recent_reports(session: AsyncSession, group_id: int) -> list[ReportChoice]:
    """The group's latest submitted reports, newest first, each by its latest revision."""
    latest = (
        select(func.max(SubmissionRevision.id))
        .where(SubmissionRevision.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(PeriodRow.key, latest)
        .select_from(Submission)
        .join(PeriodRow, PeriodRow.id == Submission.period_id)
        .where(Submission.group_id == group_id, Submission.state == "submitted")
        .order_by(PeriodRow.starts_on.desc())
        .limit(RECENT_REPORTS)
    )
    return [ReportChoice(key, revision_id) for key, revision_id in rows.all() if revision_id]


async def revision_in(
    session: AsyncSession, workspace: Workspace, revision_id: int
) -> tuple[SubmissionRevision, Submission, TaskGroup] | None:
    """A revision of a report of this workspace, with its report and group (else None)."""
    row = (
        await session.execute(
            select(SubmissionRevision, Submission, TaskGroup)
            .join(Submission, Submission.id == SubmissionRevision.submission_id)
            .join(TaskGroup, TaskGroup.id == Submission.group_id)
            .where(SubmissionRevision.id == revision_id, TaskGroup.workspace_id == workspace.id)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def choose_report(
    session: AsyncSession, workspace: Workspace, draft: GoodPractice, revision_id: int
) -> list[str]:
    """Set the draft's report; returns the passages to choose from."""
    found = await revision_in(session, workspace, revision_id)
    if found is None:
        raise RollupRefused("rollups.highlight.no_report")
    revision, submission, group = found
    draft.group_id, draft.period_id, draft.revision_id = group.id, submission.period_id, revision.id
    return passages(revision.content or {})


async def finish(
    session: AsyncSession,
    workspace: Workspace,
    draft: GoodPractice,
    passage_index: int,
    person_id: int,
    now: datetime,
) -> GoodPractice:
    """Mark it: ``passage_index`` 0 for the whole report, else the n-th passage."""
    if draft.revision_id is None:
        raise RollupRefused("rollups.highlight.no_report")
    revision = await session.get(SubmissionRevision, draft.revision_id)
    options = passages(revision.content or {}) if revision else []
    if not 0 <= passage_index <= len(options):
        raise RollupRefused("rollups.highlight.no_report")
    draft.passage = options[passage_index - 1] if passage_index else ""
    draft.status = "marked"
    audit.record(
        session, action="highlight.mark", now=now, workspace_id=workspace.id, person_id=person_id,
        after={"id": draft.id, "title": draft.title, "revision_id": draft.revision_id,
               "passage": draft.passage},
    )  # fmt: skip
    return draft


async def mark(
    session: AsyncSession,
    workspace: Workspace,
    revision_id: int,
    title: str,
    person_id: int,
    now: datetime,
    passage_index: int = 0,
) -> GoodPractice:
    """Mark a known report in one call (title, revision and passage all given)."""
    draft = await start(session, workspace, title, person_id, now)
    await choose_report(session, workspace, draft, revision_id)
    return await finish(session, workspace, draft, passage_index, person_id, now)


async def withdraw(
    session: AsyncSession, workspace: Workspace, practice_id: int, person_id: int, now: datetime
) -> GoodPractice:
    row = await session.get(GoodPractice, practice_id)
    if row is None or row.workspace_id != workspace.id or row.status != "marked":
        raise RollupRefused("rollups.highlight.not_found")
    row.status, row.withdrawn_at, row.withdrawn_by_id = "withdrawn", now, person_id
    audit.record(
        session, action="highlight.withdraw", now=now, workspace_id=workspace.id,
        person_id=person_id, before={"id": row.id, "title": row.title},
    )  # fmt: skip
    return row


@dataclass(frozen=True)
class PracticeView:
    id: int
    title: str
    group_name: str
    group_position: int
    period_key: str
    passage: str
    done_text: str


async def of_month(session: AsyncSession, workspace: Workspace, month: Month) -> list[PracticeView]:
    """The month's marked good practices (by the week of the report), in week and roster order."""
    keys = [week.key for week in month.weeks()]
    rows = await session.execute(
        select(
            GoodPractice,
            TaskGroup.name,
            TaskGroup.position,
            PeriodRow.key,
            SubmissionRevision.content,
        )
        .join(TaskGroup, TaskGroup.id == GoodPractice.group_id)
        .join(PeriodRow, PeriodRow.id == GoodPractice.period_id)
        .outerjoin(SubmissionRevision, SubmissionRevision.id == GoodPractice.revision_id)
        .where(
            GoodPractice.workspace_id == workspace.id,
            GoodPractice.status == "marked",
            PeriodRow.key.in_(keys),
        )
        .order_by(PeriodRow.starts_on, TaskGroup.position, GoodPractice.id)
    )
    return [
        PracticeView(
            p.id,
            p.title,
            name,
            position,
            key,
            p.passage,
            str((content or {}).get("done_text") or ""),
        )
        for p, name, position, key, content in rows.all()
    ]
