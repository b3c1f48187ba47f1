"""Telegram side of ``/settings`` and ``/holiday``: parse, call :mod:`bot.cycle.settings_menu`."""

from __future__ import annotations

from telegram import Update

from bot.clock import now
from bot.cycle import settings_menu
from bot.replies import Answer, CallbackAnswer
from handlers.turn import Turn, on_update, pressed

CALLBACK_PATTERN = r"^st:"


@on_update
async def settings_command(update: Update, turn: Turn) -> None:
    if not turn.private:
        turn.reply(turn.say("settings.private_only", bot=turn.services.bot_username))
        return
    turn.take(await settings_menu.open_menu(turn.caller()))


@on_update
async def settings_button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    result = await settings_menu.press(
        turn.session, turn.person, turn.locale, now(), data, message_id
    )
    turn.replies.append(result.reply)
    turn.answer = CallbackAnswer(turn.say("settings.saved") if result.changed else "")
    if result.changed:
        _rebuild(turn)


@on_update
async def holiday_command(update: Update, turn: Turn) -> None:
    if not turn.private:
        turn.reply(turn.say("settings.private_only", bot=turn.services.bot_username))
        return
    message = update.effective_message
    args = (message.text or "").split()[1:] if message is not None else []
    result = await settings_menu.holiday_command(turn.caller(), args)
    if isinstance(result, Answer):
        turn.take(result)
        return
    turn.replies.append(result.reply)
    if result.changed:
        _rebuild(turn)


def _rebuild(turn: Turn) -> None:
    if turn.services.scheduler is not None:
        turn.services.scheduler.request_rebuild()
