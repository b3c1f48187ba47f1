"""Telegram side of the 重新发送 / 不必重发 buttons under ``/report``.

Thin: the press goes to :mod:`bot.cycle.uncertain`; a requeued message is the scheduler's
to send, so it is asked to sweep soon.
"""

from __future__ import annotations

from telegram import Update

from bot.cycle import uncertain
from handlers.turn import Turn, on_update, pressed

CALLBACK_PATTERN = uncertain.CALLBACK_PATTERN


@on_update
async def button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    turn.take(await uncertain.press(turn.caller(), data, message_id))
    if turn.services.scheduler is not None:  # a requeued message goes out on a tick soon
        turn.services.scheduler.request_sweep()
