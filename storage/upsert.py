"""Insert-if-absent, the building block of "exactly once" across instances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Insert, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base

# Built once per dialect, table and set of columns, then executed with new values: the
# update path (every update claims its id here) does not rebuild the same statement.
_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], Insert] = {}


async def insert_or_ignore(session: AsyncSession, model: type[Base], **values: Any) -> bool:
    """Insert one row unless a unique key already holds it; True if this call inserted it.

    Two instances racing meet on the unique constraint: on PostgreSQL the second waits for
    the first to commit and then does nothing; on SQLite writers are serialised anyway.
    """
    statement = _statement(session.bind.dialect.name, model, tuple(values))
    result = await session.execute(statement, {f"v_{k}": v for k, v in values.items()})
    return result.rowcount == 1


def _statement(dialect: str, model: type[Base], names: tuple[str, ...]) -> Insert:
    key = (dialect, model.__tablename__, names)
    statement = _STATEMENTS.get(key)
    if statement is None:
        insert = dialect_insert(dialect)
        table = model.__table__
        # The table, not the mapped class: a plain INSERT, not the ORM's bulk insert.
        params = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
        statement = insert(table).values(params).on_conflict_do_nothing()
        _STATEMENTS[key] = statement
    return statement


def dialect_insert(dialect: str) -> Callable[..., Any]:
    """The dialect's ``insert`` (the one with ``on_conflict_do_nothing``).

    Imported on first use: an SQLite deployment (and its start-up) never loads the
    PostgreSQL dialect with all its drivers, some 20 ms of every start.
    """
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
