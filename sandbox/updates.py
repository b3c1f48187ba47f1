"""A bot's queue of pending updates, with getUpdates' confirmation and long-poll semantics.

Why: python-telegram-bot's polling loop relies on exact Telegram behaviour: ``offset``
confirms (and forgets) every earlier update, ``timeout`` holds the request open until an
update arrives, and a second concurrent ``getUpdates`` makes the first fail with 409 (which
is how two running instances of one bot notice each other). Delivered updates are kept for
a while so a test can ask for one to be delivered again, as Telegram sometimes does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import BotApiError, conflict

# Update kinds delivered when allowed_updates is not given (Telegram's default).
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
HISTORY_SIZE = 1000
TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


@dataclass
class UpdateQueue:
    next_update_id: int = 700000001
    pending: list[dict[str, Any]] = field(default_factory=list)
    history: OrderedDict[int, dict[str, Any]] = field(default_factory=OrderedDict)
    allowed_updates: list[str] = field(default_factory=list)
    poll_generation: int = 0
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def allows(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_BY_DEFAULT

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue ``{"update_id": .., kind: payload}`` unless the bot opted out of ``kind``."""
        if not self.allows(kind):
            return None
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.pending.append(update)
        self.remember(update)
        self.wake()
        return update

    def remember(self, update: dict[str, Any]) -> None:
        self.history[update["update_id"]] = update
        while len(self.history) > HISTORY_SIZE:
            self.history.popitem(last=False)

    def requeue(self, update_id: int) -> dict[str, Any] | None:
        """Deliver an already delivered update once more, with the same update_id."""
        update = self.history.get(update_id)
        if update is None:
            return None
        if all(u["update_id"] != update_id for u in self.pending):
            self.pending.append(update)
            self.wake()
        return update

    def confirm_below(self, offset: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def remove(self, update_id: int) -> None:
        self.pending = [u for u in self.pending if u["update_id"] != update_id]

    def drop_all(self) -> None:
        self.pending.clear()

    async def wait_arrival(self, seconds: float) -> None:
        """Sleep until something is queued or woken, at most ``seconds``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._arrived.wait(), seconds)

    def wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    def select(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        """Apply getUpdates' ``offset`` (confirming earlier updates) and ``limit``."""
        if offset is not None:
            if offset < 0:
                keep = self.pending[offset:] if -offset <= len(self.pending) else self.pending
                self.pending = list(keep)
            else:
                self.confirm_below(offset)
        return self.pending[:limit]

    async def poll(
        self,
        offset: int | None,
        limit: int,
        hold: float,
        interrupted: Callable[[], BotApiError | None] = lambda: None,
    ) -> list[dict[str, Any]]:
        """getUpdates: answer at once if something is pending, else hold it up to ``hold`` seconds.

        A newer call supersedes this one, which then fails with 409 Conflict; so does any
        error ``interrupted`` reports when the poll is woken (e.g. a webhook was just set).
        """
        self.poll_generation += 1
        generation = self.poll_generation
        self.wake()  # an older poller wakes up, sees it was superseded and answers 409
        self.select(offset, limit)  # confirm once; waiting must not drop later arrivals
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, hold)
        while True:
            if generation != self.poll_generation:
                raise conflict(TERMINATED)
            error = interrupted()
            if error is not None:
                raise error
            found = self.pending[:limit]
            remaining = deadline - loop.time()
            if found or remaining <= 0:
                return found
            await self.wait_arrival(remaining)
