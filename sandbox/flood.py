"""Telegram's flood limits, as token buckets.

Why: the bot must respect about 30 messages a second in all, 20 a minute into one group
and about 1 a second into one private chat, and honour ``retry_after``. Telegram answers
``429 Too Many Requests: retry after N`` when a bot goes faster; the sandbox does the same,
with a small burst allowance so that a normal conversation never trips it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.errors import too_many_requests


@dataclass
class TokenBucket:
    capacity: float
    per_second: float
    tokens: float = -1.0
    updated: float = 0.0

    def wait_needed(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if self.tokens < 0 and self.updated == 0.0:
            self.tokens = self.capacity
        else:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now


@dataclass
class FloodLimits:
    """Per bot: one bucket for everything, one per group, one per private chat."""

    enabled: bool = True
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[int, str, int], TokenBucket] = field(default_factory=dict)

    def check(self, bot_id: int, chat_id: int, is_group: bool) -> None:
        """Consume one message slot or raise 429 with the seconds to wait."""
        if not self.enabled:
            return
        now = self.clock()
        buckets = [
            self._bucket(bot_id, "all", 0, 30, 30.0),
            self._bucket(bot_id, "group", chat_id, 20, 20 / 60)
            if is_group
            else self._bucket(bot_id, "private", chat_id, 3, 1.0),
        ]
        wait = max(bucket.wait_needed(now) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.take(now)

    def reset(self) -> None:
        self._buckets.clear()

    def _bucket(
        self, bot_id: int, kind: str, chat_id: int, capacity: int, per_second: float
    ) -> TokenBucket:
        key = (bot_id, kind, chat_id)
        if key not in self._buckets:
            self._buckets[key] = TokenBucket(capacity, per_second)
        return self._buckets[key]
