"""Bulletin numbers: per workspace and year, never reused or skipped, idempotent per week."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import func, select

from bot.reports import service
from bot.reports.bulletin import from_json
from bot.reports.numbering import find_published
from storage.db import Database
from storage.models import (
    AuditLog,
    Period,
    PublishedBulletin,
    Submission,
    SubmissionRevision,
    Workspace,
)
from tests.reports.fixture import SHANGHAI, WEEK, build_office, content

MONDAY = datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI)


async def publish(database: Database, key: str, at: datetime, workspace_id: int) -> int:
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        number, replies = await service.publish_bulletin(session, workspace, key, at, None)
    assert replies  # the chart, the text and the Word file (or their captions)
    return number


async def office_id(database: Database, chat_id: int = -1001) -> int:
    async with database.session() as session:
        return (await build_office(session, chat_id)).workspace.id


async def test_numbers_count_per_year_and_restart_in_the_next(database: Database) -> None:
    workspace = await office_id(database)
    weeks = ["2026-W46", "2026-W47", WEEK]
    numbers = [await publish(database, key, MONDAY, workspace) for key in weeks]
    assert numbers == [1, 2, 3]
    # 2026 has 53 ISO weeks; its last is published on Monday 4 January 2027.
    new_year = datetime(2027, 1, 4, 8, 30, tzinfo=SHANGHAI)
    assert await publish(database, "2026-W53", new_year, workspace) == 1
    assert await publish(database, "2027-W01", new_year, workspace) == 2
    async with database.session() as session:
        rows = (
            await session.execute(
                select(PublishedBulletin.year, PublishedBulletin.number).order_by(
                    PublishedBulletin.id
                )
            )
        ).all()
        audited = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "bulletin.publish")
        )
    assert rows == [(2026, 1), (2026, 2), (2026, 3), (2027, 1), (2027, 2)]
    assert audited == 5


async def test_a_republication_keeps_its_number_and_its_content(database: Database) -> None:
    workspace = await office_id(database)
    assert await publish(database, WEEK, MONDAY, workspace) == 1
    async with database.session() as session:
        first = await find_published(session, workspace, WEEK)
        assert first is not None
        stored = from_json(first.content)
        # The week changes afterwards: 丙组's draft is finally submitted, late.
        draft = await session.scalar(select(Submission).where(Submission.state == "draft"))
        assert draft is not None
        draft.state, draft.late = "submitted", True
        session.add(
            SubmissionRevision(
                submission_id=draft.id,
                number=1,
                content=content("补报", "补报", "on_track", 10),
                late=True,
                created_at=MONDAY,
            )
        )
    assert await publish(database, WEEK, MONDAY.replace(hour=9), workspace) == 1
    assert await publish(database, "2026-W47", MONDAY, workspace) == 2
    async with database.session() as session:
        again = await find_published(session, workspace, WEEK)
        ws = await session.get(Workspace, workspace)
        assert again is not None and ws is not None
        assert from_json(again.content) == stored
        assert again.published_at == first.published_at
        count = await session.scalar(select(func.count()).select_from(PublishedBulletin))
        text = (await service.publish_bulletin(session, ws, WEEK, MONDAY, None))[1][1].text
        preview = await service.bulletin_preview_replies(session, ws, WEEK, "zh-CN", MONDAY)
    assert count == 2
    # As published: 丙组 missing. The preview of the same week shows it late now.
    assert "2026年第1期" in text and "未报送：丙组" in text
    assert "预览" in preview[1].text and "迟报：乙组、丙组" in preview[1].text


async def test_workspaces_count_separately(database: Database) -> None:
    first, second = await office_id(database, -1001), await office_id(database, -1002)
    assert await publish(database, WEEK, MONDAY, first) == 1
    assert await publish(database, WEEK, MONDAY, second) == 1
    assert await publish(database, "2026-W47", MONDAY, second) == 2


async def test_concurrent_publications_share_out_numbers_without_gaps(database: Database) -> None:
    """Two instances at once: the same week gets one number, two weeks get 1 and 2."""
    workspace = await office_id(database)
    results = await asyncio.gather(
        publish(database, WEEK, MONDAY, workspace),
        publish(database, WEEK, MONDAY, workspace),
        publish(database, "2026-W47", MONDAY, workspace),
        publish(database, "2026-W46", MONDAY, workspace),
    )
    assert results[0] == results[1]
    assert sorted(set(results)) == [1, 2, 3]
    async with database.session() as session:
        keys = set(await session.scalars(select(PublishedBulletin.period_key)))
    assert keys == {WEEK, "2026-W47", "2026-W46"}


async def test_the_confirmation_names_the_number_it_will_get(database: Database) -> None:
    workspace = await office_id(database)
    async with database.session() as session:
        ws = await session.get(Workspace, workspace)
        assert ws is not None
        before = await service.publication_prompt(session, ws, WEEK, "zh-CN", MONDAY)
    assert "2026年第1期" in before.text and before.buttons
    await publish(database, WEEK, MONDAY, workspace)
    async with database.session() as session:
        ws = await session.get(Workspace, workspace)
        assert ws is not None
        after = await service.publication_prompt(session, ws, WEEK, "zh-CN", MONDAY)
        other = await service.publication_prompt(session, ws, "2026-W47", "zh-CN", MONDAY)
    assert "已发布" in after.text and "2026年第1期" in after.text and not after.buttons
    assert "2026年第2期" in other.text


async def test_the_posted_agenda_locks_the_week_and_a_look_does_not(database: Database) -> None:
    workspace = await office_id(database)
    monday_nine = MONDAY.replace(hour=9)
    async with database.session() as session:
        ws = await session.get(Workspace, workspace)
        assert ws is not None
        await service.agenda_replies(session, ws, WEEK, "zh-CN", MONDAY)  # /agenda: a look
        row = await session.scalar(select(Period).where(Period.key == WEEK))
        assert row is not None and row.agenda_compiled_at is None
        await service.agenda_replies(session, ws, WEEK, "zh-CN", monday_nine, lock=True)
        await service.agenda_replies(session, ws, WEEK, "zh-CN", MONDAY.replace(hour=11), lock=True)
        await session.refresh(row)
        assert row.agenda_compiled_at == monday_nine  # the first posting, kept
