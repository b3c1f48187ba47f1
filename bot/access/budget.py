"""A per-person budget of updates: someone flooding the bot is answered only a few times.

A token bucket per Telegram user: ``capacity`` updates at once, refilled at ``per_second``.
A person typing or tapping through the dialog never runs dry; a script sending hundreds
of messages in seconds gets its first ``capacity`` handled and the rest dropped, unread
and unanswered, before they cost a database transaction.

Kept in the process's memory, on purpose: losing the buckets on a restart only forgives a
flooder early, which is harmless, while a database row per message would make each
flooded message cost the very write the budget is there to avoid. With several instances
behind a webhook each keeps its own buckets, so a flooder gets at most ``capacity`` per
instance: still "a few".
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

# Ten at once (an album of photos), then one every two seconds: faster than anyone types
# or taps through the dialog, far slower than a script. LIHUI_FLOOD_BURST and
# LIHUI_FLOOD_PER_SECOND change them (the end-to-end tests, which type at machine speed).
DEFAULT_CAPACITY = 10.0
DEFAULT_PER_SECOND = 0.5
MAX_TRACKED = 10_000  # people remembered at once; the least recently seen are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    warned: bool = False


@dataclass
class Budget:
    capacity: float = DEFAULT_CAPACITY
    per_second: float = DEFAULT_PER_SECOND
    _buckets: OrderedDict[int, _Bucket] = field(default_factory=OrderedDict)

    def take(self, key: int, now: datetime) -> bool:
        """Spend one update of ``key``'s budget; False when there is none left."""
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
        elapsed = max((now - bucket.at).total_seconds(), 0.0)  # a clock set back refills nothing
        bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.per_second)
        bucket.at = now
        self._buckets[key] = bucket
        while len(self._buckets) > MAX_TRACKED:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            if bucket.tokens >= self.capacity / 2:
                bucket.warned = False  # the spell is over: warn again next time
            return True
        return False

    def first_refusal(self, key: int) -> bool:
        """True once per dry spell: the one time the flooder is told to slow down."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.warned:
            return False
        bucket.warned = True
        return True
