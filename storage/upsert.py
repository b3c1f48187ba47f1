"""Insert-if-absent, the building block of "exactly once" across instances."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base


async def insert_or_ignore(session: AsyncSession, model: type[Base], **values: Any) -> bool:
    """Insert one row unless a unique key already holds it; True if this call inserted it.

    Two instances racing meet on the unique constraint: on PostgreSQL the second waits for
    the first to commit and then does nothing; on SQLite writers are serialised anyway.
    """
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
