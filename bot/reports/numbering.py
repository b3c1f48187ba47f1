"""Bulletin numbers (期号): given on publication, per workspace and year, never reused.

"2026年第12期" is the twelfth bulletin the office published in 2026 (the year of the
issue date, which is also the date printed on the document). Publishing a week again
returns the bulletin stored the first time, number and content alike. Two instances
publishing at once meet on the table's unique keys: the one that loses the race for a
number takes the next, the one that loses the race for the week reads the winner's.
Nothing is numbered until it commits, so a failed publication leaves no gap.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.bulletin import Bulletin, to_json
from storage.models import PublishedBulletin, Workspace
from storage.upsert import insert_or_ignore

# A number lost to a concurrent publication is retried with the next; more rivals than
# this at the same instant would be a bug elsewhere.
ATTEMPTS = 20


async def find_published(
    session: AsyncSession, workspace_id: int, period_key: str
) -> PublishedBulletin | None:
    return await session.scalar(
        select(PublishedBulletin).where(
            PublishedBulletin.workspace_id == workspace_id,
            PublishedBulletin.period_key == period_key,
        )
    )


def issue_year(workspace: Workspace, moment: datetime) -> int:
    return moment.astimezone(ZoneInfo(workspace.timezone)).year


async def next_number(session: AsyncSession, workspace_id: int, year: int) -> int:
    """The number the next publication of ``year`` would get (for the confirmation)."""
    last = await session.scalar(
        select(func.max(PublishedBulletin.number)).where(
            PublishedBulletin.workspace_id == workspace_id, PublishedBulletin.year == year
        )
    )
    return int(last or 0) + 1


async def publish(
    session: AsyncSession,
    workspace: Workspace,
    bulletin: Bulletin,
    now: datetime,
    person_id: int | None,
) -> tuple[PublishedBulletin, bool]:
    """The week's published bulletin, and whether this call published it."""
    year = issue_year(workspace, now)
    for _ in range(ATTEMPTS):
        existing = await find_published(session, workspace.id, bulletin.period_key)
        if existing is not None:
            return existing, False
        inserted = await insert_or_ignore(
            session,
            PublishedBulletin,
            workspace_id=workspace.id,
            year=year,
            number=await next_number(session, workspace.id, year),
            period_key=bulletin.period_key,
            content=to_json(bulletin),
            published_at=now,
            published_by_id=person_id,
        )
        if inserted:
            row = await find_published(session, workspace.id, bulletin.period_key)
            assert row is not None
            return row, True
    raise RuntimeError(f"no bulletin number after {ATTEMPTS} attempts")
