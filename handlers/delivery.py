"""Sending the delivery log: each scheduled message once, its outcome recorded.

The one sender (:class:`handlers.sender.Sender`, ``bulk=True``) does the Bot API calls and
their short retries (flood waits, 5xx, dropped connections); around it this module takes
the row (``pending -> sending``), keeps trying through a longer outage up to
:data:`GIVE_UP_AFTER`, and writes down what happened: sent with the attempts it took,
failed (refused, or given up) with the error, so ``lihui jobs run`` and the log can say
what was sent, retried and given up, and nothing is silently lost.

A message into a chat that Telegram holds under ``retry_after`` is set aside (back to
``pending``, it was not sent) and the worker goes on with the next recipients, coming back
to it when the wait is over: during a fan-out Telegram hands out waits of 30 s and more, and
one contact's wait must not hold up the rest of the office.

A retry after a broken connection may duplicate a message Telegram had already accepted
(no Bot API call can tell); such a delivery keeps ``possible duplicate`` in its error.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.clock import now
from bot.cycle.delivery_log import finish, from_payload, grab
from bot.cycle.steps import UNDELIVERABLE
from bot.replies import Reply
from handlers.sender import ChatPaused, Sender, Undeliverable, retry_notes
from storage.db import Database

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 120.0  # seconds of an outage after which a message is recorded as failed
PAUSES = (2.0, 5.0, 10.0, 20.0, 30.0)
POSSIBLE_DUPLICATE = "possible duplicate"


@dataclass
class Tally:
    """What a run of deliveries did, for ``lihui jobs run`` and the log."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.lines.extend(other.lines)


def _connection_broke(notes: list[str]) -> bool:
    """A retry after which the first attempt may have been accepted (not after a 429/5xx)."""
    return any("httpx." in note or "Timed out" in note for note in notes)


@dataclass(frozen=True)
class Taken:
    """A delivery this worker moved to ``sending``: only it may send it now."""

    id: int
    chat_id: int
    key: str
    reply: Reply
    attempts: int = 0  # made before this one (it was set aside, or resumed)
    notes: tuple[str, ...] = ()  # their retries


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | failed | later (set aside: the chat is under retry_after)
    attempts: int
    message_id: int | None
    error: str
    notes: tuple[str, ...] = ()


class Backlog:
    """A worker's deliveries in order, and those set aside until their chat may be tried.

    Its clock is the flood gate's (monotonic), since the waits are Telegram's ``retry_after``.
    """

    def __init__(self, ids: list[int], clock: Callable[[], float] = time.monotonic) -> None:
        self._ready = deque(ids)
        self._aside: list[tuple[float, int]] = []  # (when, id), soonest first
        self.clock = clock

    def pop(self) -> int | None:
        """The next delivery to take now, the set-aside ones as soon as their time comes."""
        if self._aside and self._aside[0][0] <= self.clock():
            return self._aside.pop(0)[1]
        return self._ready.popleft() if self._ready else None

    def set_aside(self, delivery_id: int, seconds: float) -> None:
        bisect.insort(self._aside, (self.clock() + seconds, delivery_id))

    def wait(self) -> float | None:
        """Seconds until a set-aside delivery may go (0 if one may now); None when empty."""
        if self._ready:
            return 0.0
        if not self._aside:
            return None
        return max(0.0, self._aside[0][0] - self.clock())


async def take_next(session: AsyncSession, backlog: Backlog) -> Taken | None:
    """Take the next delivery of ``backlog`` that is due and no other worker has taken."""
    while (delivery_id := backlog.pop()) is not None:
        row = await grab(session, delivery_id, now())
        if row is not None:
            notes = tuple(row.last_error.split(" | ")) if row.last_error else ()
            reply = from_payload(row.payload)
            return Taken(row.id, row.chat_id, row.dedupe_key, reply, row.attempts, notes)
    return None


