"""/office and the office buttons: the Telegram side of :mod:`bot.access.office`."""

from __future__ import annotations

from telegram import Update

from bot.access import office
from handlers.turn import Turn, on_update, pressed

CALLBACK_PATTERN = office.CALLBACK_PATTERN


@on_update
async def office_command(update: Update, turn: Turn) -> None:
    turn.take(await office.office_command(turn.caller()))


@on_update
async def button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    turn.take(await office.press(turn.caller(), data, message_id))
    if turn.services.scheduler is not None:
        # The command it ran may have been /holiday, which moves the week's steps: the
        # scheduler reads the schedule again (cheap, and harmless when nothing changed).
        turn.services.scheduler.request_rebuild()
