"""Sending the delivery log: each scheduled message once, its outcome recorded.

The one sender (:class:`handlers.sender.Sender`, ``bulk=True``) does the Bot API calls and
their short retries (flood waits, 5xx, dropped connections); around it this module takes
the row (``pending -> sending``), keeps trying through a longer outage up to
:data:`GIVE_UP_AFTER`, and writes down what happened: sent with the attempts it took,
failed (refused, or given up) with the error, so ``lihui jobs run`` and the log can say
what was sent, retried and given up, and nothing is silently lost.

A retry after a broken connection may duplicate a message Telegram had already accepted
(no Bot API call can tell); such a delivery keeps ``possible duplicate`` in its error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from telegram.error import BadRequest, NetworkError, TelegramError

from bot.clock import now
from bot.cycle_steps import UNDELIVERABLE
from bot.delivery_log import finish, from_payload, grab
from bot.replies import Reply
from handlers.sender import Sender, Undeliverable, retry_notes
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


async def send_delivery(database: Database, sender: Sender, delivery_id: int) -> Tally:
    """Send one pending delivery, unless another worker has taken it; record the outcome."""
    async with database.session() as session:
        row = await grab(session, delivery_id, now())
        if row is None:
            return Tally()
        chat_id, key, reply = row.chat_id, row.dedupe_key, from_payload(row.payload)
    notes: list[str] = []
    token = retry_notes.set(notes)
    try:
        status, message_id, error, rounds = await _send_with_patience(sender, reply, chat_id)
    finally:
        retry_notes.reset(token)
    attempts = rounds + len(notes)
    if notes:
        duplicate = (
            f"{POSSIBLE_DUPLICATE}; " if status == "sent" and _connection_broke(notes) else ""
        )
        error = f"{duplicate}retried: " + " | ".join(notes[-5:]) + (f" | {error}" if error else "")
    async with database.session() as session:
        await finish(
            session,
            delivery_id,
            status=status,
            attempts=attempts,
            now=now(),
            message_id=message_id,
            error=error,
        )
    tally = Tally(sent=status == "sent", retried=attempts > 1, failed=status != "sent")
    if status != "sent":
        log.warning(
            "delivery %s to %s failed after %d attempt(s): %s", key, chat_id, attempts, error
        )
        tally.lines.append(f"failed  {key} -> {chat_id}: {error}")
    elif attempts > 1:
        log.info("delivery %s to %s sent after %d attempts (%s)", key, chat_id, attempts, error)
        tally.lines.append(f"retried {key} -> {chat_id}: {attempts} attempts")
    return tally


async def _send_with_patience(
    sender: Sender, reply: Reply, chat_id: int
) -> tuple[str, int | None, str, int]:
    """(status, first message id, error, rounds): the sender's retries, then longer pauses."""
    started = time.monotonic()
    rounds = 0
    while True:
        rounds += 1
        try:
            messages = await sender.send(reply, chat_id, bulk=True)
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
