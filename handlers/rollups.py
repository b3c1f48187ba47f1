"""Telegram side of the roll-ups: /assess, /adjust, /monthly, /highlight and their buttons.

Thin on purpose: read the command's arguments or the button's data, call
:mod:`bot.rollups.commands`, queue what it answers on the turn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.caller import Caller
from bot.replies import Answer
from bot.rollups import commands
from handlers.turn import Turn, on_update, pressed

CALLBACK_PATTERN = commands.CALLBACK_PATTERN


def _arguments(update: Update) -> str:
    text = update.effective_message.text if update.effective_message else ""
    parts = (text or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _command(
    run: Callable[[Caller, str], Awaitable[Answer]],
) -> Callable[..., Awaitable[None]]:
    @on_update
    async def handle(update: Update, turn: Turn) -> None:
        turn.take(await run(turn.caller(), _arguments(update)))

    handle.__name__ = run.__name__
    return handle


assess = _command(commands.assess)
adjust = _command(commands.adjust)
monthly = _command(commands.monthly)
highlight = _command(commands.highlight)
rubric = _command(commands.rubric)


@on_update
async def button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    turn.take(await commands.button(turn.caller(), data, message_id))
