"""Telegram's flood limits on our side: replies first, bulk after, one chat's wait its own.

Why not python-telegram-bot's ``AIORateLimiter``: it keeps one queue for everything, so a
contact's reply waited behind the 900th prompt of a fan-out, and it waited out a
``retry_after`` inside the call, for everyone. Here :class:`FloodGate` decides, from an
injected clock, when one message may go:

- at most ``overall_rate`` messages a second in all (Telegram: about 30), with a small
  burst; a bulk send (``bulk=True``: prompts, reminders, bulletins) also leaves
  ``reserve`` slots untouched and yields while a reply is waiting, so replies go first;
- at most 20 a minute into one group (both lanes), and about one a second into one private
  chat for bulk sends (a reply is paced by the person who just wrote; if Telegram objects,
  its ``retry_after`` is honoured as below);
- a ``retry_after`` from Telegram pauses that chat only.

:class:`FloodControl` is the asynchronous face the sender awaits. One process, one gate:
several instances behind a balancer each keep their own (documented in PERFORMANCE.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Bucket:
    """A token bucket: ``capacity`` at once, refilled at ``rate`` a second."""

    capacity: float
    rate: float
    tokens: float = field(default=-1.0)
    updated: float = 0.0

    def level(self, now: float) -> float:
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        return self.tokens

    def wait_for(self, now: float, needed: float = 1.0) -> float:
        """Seconds until ``needed`` tokens are there (0 if they are now)."""
        missing = needed - self.level(now)
        return 0.0 if missing <= 0 else missing / self.rate

    def take(self, now: float) -> None:
        self.level(now)
        self.tokens -= 1


@dataclass(frozen=True)
class Limits:
    overall_rate: float = 30.0  # Telegram's 30 a second; our burst (10) is a third of its
    overall_burst: float = 10.0
    reserve: float = 3.0  # slots a bulk send never takes: an arriving reply goes at once
    group_per_minute: float = 20.0
    private_rate: float = 1.0
    private_burst: float = 3.0


class FloodGate:
    """When may the next message to a chat go? Pure bookkeeping over an injected clock."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.overall = Bucket(self.limits.overall_burst, self.limits.overall_rate)
        self._chats: dict[int, Bucket] = {}
        self._paused: dict[int, float] = {}  # chat -> until (retry_after)
        self.replies_waiting = 0

    def delay(self, chat_id: int, is_group: bool, bulk: bool, now: float) -> float:
        """Seconds to wait before one message to ``chat_id`` may go; 0 means now."""
        waits = [self._paused.get(chat_id, now) - now]
        if bulk:
            needed = 1.0 + self.limits.reserve
            waits.append(self.overall.wait_for(now, needed))
            if self.replies_waiting:
                waits.append(1.0 / self.limits.overall_rate)
        else:
            waits.append(self.overall.wait_for(now))
        chat = self._chat_bucket(chat_id, is_group, bulk)
        if chat is not None:
            waits.append(chat.wait_for(now))
        return max(0.0, *waits)

    def take(self, chat_id: int, is_group: bool, bulk: bool, now: float) -> None:
        """Count one message as sent now."""
        self.overall.take(now)
        chat = self._chat_bucket(chat_id, is_group, bulk)
        if chat is not None:
            chat.take(now)
        elif not is_group and chat_id in self._chats:
            self._chats[chat_id].take(now)  # a reply still counts against the bulk pace

    def paused_for(self, chat_id: int, now: float) -> float:
        return max(0.0, self._paused.get(chat_id, now) - now)

    def pause(self, chat_id: int, seconds: float, now: float) -> None:
        """Telegram said ``retry_after``: nothing more into this chat until then."""
        self._paused[chat_id] = max(self._paused.get(chat_id, now), now + seconds)

    def forget_idle(self, now: float) -> None:
        """Drop full buckets and past pauses, so the memory does not grow with every chat."""
        self._paused = {chat: until for chat, until in self._paused.items() if until > now}
        self._chats = {
            chat: bucket
            for chat, bucket in self._chats.items()
            if bucket.level(now) < bucket.capacity
        }

    def _chat_bucket(self, chat_id: int, is_group: bool, bulk: bool) -> Bucket | None:
        if is_group:
            rate = self.limits.group_per_minute / 60
            return self._chats.setdefault(chat_id, Bucket(self.limits.group_per_minute, rate))
        if bulk:
            limits = self.limits
            return self._chats.setdefault(
                chat_id, Bucket(limits.private_burst, limits.private_rate)
            )
        return None


def is_group_chat(chat_id: int) -> bool:
    """Telegram's ids: users and private chats are positive, groups and channels negative."""
    return chat_id < 0


Sleep = Callable[[float], Awaitable[None]]


class FloodControl:
    """The gate, awaited: ``await control.slot(chat_id, bulk)`` before each message."""

    def __init__(
        self,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.gate = FloodGate(limits)
        self.clock = clock
        self.sleep = sleep
        self._sent = 0
        self._next_cleanup = 1000

    async def slot(self, chat_id: int, *, bulk: bool = False, messages: int = 1) -> None:
        """Wait until ``messages`` messages may go to ``chat_id``, and count them.

        ``messages=0`` (an edit: Telegram does not count it as a new message) waits only
        for the chat's ``retry_after``.
        """
        is_group = is_group_chat(chat_id)
        while (paused := self.gate.paused_for(chat_id, self.clock())) > 0:
            await self.sleep(paused)
        if not bulk:
            self.gate.replies_waiting += 1
        try:
            for _ in range(messages):
                while (wait := self.gate.delay(chat_id, is_group, bulk, self.clock())) > 0:
                    await self.sleep(wait)
                self.gate.take(chat_id, is_group, bulk, self.clock())
        finally:
            if not bulk:
                self.gate.replies_waiting -= 1
        self._sent += messages
        if self._sent >= self._next_cleanup:
            self._next_cleanup = self._sent + 1000
            self.gate.forget_idle(self.clock())

    def retry_after(self, chat_id: int, seconds: float) -> None:
        self.gate.pause(chat_id, seconds, self.clock())

    def paused_for(self, chat_id: int) -> float:
        """Seconds this chat must still wait for Telegram's ``retry_after`` (0: none)."""
        return self.gate.paused_for(chat_id, self.clock())
