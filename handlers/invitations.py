"""Telegram side of ``/invite`` and its ``iv:`` buttons: call :mod:`bot.invitations`."""

from __future__ import annotations

from telegram import Update

from bot import invitations
from handlers.turn import Turn, on_update

CALLBACK_PATTERN = invitations.CALLBACK_PATTERN


@on_update
async def invite(update: Update, turn: Turn) -> None:
    turn.take(await invitations.invite_command(turn.caller(), turn.services.bot_username))


@on_update
async def button(update: Update, turn: Turn) -> None:
    query = update.callback_query
    assert query is not None
    message_id = query.message.message_id if query.message is not None else None
    answer = await invitations.press(
        turn.caller(), query.data or "", message_id, turn.services.bot_username
    )
    turn.take(answer)
