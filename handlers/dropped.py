"""Updates the flood budget dropped are marked handled too, a few at a time.

Why: a dropped update was answered "too fast, try again" (or not at all), and the polling
offset moves past it. Should Telegram deliver it again (after a restart, or a webhook
timeout), the processed-update mark must stop it as it stops any handled update: a press
the person was told was not taken must not act by itself later. The marks are written in
one transaction per half second, not one per dropped update, so a flood still costs the
database next to nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database
from storage.updates import claim_update

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5


class DroppedMarks:
    """Collects dropped updates' ids and writes their processed marks in batches."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._waiting: list[tuple[int, int, datetime]] = []
        self._flush: asyncio.Task[None] | None = None

    def add(self, bot_id: int, update_id: int, at: datetime) -> None:
        self._waiting.append((bot_id, update_id, at))
        if self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._later())

    async def _later(self) -> None:
        await asyncio.sleep(FLUSH_SECONDS)
        await self.flush()

    async def flush(self) -> None:
        marks, self._waiting = self._waiting, []
        if not marks:
            return
        try:
            async with self.database.session() as session:
                for bot_id, update_id, at in marks:
                    await claim_update(session, bot_id, update_id, at)
        except (SQLAlchemyError, OSError) as error:  # only forgives a flooder: no ERROR
            log.warning("could not mark %d dropped updates: %s", len(marks), error)

    async def close(self) -> None:
        """At shutdown: write what is still waiting."""
        if self._flush is not None and not self._flush.done():
            self._flush.cancel()
        await self.flush()
