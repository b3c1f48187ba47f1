"""Insert-if-absent, the building block of "exactly once" across instances."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base


async def insert_or_ignore(session: AsyncSession, model: type[Base], **values: Any) -> bool:
    """Insert one row unless a unique key already holds it; True if this call inserted it.

    Two instances racing meet on the unique constraint: on PostgreSQL the second waits for
    the first to commit and then does nothing; on SQLite writers are serialised anyway.
    """
    # Each dialect's module is imported on first use: an SQLite deployment (and its
    # start-up) never loads the PostgreSQL dialect with all its drivers.
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
