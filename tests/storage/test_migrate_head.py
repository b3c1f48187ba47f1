"""Start-up's cheap check of the schema agrees with Alembic's own view."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.migrate import at_head, head_from_files, head_revision, upgrade


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert head_from_files() == head_revision()


async def test_a_fresh_database_is_not_at_head_until_upgraded(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert not await at_head(database)
        await upgrade(database)
        assert await at_head(database)
        await upgrade(database)  # at head: nothing to do, and nothing fails
        assert await at_head(database)
    finally:
        await database.dispose()
