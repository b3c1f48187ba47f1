"""The one place that sends messages to Telegram.

Everything lihui says goes through :class:`Sender`: replies to an update, prompts and
bulletins alike. It renders the core's :class:`~bot.replies.Reply` values into Bot API
calls with HTML parse mode, splits overlong texts, and retries transient failures.

Every message first takes a slot from :class:`~handlers.flood.FloodControl`: replies go
ahead of bulk sends (``bulk=True``), the total stays within Telegram's limits, and a
``retry_after`` pauses only the chat it was given for. The sender may be called
concurrently (a fan-out may send to many chats at once); each call waits only for its own
chat and its own lane.
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
from handlers.flood import FloodControl

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


class ChatPaused(Exception):
    """The chat is under Telegram's ``retry_after`` and the caller would rather not wait:
    nothing of the reply was sent, so it may be sent whole later (see ``set_aside``)."""

    def __init__(self, chat_id: int, seconds: float) -> None:
        # How long is the flood gate's to say (FloodControl.paused_for): this is for the log.
        super().__init__(f"chat {chat_id} paused by Telegram for {seconds:.0f}s")


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


async def with_retries(
    description: str,
    call: Callable[[], Awaitable[T]],
    flood: FloodControl | None = None,
    chat_id: int = 0,
    *,
    bulk: bool = False,
    messages: int = 1,
    set_aside: bool = False,
) -> T:
    """Run one Bot API call, retrying flood waits, network faults and 5xx answers.

    With ``flood``, each attempt first waits for its slot; a ``retry_after`` pauses this
    chat (every later message to it waits too) and not the others. With ``set_aside``, a
    chat that must wait for its ``retry_after`` raises :class:`ChatPaused` instead of
    waiting. A 400 (our request is wrong) and a 403 (the chat is closed to us) are final.
    """
    for attempt in range(1, ATTEMPTS + 2):
        if flood is not None:
            if set_aside and (paused := flood.paused_for(chat_id)) > 0:
                raise ChatPaused(chat_id, paused)
            await flood.slot(chat_id, bulk=bulk, messages=messages)
        try:
            return await call()
        except Forbidden as error:
            raise Undeliverable(error.message) from error
        except BadRequest:
            raise
        except RetryAfter as error:
            # The wait after the last flood answer earns one more try.
            pause = _seconds(error.retry_after)
            _note(description, error)
            log.info("%s into chat %s: retry after %.0fs", description, chat_id, pause)
            if flood is not None:
                flood.retry_after(chat_id, pause)
                pause = 0.0  # the slot of the next attempt waits, for this chat only
                if set_aside:
                    raise ChatPaused(chat_id, flood.paused_for(chat_id)) from error
        except NetworkError as error:  # includes TimedOut and 5xx answers
            if attempt >= ATTEMPTS:
                raise
            _note(description, error)
            pause = 0.5 * 2 ** (attempt - 1)
            log.warning("%s failed (%s); retry %d of %d", description, error, attempt, ATTEMPTS)
        if pause:
            await asyncio.sleep(pause)
    return await call()


class Sender:
    def __init__(self, bot: Bot, flood: FloodControl | None = None) -> None:
        self.bot = bot
        self.flood = flood or FloodControl()

    async def _call(
        self,
        description: str,
        chat_id: int,
        bulk: bool,
        call: Callable[[], Awaitable[T]],
        messages: int = 1,
        set_aside: bool = False,
    ) -> T:
        return await with_retries(
            description,
            call,
            self.flood,
            chat_id,
            bulk=bulk,
            messages=messages,
            set_aside=set_aside,
        )

    async def send(
        self, reply: Reply, chat_id: int, *, bulk: bool = False, set_aside: bool = False
    ) -> list[Message]:
        """Send (or edit) one reply; returns the messages Telegram created.

        ``bulk`` marks a scheduled fan-out (prompts, reminders, bulletins): replies to a
        person who just acted go ahead of it. ``set_aside``: if the chat is under
        ``retry_after`` before the reply's first message is out, raise :class:`ChatPaused`
        rather than wait, so a fan-out goes on with the other chats (Telegram hands out
        waits of 30 s and more then). Once a first message is out, the rest of the reply
        waits its turn: it is finished, never repeated.
        """
        target = reply.chat_id if reply.chat_id is not None else chat_id
        if reply.edit_message_id is not None:
            await self._edit(reply, target, bulk, set_aside)
            return []
        sent: list[Message] = []
        if reply.photo_file_ids:
            sent.extend(await self._photos(reply.photo_file_ids, target, bulk, set_aside))
        if reply.attachment is not None:
            file = reply.attachment
            return [
                *sent,
                *await self._with_file(reply, file, target, bulk, set_aside and not sent),
            ]
        sent.extend(await self._texts(reply, reply.text, target, bulk, set_aside and not sent))
        return sent

    async def _texts(
        self, reply: Reply, text: str, target: int, bulk: bool, set_aside: bool = False
    ) -> list[Message]:
        sent: list[Message] = []
        parts = split_message(text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            markup = self._markup(reply) if last else None
            message = await self._call(
                "sendMessage",
                target,
                bulk,
                lambda part=part, markup=markup: self.bot.send_message(  # type: ignore[misc]
                    target, part, parse_mode=ParseMode.HTML, reply_markup=markup
                ),
                set_aside=set_aside and not sent,
            )
            sent.append(message)
        return sent

    async def _with_file(
        self, reply: Reply, file: Attachment, target: int, bulk: bool, set_aside: bool
    ) -> list[Message]:
        """The file with the text as its caption, or the file first and the text after it."""
        fits = visible_length(reply.text) <= TELEGRAM_CAPTION_LIMIT
        caption = reply.text if fits else None
        markup = self._markup(reply) if fits or not reply.text.strip() else None
        send = self.bot.send_photo if file.kind == "photo" else self.bot.send_document
        message = await self._call(
            f"send {file.kind}",
            target,
            bulk,
            lambda: send(  # type: ignore[operator]
                target,
                InputFile(file.data, filename=file.filename),
                caption=caption or None,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            ),
            set_aside=set_aside,
        )
        if fits or not reply.text.strip():
            return [message]
        return [message, *await self._texts(reply, reply.text, target, bulk)]

    def _markup(self, reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
        # Telegram allows one markup per message: buttons win, and typed text is still
        # accepted at a step that offers buttons.
        if reply.buttons:
            return render_keyboard(reply.buttons)
        if reply.ask:
            return ForceReply(input_field_placeholder=reply.placeholder)
        return None

    async def _photos(
        self, file_ids: tuple[str, ...], chat_id: int, bulk: bool, set_aside: bool
    ) -> list[Message]:
        if len(file_ids) == 1:
            send = self.bot.send_photo
            photo = file_ids[0]
            return [
                await self._call(
                    "sendPhoto", chat_id, bulk, lambda: send(chat_id, photo), set_aside=set_aside
                )
            ]
        media = [InputMediaPhoto(file_id) for file_id in file_ids[:10]]
        album = await self._call(
            "sendMediaGroup",
            chat_id,
            bulk,
            lambda: self.bot.send_media_group(chat_id, media),
            messages=len(media),  # Telegram counts each photo of an album as a message
            set_aside=set_aside,
        )
        return list(album)

    async def _edit(self, reply: Reply, chat_id: int, bulk: bool, set_aside: bool) -> None:
        assert reply.edit_message_id is not None
        try:
            await self._call(
                "editMessageText",
                chat_id,
                bulk,
                lambda: self.bot.edit_message_text(
                    split_message(reply.text)[0],
                    chat_id=chat_id,
                    message_id=reply.edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=render_keyboard(reply.buttons),
                ),
                messages=0,  # an edit is not a new message: it waits only for retry_after
                set_aside=set_aside,
            )
        except BadRequest as error:
            # Editing to the same content, or a message gone, is harmless: nothing to show.
            if "not modified" in error.message or "not found" in error.message:
                return
            # A photo or a file has no text to replace (a button's data pressed under a
            # chart or a Word file), and an old message can no longer be edited: the answer
            # still reaches the person, as a new message.
            if "no text in the message" in error.message or "can't be edited" in error.message:
                await self._texts(reply, reply.text, chat_id, bulk)
                return
            raise

    async def answer(self, query: CallbackQuery, answer: CallbackAnswer | None) -> None:
        """Stop the button's spinner; a query too old to answer is not worth an error.

        Not a message: it takes no flood slot (Telegram does not count it).
        """
        answer = answer or CallbackAnswer()
        try:
            await with_retries(
                "answerCallbackQuery",
                lambda: query.answer(answer.text or None, show_alert=answer.alert),
            )
        except BadRequest as error:
            log.info("callback query not answered: %s", error.message)