async def send_taken(sender: Sender, taken: Taken) -> Outcome:
    """Send through the one sender, counting its retries; never raises for Telegram's sake."""
    notes: list[str] = []
    token = retry_notes.set(notes)
    try:
        status, message_id, error, rounds = await _send_with_patience(
            sender, taken.reply, taken.chat_id
        )
    finally:
        retry_notes.reset(token)
    if status == "later":  # the last round made no call of its own: its notes did
        attempts = taken.attempts + rounds - 1 + len(notes)
        return Outcome(status, attempts, None, error, (*taken.notes, *notes))
    attempts = taken.attempts + rounds + len(notes)
    notes = [*taken.notes, *notes]
    if notes:
        duplicate = (
            f"{POSSIBLE_DUPLICATE}; " if status == "sent" and _connection_broke(notes) else ""
        )
        error = f"{duplicate}retried: " + " | ".join(notes[-5:]) + (f" | {error}" if error else "")
    return Outcome(status, attempts, message_id, error)


async def record_outcome(session: AsyncSession, taken: Taken, outcome: Outcome) -> Tally:
    """Write the outcome to the log; what it adds to ``lihui jobs run``'s report."""
    if outcome.status == "later":
        # Not sent (Telegram said wait): pending again, with the retries it has cost.
        await finish(
            session,
            taken.id,
            status="pending",
            attempts=outcome.attempts,
            now=now(),
            error=" | ".join(outcome.notes[-5:]),
        )
        log.info("delivery %s -> %s set aside: %s", taken.key, taken.chat_id, outcome.error)
        return Tally()
    await finish(
        session,
        taken.id,
        status=outcome.status,
        attempts=outcome.attempts,
        now=now(),
        message_id=outcome.message_id,
        error=outcome.error,
    )
    sent = outcome.status == "sent"
    tally = Tally(sent=sent, retried=outcome.attempts > 1, failed=not sent)
    where = f"{taken.key} -> {taken.chat_id}"
    if not sent:
        log.warning(
            "delivery %s failed after %d attempt(s): %s", where, outcome.attempts, outcome.error
        )
        tally.lines.append(f"failed  {where}: {outcome.error}")
    elif outcome.attempts > 1:
        log.info("delivery %s sent after %d attempts (%s)", where, outcome.attempts, outcome.error)
        tally.lines.append(f"retried {where}: {outcome.attempts} attempts")
    return tally


async def send_all(
    database: Database, sender: Sender, ids: list[int], stopping: Callable[[], bool]
) -> Tally:
    """Send the given pending deliveries one after another (at most one in flight).

    Recording one outcome and taking the next delivery share a unit of work: one commit
    per message, and at any moment at most one delivery of this worker is ``sending``. A
    delivery whose chat is under ``retry_after`` is set aside and taken again once the wait
    is over; the worker returns when every delivery is settled (or it is told to stop:
    what it set aside is ``pending`` for the next start).
    """
    tally = Tally()
    backlog = Backlog(ids)
    done: tuple[Taken, Outcome] | None = None
    while True:
        async with database.session() as session:
            if done is not None:
                tally.add(await record_outcome(session, *done))
            taken = None if stopping() else await take_next(session, backlog)
        if taken is None:
            wait = backlog.wait()
            if wait is None or stopping():
                return tally
            done = None
            await asyncio.sleep(wait)  # only set-aside deliveries are left, none due yet
            continue
        outcome = await send_taken(sender, taken)
        if outcome.status == "later":  # the flood gate knows when the chat may go again
            backlog.set_aside(taken.id, sender.flood.paused_for(taken.chat_id))
        done = (taken, outcome)


async def _send_with_patience(
    sender: Sender, reply: Reply, chat_id: int
) -> tuple[str, int | None, str, int]:
    """(status, first message id, error, rounds): the sender's retries, then longer pauses."""
    started = time.monotonic()
    rounds = 0
    while True:
        rounds += 1
        try:
            messages = await sender.send(reply, chat_id, bulk=True, set_aside=True)
        except ChatPaused as error:
            return "later", None, str(error), rounds
        except Undeliverable as error:
            return "failed", None, f"{UNDELIVERABLE}: {error}", rounds
        except BadRequest as error:
            return "failed", None, f"refused: {error.message}", rounds
        except NetworkError as error:
            waited = time.monotonic() - started
            if waited >= GIVE_UP_AFTER:
                return "failed", None, f"gave up after {waited:.0f}s: {error}", rounds
            await asyncio.sleep(PAUSES[min(rounds - 1, len(PAUSES) - 1)])
            continue
        except TelegramError as error:
            return "failed", None, f"refused: {error}", rounds
        message_id = messages[0].message_id if messages else None
        return "sent", message_id, "", rounds
