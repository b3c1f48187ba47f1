"""A per-person budget of updates: someone flooding the bot is answered only a few times.

A token bucket per Telegram user: ``capacity`` updates at once, refilled at ``per_second``.
A person typing or tapping through the dialog never runs dry; a script sending hundreds
of messages in seconds gets its first ``capacity`` handled and the rest dropped, unread,
before they cost a database transaction. Dropped is not ignored: a dropped press still has
its button's spinner stopped with a short toast (paced, :meth:`Budget.may_answer`), and a
dropped text gets one short notice per dry spell (:meth:`Budget.first_refusal`), so a
person never wonders whether lihui heard.

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

# Twenty at once, then one a second: an album of ten photos and its "done" press, or a long
# report pasted in three messages (Telegram splits it) and a press, right after a quick walk
# through the dialog, all pass; a script sending hundreds in seconds does not.
# LIHUI_FLOOD_BURST and LIHUI_FLOOD_PER_SECOND change them (bot/config.py).
DEFAULT_CAPACITY = 20.0
DEFAULT_PER_SECOND = 1.0
# Toasts for dropped presses: Telegram does not count answerCallbackQuery as a message, but
# a script's forged presses must not turn into as many calls. A person taps a few a second
# at most, so each of their presses is answered; a script's beyond this spinner on.
ANSWER_BURST = 5.0
ANSWERS_PER_SECOND = 1.0
MAX_TRACKED = 10_000  # people remembered at once; the least recently seen are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    warned: bool = False
    answers: float = ANSWER_BURST
    answered_at: datetime | None = None


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

    def refund(self, key: int) -> None:
        """Give back the update ``key`` spent on something that did nothing (a redelivery of
        an update already handled), so Telegram's repeats never use up a person's budget."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(self.capacity, bucket.tokens + 1.0)

    def may_answer(self, key: int, now: datetime) -> bool:
        """Whether a dropped press of ``key`` may still be answered with a toast now."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return True
        since = bucket.answered_at or now
        elapsed = max((now - since).total_seconds(), 0.0)
        bucket.answers = min(ANSWER_BURST, bucket.answers + elapsed * ANSWERS_PER_SECOND)
        bucket.answered_at = now
        if bucket.answers >= 1.0:
            bucket.answers -= 1.0
            return True
        return False

    def first_refusal(self, key: int) -> bool:
        """True once per dry spell: the one time the flooder is told to slow down."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.warned:
            return False
        bucket.warned = True
        return True
