"""Updates handled concurrently, each person's and each chat's strictly in arrival order.

Why: handled one after another, a reply waiting out Telegram's ``retry_after`` for one chat,
or a slow report for one director, held up every other person. Handled all at once, a
person's second message could overtake the first. :class:`InOrder` runs every update in
its own task, chained behind the still unfinished updates that share a key with it (the
user's id, the chat's id): different people run side by side, one person's updates run
one after another.

:class:`Pending` keeps the polling offset honest under concurrency. Telegram forgets every
update below the offset it is given, so the offset may only move past an update once that
update is handled; with several in flight it is the lowest update id not yet handled.
"Handled" means its transaction committed (see :func:`mark_handled`, called by
:mod:`handlers.turn`): from then on a redelivery is skipped by the processed-update mark, so
waiting for the reply to leave (perhaps 30 s of ``retry_after``) need not hold the offset.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

_on_handled: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "lihui_on_handled", default=None
)


def mark_handled() -> None:
    """Tell the transport that the current update's work is committed (idempotent)."""
    callback = _on_handled.get()
    if callback is not None:
        callback()


class InOrder:
    """Run jobs concurrently, but jobs sharing a key strictly one after another."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self.running: set[asyncio.Task[None]] = set()

    def submit(
        self, keys: Iterable[Hashable], job: Job, on_handled: Callable[[], None] | None = None
    ) -> asyncio.Task[None]:
        """Start ``job`` once every earlier job with one of ``keys`` has finished."""
        keys = list(dict.fromkeys(keys))
        before = list({id(t): t for k in keys if (t := self._tails.get(k)) is not None}.values())
        context = contextvars.copy_context()
        context.run(_on_handled.set, on_handled)
        task = asyncio.create_task(self._run(before, job), context=context)
        for key in keys:
            self._tails[key] = task
        self.running.add(task)
        task.add_done_callback(lambda done: self._forget(done, keys))
        return task

    async def _run(self, before: list[asyncio.Task[None]], job: Job) -> None:
        if before:
            await asyncio.wait(before)  # an earlier job's failure does not stop this one
        try:
            await job()
        except Exception:  # the application logs handler errors; this is a last resort
            log.exception("an update's processing failed")

    def _forget(self, task: asyncio.Task[None], keys: list[Hashable]) -> None:
        self.running.discard(task)
        for key in keys:
            if self._tails.get(key) is task:
                del self._tails[key]

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109
        """Let the jobs in flight finish (a graceful stop), for at most ``timeout`` seconds."""
        if self.running:
            await asyncio.wait(set(self.running), timeout=timeout)


class Pending:
    """Fetched updates not yet handled, and the offset that confirms only handled ones."""

    def __init__(self) -> None:
        self._open: set[int] = set()
        self._seen: set[int] = set()  # fetched since the offset, open or handled
        self._next = 0  # one past the highest update id fetched
        self.changed = asyncio.Event()

    def fetched(self, update_id: int) -> bool:
        """Register a fetched update; False when it is already in hand (a re-fetch)."""
        if update_id in self._seen or update_id < self.offset_floor():
            return False
        self._seen.add(update_id)
        self._open.add(update_id)
        self._next = max(self._next, update_id + 1)
        return True

    def handled(self, update_id: int) -> None:
        if update_id in self._open:
            self._open.discard(update_id)
            floor = self.offset_floor()
            self._seen = {seen for seen in self._seen if seen >= floor}
            self.changed.set()

    def offset_floor(self) -> int:
        return min(self._open) if self._open else self._next

    @property
    def offset(self) -> int | None:
        """What to pass to getUpdates: None before the first update (Telegram's default)."""
        return self.offset_floor() if self._next else None

    @property
    def in_flight(self) -> int:
        return len(self._open)


def update_keys(user_id: int | None, chat_id: int | None) -> list[Hashable]:
    """What an update must wait for: its person's and its chat's earlier updates."""
    keys: list[Hashable] = []
    if user_id is not None:
        keys.append(("user", user_id))
    if chat_id is not None:
        keys.append(("chat", chat_id))
    return keys
