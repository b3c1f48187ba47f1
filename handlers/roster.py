"""Telegram side of the roster from the chat: /roster, a sent spreadsheet, and its
确认导入 / 取消 buttons. Thin: the core is :mod:`bot.roster.chat`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.roster import chat as roster_chat
from bot.roster import upload as roster_upload
from handlers.turn import Callback, Turn, on_update, pressed, sent_file

CALLBACK_PATTERN = roster_chat.CALLBACK_PATTERN


def is_roster_file(update: Update) -> bool:
    """Whether a sent document is a spreadsheet (handled here, not as a Word report)."""
    message = update.effective_message
    document = message.document if message is not None else None
    return document is not None and roster_upload.is_spreadsheet(
        document.file_name, document.mime_type
    )


@on_update
async def roster_command(update: Update, turn: Turn) -> None:
    turn.take(await roster_chat.roster_command(turn.caller()))


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A spreadsheet sent in private. Fetched and read before the update's unit of work
    opens (like a Word report, :func:`handlers.dialog.document`): only the parsed rows,
    or the refusal, enter it."""
    file = sent_file(update)
    read = await roster_upload.read_upload(file.name, file.mime_type, file.size, file.fetch)
    await _take_upload(read, file.name or "")(update, context)


def _take_upload(read: roster_upload.Upload, file_name: str) -> Callback:
    @on_update
    async def take(update: Update, turn: Turn) -> None:
        turn.take(await roster_chat.on_upload(turn.caller(), read, file_name))

    return take


@on_update
async def button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    answer = await roster_chat.press(turn.caller(), data, message_id, turn.services.bot_username)
    turn.take(answer)
