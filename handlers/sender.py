"""The one place that sends messages to Telegram.

Everything lihui says goes through :class:`Sender`: replies to an update, prompts and
bulletins alike. It renders the core's :class:`~bot.replies.Reply` values into Bot API
calls with HTML parse mode, splits overlong texts, and retries transient failures. Flood
limits and ``retry_after`` are also honoured by python-telegram-bot's ``AIORateLimiter``,
which the composition root installs on the bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.replies import (
    TELEGRAM_CAPTION_LIMIT,
    Attachment,
    CallbackAnswer,
    Keyboard,
    Reply,
    split_message,
    visible_length,
)

log = logging.getLogger(__name__)

ATTEMPTS = 4
T = TypeVar("T")
# The retries of the sends made in the current task, for a caller that records outcomes
# (the delivery log, handlers/delivery.py) without the sender knowing about it.
retry_notes: ContextVar[list[str] | None] = ContextVar("retry_notes", default=None)


def _note(description: str, error: Exception) -> None:
    notes = retry_notes.get()
    if notes is not None:
        notes.append(f"{description}: {error}")


class Undeliverable(Exception):
    """Telegram refused the chat for good (never started, blocked, removed): do not retry."""


def render_keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def with_retries(description: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run one Bot API call, retrying flood waits, network faults and 5xx answers.

    A 400 (our request is wrong) and a 403 (the chat is closed to us) are final.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except Forbidden as error:
            raise Undeliverable(error.message) from error
        except BadRequest:
            raise
        except RetryAfter as error:
            pause = _seconds(error.retry_after)
            _note(description, error)
        except NetworkError as error:  # includes TimedOut and 5xx answers
            if attempt == ATTEMPTS:
                raise
            _note(description, error)
            pause = 0.5 * 2 ** (attempt - 1)
            log.warning("%s failed (%s); retry %d of %d", description, error, attempt, ATTEMPTS)
        await asyncio.sleep(pause)
    return await call()  # the wait after a last flood answer earns one more try


class Sender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, reply: Reply, chat_id: int, *, bulk: bool = False) -> list[Message]:
        """Send (or edit) one reply; returns the messages Telegram created.

        ``bulk`` marks a scheduled fan-out (prompts, reminders, bulletins): replies to a
        person who just acted go ahead of it.
        """
        target = reply.chat_id if reply.chat_id is not None else chat_id
        if reply.edit_message_id is not None:
            await self._edit(reply, target)
            return []
        sent: list[Message] = []
        if reply.photo_file_ids:
            sent.extend(await self._photos(reply.photo_file_ids, target))
        if reply.attachment is not None:
            return [*sent, *await self._with_file(reply, reply.attachment, target)]
        sent.extend(await self._texts(reply, reply.text, target))
        return sent

    async def _texts(self, reply: Reply, text: str, target: int) -> list[Message]:
        sent: list[Message] = []
        parts = split_message(text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            markup = self._markup(reply) if last else None
            message = await with_retries(
                "sendMessage",
                lambda part=part, markup=markup: self.bot.send_message(
                    target, part, parse_mode=ParseMode.HTML, reply_markup=markup
                ),
            )
            sent.append(message)
        return sent

    async def _with_file(self, reply: Reply, file: Attachment, target: int) -> list[Message]:
        """The file with the text as its caption, or the file first and the text after it."""
        fits = visible_length(reply.text) <= TELEGRAM_CAPTION_LIMIT
        caption = reply.text if fits else None
        markup = self._markup(reply) if fits or not reply.text.strip() else None
        send = self.bot.send_photo if file.kind == "photo" else self.bot.send_document
        message = await with_retries(
            f"send {file.kind}",
            lambda: send(  # type: ignore[operator]
                target,
                InputFile(file.data, filename=file.filename),
                caption=caption or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            ),
        )
        if fits or not reply.text.strip():
            return [message]
        return [message, *await self._texts(reply, reply.text, target)]

    def _markup(self, reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
        # Telegram allows one markup per message: buttons win, and typed text is still
        # accepted at a step that offers buttons.
        if reply.buttons:
            return render_keyboard(reply.buttons)
        if reply.ask:
            return ForceReply(input_field_placeholder=reply.placeholder)
        return None

    async def _photos(self, file_ids: tuple[str, ...], chat_id: int) -> list[Message]:
        if len(file_ids) == 1:
            return [
                await with_retries("sendPhoto", lambda: self.bot.send_photo(chat_id, file_ids[0]))
            ]
        media = [InputMediaPhoto(file_id) for file_id in file_ids[:10]]
        return list(
            await with_retries("sendMediaGroup", lambda: self.bot.send_media_group(chat_id, media))
        )

    async def _edit(self, reply: Reply, chat_id: int) -> None:
        assert reply.edit_message_id is not None
        try:
            await with_retries(
                "editMessageText",
                lambda: self.bot.edit_message_text(
                    split_message(reply.text)[0],
                    chat_id=chat_id,
                    message_id=reply.edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=render_keyboard(reply.buttons),
                ),
            )
        except BadRequest as error:
            # Editing to the same content, or a message gone, is harmless: nothing to show.
            if "not modified" not in error.message and "not found" not in error.message:
                raise

    async def answer(self, query: CallbackQuery, answer: CallbackAnswer | None) -> None:
        """Stop the button's spinner; a query too old to answer is not worth an error."""
        answer = answer or CallbackAnswer()
        try:
            await with_retries(
                "answerCallbackQuery",
                lambda: query.answer(answer.text or None, show_alert=answer.alert),
            )
        except BadRequest as error:
            log.info("callback query not answered: %s", error.message)
