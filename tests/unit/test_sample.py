"""Sample data: a marked-as-sample roster and weeks of consistent, deterministic history.

Database tests run on SQLite, and on PostgreSQL too when ``LIHUI_TEST_POSTGRES_URL`` names
a server. The clock is fixed at Saturday 2026-11-28, so the last completed week is W47.
"""

from __future__ import annotations

import itertools
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.roster import RosterGroup, apply_roster, check_groups, load_roster
from bot.sample import SAMPLE_TITLE, SampleError, load_sample, sample_roster
from storage.db import Database
from storage.models import (
    Decision,
    Exemption,
    FollowUp,
    IndicatorValue,
    Membership,
    Period,
    Problem,
    StatusChange,
    Submission,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("frozen_clock")


_chat_ids = itertools.count(-2_000_000_000_000 - os.getpid() * 1000, -1)


@pytest.fixture
def chat_id() -> int:
    """A chat id of its own per test, so that no test depends on another's workspace."""
    return next(_chat_ids)


async def count(db: Database, model: Any, workspace_id: int) -> int:
    """Rows of ``model`` belonging to one workspace (through its group or period)."""
    query = select(func.count()).select_from(model)
    if hasattr(model, "workspace_id"):
        query = query.where(model.workspace_id == workspace_id)
    elif hasattr(model, "period_id"):
        query = query.join(Period, Period.id == model.period_id).where(
            Period.workspace_id == workspace_id
        )
    else:
        query = (
            query.join(Submission, Submission.id == model.submission_id)
            .join(Period, Period.id == Submission.period_id)
            .where(Period.workspace_id == workspace_id)
        )
    async with db.session() as session:
        return int(await session.scalar(query) or 0)


# --- the roster -------------------------------------------------------------------------------


def test_sample_roster_is_13_valid_groups_marked_as_sample() -> None:
    roster = sample_roster()
    assert len(roster) == 13
    assert check_groups(roster) == []
    assert [g.code for g in roster] == [f"S{n:02d}" for n in range(1, 14)]
    assert all(g.name.endswith("（示例）") for g in roster)
    assert all(g.primary_contact.startswith("@sample_contact") for g in roster)
    assert all(1 <= len(g.indicators) <= 3 for g in roster)
    assert all(i.unit and i.target for g in roster for i in g.indicators)
    assert sum(bool(g.deputy_contact) for g in roster) == 5
    assert roster[3].name == "志愿服务组（示例）" and roster[3].responsible_unit == "团区委"


def test_sample_roster_scales_with_generic_groups() -> None:
    roster = sample_roster(15)
    assert [g.name for g in roster[13:]] == ["专项组14（示例）", "专项组15（示例）"]
    assert check_groups(roster) == []


# --- the history ------------------------------------------------------------------------------


async def test_eight_weeks_of_consistent_history(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        summary = await load_sample(session, chat_id, weeks=8)
    assert (summary.groups, summary.weeks) == (13, 8)
    assert summary.submissions + summary.missing + summary.exempt == 13 * 8
    assert summary.late > 0 and summary.missing > 0
    assert 0 < summary.problems_open < summary.problems
    assert summary.decisions_overdue > 0 and summary.decisions_open < summary.decisions
    ws = summary.workspace_id
    assert await count(database, Submission, ws) == summary.submissions
    assert await count(database, SubmissionRevision, ws) == summary.submissions
    assert await count(database, Exemption, ws) == summary.exempt
    assert await count(database, Problem, ws) == summary.problems
    assert await count(database, Decision, ws) == summary.decisions
    assert await count(database, IndicatorValue, ws) > summary.submissions
    assert await count(database, FollowUp, ws) > 0
    await _check_periods_and_ledger(database, ws, summary.late)


async def _check_periods_and_ledger(database: Database, workspace_id: int, late: int) -> None:
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        periods = list(
            await session.scalars(
                select(Period).where(Period.workspace_id == workspace_id).order_by(Period.key)
            )
        )
        late_rows = await session.scalar(
            select(func.count())
            .select_from(Submission)
            .join(Period, Period.id == Submission.period_id)
            .where(
                Period.workspace_id == workspace_id, Submission.submitted_at > Period.deadline_at
            )
        )
        resolved = list(
            await session.scalars(
                select(Problem).where(
                    Problem.workspace_id == workspace_id, Problem.status == "resolved"
                )
            )
        )
        changes = await session.scalar(
            select(func.count())
            .select_from(StatusChange)
            .where(StatusChange.problem_id == resolved[0].id)
        )
        roles = set(
            await session.scalars(
                select(Membership.role).where(Membership.workspace_id == workspace_id)
            )
        )
    assert workspace is not None and workspace.is_sample and workspace.title == SAMPLE_TITLE
    assert [p.key for p in periods][-2:] == ["2026-W46", "2026-W47"] and len(periods) == 8
    # Friday 2026-11-20 18:00 in Shanghai is 10:00 UTC.
    assert periods[-1].starts_on == date(2026, 11, 16) and periods[-1].ends_on == date(2026, 11, 22)
    assert periods[-1].deadline_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert late_rows == late
    assert all(p.resolved_period_id and p.resolved_at for p in resolved)
    assert changes is not None and changes >= 2  # opened, ..., resolved
    assert roles == {"director", "staff", "member"}


async def test_same_seed_same_history_and_reload_does_not_double(
    database: Database, chat_id: int
) -> None:
    async with database.session() as session:
        first = await load_sample(session, chat_id, weeks=6, seed=7)
    texts_first = await _texts(database, first.workspace_id)
    async with database.session() as session:
        second = await load_sample(session, chat_id, weeks=6, seed=7)
    assert second == first
    assert await _texts(database, second.workspace_id) == texts_first
    assert await count(database, Submission, first.workspace_id) == first.submissions
    async with database.session() as session:
        assert len(await load_roster(session, chat_id)) == 13


async def _texts(database: Database, workspace_id: int) -> list[tuple[str, str | None, int | None]]:
    async with database.session() as session:
        rows = await session.execute(
            select(TaskGroup.code, Submission.done_text, Submission.percent)
            .join(TaskGroup, TaskGroup.id == Submission.group_id)
            .join(Period, Period.id == Submission.period_id)
            .where(Period.workspace_id == workspace_id)
            .order_by(Period.key, TaskGroup.code)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_refuses_a_workspace_that_is_not_a_sample(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        await apply_roster(session, chat_id, [RosterGroup(name="真实专项组", code="G1")])
    with pytest.raises(SampleError) as caught:
        async with database.session() as session:
            await load_sample(session, chat_id, weeks=2)
    assert caught.value.translated("zh-CN") == (
        f"群 {chat_id} 的工作区不是示例工作区，示例数据不会覆盖它"
    )
    async with database.session() as session:
        assert [g.code for g in await load_roster(session, chat_id)] == ["G1"]


async def test_more_groups_and_an_explicit_end_period(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        summary = await load_sample(session, chat_id, weeks=3, groups=20, end_period="2026-W10")
    assert summary.groups == 20
    assert summary.submissions + summary.missing + summary.exempt == 60
    async with database.session() as session:
        keys = list(
            await session.scalars(
                select(Period.key)
                .where(Period.workspace_id == summary.workspace_id)
                .order_by(Period.key)
            )
        )
    assert keys == ["2026-W08", "2026-W09", "2026-W10"]


# --- the command line -------------------------------------------------------------------------


def test_cli_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("LIHUI_LOCALE", "zh-CN")
    monkeypatch.setenv("LIHUI_LOG_LEVEL", "WARNING")
    assert main(["sample", "--chat", "-77", "--weeks", "4", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("示例数据已生成：13个专项组，4周，填报") and out.count("\n") == 1
    roster = tmp_path / "r.csv"
    roster.write_text("名称,代码\n真实组,G1\n", "utf-8")
    assert main(["roster", "import", str(roster), "--chat", "-78"]) == 0
    capsys.readouterr()
    assert main(["sample", "--chat", "-78", "--weeks", "2"]) == 1
    assert capsys.readouterr().err == "群 -78 的工作区不是示例工作区，示例数据不会覆盖它\n"
