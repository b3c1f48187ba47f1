"""Telegram side of ``/invite`` and its ``iv:`` buttons: call :mod:`bot.invitations`."""

from __future__ import annotations

from telegram import Update

from bot import invitations
from handlers.turn import Turn, on_update, pressed

CALLBACK_PATTERN = invitations.CALLBACK_PATTERN


@on_update
async def invite(update: Update, turn: Turn) -> None:
    turn.take(await invitations.invite_command(turn.caller(), turn.services.bot_username))


@on_update
async def button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    answer = await invitations.press(turn.caller(), data, message_id, turn.services.bot_username)
    turn.take(answer)
