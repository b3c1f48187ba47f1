"""Schema migrations (Alembic), applied on start and by ``lihui db upgrade``.

Alembic is driven from code rather than an ``alembic.ini`` so that the one ``DATABASE_URL``
of the running bot is the one migrated, and so that it works on an installed package.

Start-up asks first whether there is anything to do: the head revision is read from the
migration files' ``revision``/``down_revision`` lines and compared with the database's
``alembic_version`` in one query. Only when they differ is Alembic imported and run, since
importing it (with Mako and its friends) costs a restart more than everything else lihui
does before its first getUpdates.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision(?:\s*:\s*[\w\s|\[\],.]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[^=]+)?\s*=\s*(.+)$", re.M)


def alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is there already."""
    if revision == "head" and await at_head(database):
        return
    from alembic import command

    async with database.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def at_head(database: Database) -> bool:
    """True when the database's revision is the migration files' one head (one query)."""
    head = head_from_files()
    if head is None:
        return False
    try:
        async with database.engine.connect() as connection:
            found = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).all()
    except DBAPIError:  # no alembic_version table yet: a fresh database
        return False
    return [row[0] for row in found] == [head]


@cache
def head_from_files() -> str | None:
    """The single head of the migration files, or None when it is not plain to see (then
    Alembic itself decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is None or down is None:
            return None
        revisions.add(found.group(1))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
