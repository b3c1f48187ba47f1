"""Exactly-once handling of incoming updates: Telegram may deliver one update twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate
from storage.upsert import insert_or_ignore

# Telegram redelivers an update for 24 hours at most; a week of marks is plenty.
RETENTION = timedelta(days=7)


async def claim_update(session: AsyncSession, bot_id: int, update_id: int, now: datetime) -> bool:
    """Record the update as handled in the caller's transaction; False if it already was.

    The mark commits or rolls back together with the handler's own writes, so an update
    whose handling failed is not marked, and a redelivered one that succeeded is skipped.
    Concurrent instances meet on the primary key: the second insert does nothing.
    """
    return await insert_or_ignore(
        session, ProcessedUpdate, bot_id=bot_id, update_id=update_id, processed_at=now
    )


async def forget_updates_before(session: AsyncSession, moment: datetime) -> int:
    """Prune the marks; Telegram keeps undelivered updates for 24 hours at most."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < moment)
    )
    return result.rowcount
