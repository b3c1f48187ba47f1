"""One update, one unit of work: the frame every handler runs in.

:func:`on_update` wraps a handler. Before it runs, a database transaction is opened, the
update is marked as handled (a duplicate delivery stops here), and the sender is
identified; an update from a group lihui does not serve stops there too, unless it may
bind the group. The handler then reads and writes through ``turn.session`` and queues what
it wants to say on the :class:`Turn`. Only after the transaction has committed are the
replies sent: a crash before the commit loses nothing (Telegram delivers the update again),
and a reply is never sent for work that was rolled back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import dialog
from bot.access import served_workspace
from bot.access.budget import Budget
from bot.caller import Caller
from bot.clock import now
from bot.config import Config
from bot.i18n import normalize_locale
from bot.people import UserInfo, identify
from bot.replies import Answer, CallbackAnswer, Reply, say
from handlers.dropped import DroppedMarks
from handlers.ordering import mark_handled
from handlers.sender import Sender, Undeliverable
from storage.db import Database, retry_conflicts
from storage.models import Person
from storage.updates import claim_update

log = logging.getLogger(__name__)

# What a group lihui does not serve may still say to the bot.
OPEN_COMMANDS = frozenset({"bind", "start", "help"})


@dataclass
class Services:
    """What handlers need from the process, built once by the composition root."""

    config: Config
    database: Database
    sender: Sender
    bot_username: str = ""
    # The weekly cycle's scheduler (handlers/scheduler.py), told when settings change.
    scheduler: Any = None
    # The per-person flood budget (handlers.access.gate) and its dropped updates' marks.
    budget: Budget = field(default_factory=Budget)
    dropped: DroppedMarks | None = None


@dataclass
class Turn:
    """The handling of one update: its session, its person, and what to say back."""

    session: AsyncSession
    services: Services
    person: Person
    locale: str
    chat_id: int
    private: bool
    replies: list[Reply] = field(default_factory=list)
    answer: CallbackAnswer | None = None

    def say(self, key: str, /, **params: object) -> str:
        return say(self.locale, key, **params)

    def reply(self, text: str, **options: object) -> None:
        self.replies.append(Reply(text, **options))  # type: ignore[arg-type]

    def toast(self, key: str, /, alert: bool = False, **params: object) -> None:
        self.answer = CallbackAnswer(self.say(key, **params), alert=alert)

    def take(self, answer: Answer) -> None:
        """Queue what the core answered: its replies, and its toast for a pressed button."""
        self.replies.extend(answer.replies)
        if answer.toast:
            self.answer = CallbackAnswer(answer.toast)

    def caller(self) -> Caller:
        """Who acts, where, and when: what the core's views and routers take."""
        return Caller(
            self.session,
            self.person,
            self.locale,
            now(),
            self.chat_id,
            self.private,
            self.services.bot_username,
        )


Handler = Callable[[Update, Turn], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]


def pressed(update: Update) -> tuple[str, int | None]:
    """A pressed button's data and the id of the message it sat on (None if too old to
    carry it): what every core ``press`` takes."""
    query = update.callback_query
    assert query is not None
    message = query.message
    return query.data or "", (message.message_id if message is not None else None)


@dataclass(frozen=True)
class SentFile:
    """A document someone sent: what its message says about it, and how to fetch it."""

    name: str | None
    mime_type: str | None
    size: int | None
    fetch: Callable[[], Awaitable[bytes]]


def sent_file(update: Update) -> SentFile:
    """The update's document, fetched only when the core asks (after its name and size
    passed), and before the unit of work opens: a download must not hold the database."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document

    async def fetch() -> bytes:
        return bytes(await (await document.get_file()).download_as_bytearray())

    return SentFile(document.file_name, document.mime_type, document.file_size, fetch)


def user_info(update: Update) -> UserInfo | None:
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    return UserInfo(user.id, user.username, user.full_name, user.language_code)


def on_update(handler: Handler) -> Callback:
    @functools.wraps(handler)
    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        info = user_info(update)
        chat = update.effective_chat
        if info is None or chat is None:
            return
        services = services_of(context)
        private = chat.type == ChatType.PRIVATE

        async def unit_of_work() -> Turn | bool | None:
            return await _handle(handler, update, services, context.bot.id, info, private)

        turn = await retry_conflicts(unit_of_work)
        if turn is False:  # handled already
            return
        mark_handled()  # committed: a redelivery is skipped, so the offset may move on
        if isinstance(turn, Turn):
            await deliver(turn, update, services.sender)
        elif update.callback_query is not None:  # only stop the pressed button's spinner
            await services.sender.answer(update.callback_query, None)

    return callback


async def _handle(
    handler: Handler,
    update: Update,
    services: Services,
    bot_id: int,
    info: UserInfo,
    private: bool,
) -> Turn | bool | None:
    """The update's one transaction: the Turn to deliver, None for a group lihui does not
    serve (nothing written or said), False for an update handled before."""
    chat = update.effective_chat
    assert chat is not None
    async with services.database.session() as session:
        if not private and not await _served_or_open(session, update, chat.id):
            return None
        if not await claim_update(session, bot_id, update.update_id, now()):
            log.info("update %s was handled already; skipped", update.update_id)
            services.budget.refund(info.id)  # a repeat costs the person nothing
            return False
        person = await identify(session, info, in_private=private)
        locale = person.locale or normalize_locale(services.config.locale)
        turn = Turn(session, services, person, locale, chat.id, private)
        await handler(update, turn)
        return turn


async def _served_or_open(session: AsyncSession, update: Update, chat_id: int) -> bool:
    """Whether lihui acts on this group update: the group is a bound office chat, or the
    update is one an unserved group may send (/bind, /start, /help, the bot's own arrival).

    Asked here, in the update's one unit of work, rather than in a transaction of its own
    before the handler.
    """
    if update.my_chat_member is not None or command_name(update) in OPEN_COMMANDS:
        return True
    return await served_workspace(session, chat_id) is not None


def command_name(update: Update) -> str | None:
    """``/roles@lihui_bot staff`` → ``roles``; None for anything that is not a command."""
    message = update.message
    text = (message.text or "") if message is not None else ""
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()


async def deliver(turn: Turn, update: Update, sender: Sender) -> None:
    """Send what the turn queued, after its transaction committed."""
    if update.callback_query is not None:
        await sender.answer(update.callback_query, turn.answer)
    for reply in turn.replies:
        try:
            sent = await sender.send(reply, turn.chat_id)
        except Undeliverable as error:
            log.warning("reply to chat %s not delivered: %s", reply.chat_id or turn.chat_id, error)
            continue
        if reply.prompt_version is not None and sent:
            await _remember_prompt(turn, reply.prompt_version, sent[-1].message_id)


async def _remember_prompt(turn: Turn, version: int, message_id: int) -> None:
    """Record the dialog's prompt message (its own small unit of work, after the send)."""
    async with turn.services.database.session() as session:
        await dialog.remember_prompt(session, turn.person.id, version, message_id)
