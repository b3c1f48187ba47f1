"""The composition root: read this first.

It builds the python-telegram-bot ``Application``, wires every handler (the list below is
the whole surface of the bot), registers the command menus, and runs the chosen transport.
Everything else lives beside it by concern: the core in ``bot/``, Telegram-facing code in
``handlers/``, the database in ``storage/``.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import signal
import ssl

import httpx
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import commands
from bot.access.budget import Budget
from bot.access.views import CALLBACK_PATTERN as ACCESS_BUTTONS
from bot.clock import now
from bot.config import Config
from bot.i18n import SUPPORTED_LOCALES, normalize_locale, translate
from bot.replies import Reply
from bot.reports import outputs
from handlers import (
    access,
    basic,
    chats,
    dialog,
    invitations,
    ledgers,
    reports,
    rollups,
    roster,
    settings,
    uncertain,
)
from handlers import office as office_choice
from handlers.dropped import DroppedMarks
from handlers.filters import ADDRESSED_TO_ME, REPLY_TO_ME
from handlers.scheduler import Scheduler
from handlers.sender import Sender
from handlers.transport import poll_updates, serve_webhook
from handlers.turn import Services, services_of
from storage.db import Database
from storage.migrate import upgrade
from storage.updates import RETENTION as UPDATE_MARK_RETENTION
from storage.updates import forget_updates_before

log = logging.getLogger(__name__)

# python-telegram-bot 22 hands out durations as timedelta once this is set (and warns otherwise).
os.environ.setdefault("PTB_TIMEDELTA", "true")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context. httpx loads the CA bundle afresh for every client it
    builds, some 30 ms of CPU each, and python-telegram-bot builds two (getUpdates, and
    every other call). Kept, so a parent that made it before forking (the test suite's
    fork server) hands it to every child."""
    return httpx.create_ssl_context()


def build_application(config: Config) -> Application:  # type: ignore[type-arg]
    # The pool sizes are the library's defaults.
    tls = {"verify": tls_context()}
    return (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.file_base_url)
        .request(HTTPXRequest(connection_pool_size=256, httpx_kwargs=tls))
        .get_updates_request(HTTPXRequest(connection_pool_size=1, httpx_kwargs=tls))
        # No rate limiter here: the one sender paces messages (handlers.flood), replies
        # ahead of bulk sends, and a retry_after pauses only its own chat.
        .updater(None)  # updates arrive through handlers.transport, see there why
        .build()
    )


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    # New messages only: an edit of an earlier message is not an answer to the question
    # asked now, and an edited "/submit" must not start anything a second time.
    new = filters.UpdateType.MESSAGE
    private = new & filters.ChatType.PRIVATE
    group = new & filters.ChatType.GROUPS
    add = application.add_handler
    # Before anything else: a flood is dropped, an unserved chat ignored (handlers.access).
    add(TypeHandler(Update, access.gate), group=-2)
    add(CommandHandler("bind", access.bind, filters=private | (group & ADDRESSED_TO_ME)))
    anywhere = private | (group & ADDRESSED_TO_ME)
    for name, callback in (
        ("unbind", access.unbind),
        ("roles", access.roles),
        ("groups", access.groups),
        ("roster", roster.roster_command),
        ("audit", access.audit_log),
        ("invite", invitations.invite),
    ):
        add(CommandHandler(name, callback, filters=anywhere))
    add(CallbackQueryHandler(access.button, pattern=ACCESS_BUTTONS))
    add(CommandHandler("office", office_choice.office_command, filters=anywhere))
    add(CallbackQueryHandler(office_choice.button, pattern=office_choice.CALLBACK_PATTERN))
    add(CallbackQueryHandler(roster.button, pattern=roster.CALLBACK_PATTERN))
    add(CallbackQueryHandler(invitations.button, pattern=invitations.CALLBACK_PATTERN))
    # The bot's own membership: office chat left or rejoined, or a new group to greet.
    add(MessageHandler(filters.StatusUpdate.MIGRATE, chats.migrated))
    add(ChatMemberHandler(chats.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    add(CommandHandler("start", dialog.start_with_payload, filters=private & dialog.HAS_PAYLOAD))
    add(CommandHandler("start", basic.start, filters=private))
    add(CommandHandler("help", basic.help_command, filters=new))
    add(CommandHandler("submit", dialog.submit, filters=new))
    # A /groups edit asked in the office chat is cancelled there, by replying /cancel to it.
    in_group = group & (ADDRESSED_TO_ME | REPLY_TO_ME)
    add(CommandHandler("cancel", dialog.cancel, filters=private | in_group))
    add(CommandHandler("mystatus", dialog.my_status, filters=private))
    office = private | (group & ADDRESSED_TO_ME)  # in the office chat: /report@thisbot
    add(CommandHandler("report", reports.report, filters=office))
    add(CommandHandler("agenda", reports.agenda, filters=office))
    add(CommandHandler("bulletin", reports.bulletin, filters=office))
    add(CommandHandler("decide", ledgers.decide_command, filters=new))
    add(CommandHandler("decisions", ledgers.decisions, filters=new))
    add(CommandHandler("problems", ledgers.problems, filters=new))
    add(CommandHandler("settings", settings.settings_command, filters=new))
    add(CommandHandler("holiday", settings.holiday_command, filters=new))
    add(CommandHandler("assess", rollups.assess, filters=new))
    add(CommandHandler("adjust", rollups.adjust, filters=new))
    add(CommandHandler("monthly", rollups.monthly, filters=new))
    add(CommandHandler("highlight", rollups.highlight, filters=new))
    add(CommandHandler("rubric", rollups.rubric, filters=new))
    add(CallbackQueryHandler(settings.settings_button, pattern=settings.CALLBACK_PATTERN))
    add(CallbackQueryHandler(dialog.button, pattern=dialog.CALLBACK_PATTERN))
    add(CallbackQueryHandler(ledgers.button, pattern=ledgers.CALLBACK_PATTERN))
    add(CallbackQueryHandler(reports.button, pattern=reports.CALLBACK_PATTERN))
    add(CallbackQueryHandler(rollups.button, pattern=rollups.CALLBACK_PATTERN))
    add(CallbackQueryHandler(uncertain.button, pattern=uncertain.CALLBACK_PATTERN))
    add(CallbackQueryHandler(dialog.stale_button))
    add(
        MessageHandler(
            filters.COMMAND & (private | (group & ADDRESSED_TO_ME)), basic.unknown_command
        )
    )
    add(MessageHandler(group & REPLY_TO_ME & ~filters.COMMAND, basic.group_reply))
    # A Word file is a pasted report; a spreadsheet a roster to import (handlers.roster).
    add(MessageHandler(private & filters.Document.ALL, dialog.document))
    add(MessageHandler(private & ~filters.COMMAND, dialog.answer))
    application.add_error_handler(on_error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with context, and tell the person something went wrong rather than stay silent."""
    where = update.to_dict() if isinstance(update, Update) else repr(update)
    log.error("handling an update failed: %s", where, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    services = services_of(context)
    user = update.effective_user
    language = user.language_code if user else None
    locale = normalize_locale(language) if language else services.config.locale
    try:
        if update.callback_query is not None:
            await services.sender.answer(update.callback_query, None)
        await services.sender.send(
            Reply(translate(locale, "error.generic")), update.effective_chat.id
        )
    except Exception:  # the apology is best effort; the error is logged above
        log.exception("could not tell the user about the error")


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """The command menus, in Chinese by default and in English for English clients.

    The four calls go out together: one round trip to Telegram before polling, not four.
    """
    bot = application.bot
    calls = []
    for locale in SUPPORTED_LOCALES:
        language = None if locale == "zh-CN" else locale
        for scope, private in (
            (BotCommandScopeAllPrivateChats(), True),
            (BotCommandScopeAllGroupChats(), False),
        ):
            menu = [BotCommand(name, text) for name, text in commands.menu(locale, private)]
            calls.append(bot.set_my_commands(menu, scope=scope, language_code=language))
    await asyncio.gather(*calls)


async def _register_commands_logged(application: Application) -> None:  # type: ignore[type-arg]
    try:
        await register_commands(application)
    except Exception:  # the bot serves without menus; the next start registers them again
        log.exception("could not register the command menus")


def _freeze_start_up_objects() -> None:
    """Move everything built at start-up (modules, mappers, compiled catalogs: most of the
    heap) out of the garbage collector's sight: it is never freed, and a full collection
    during an update would otherwise walk all of it again. Then collect as usual.

    ``lihui`` starts with the collector off (``bot.launch``), and nothing is collected
    before the freeze: a collection here would walk the whole heap (about 30 ms) to find
    some two thousand objects of start-up garbage (the argument parser's, a few hundred KB),
    which are frozen with the rest instead.
    """
    gc.freeze()
    gc.enable()


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_bot(config: Config) -> None:
    """Run until SIGINT or SIGTERM: migrate, connect, register, then serve updates."""
    database = Database(config.database_url)
    await upgrade(database)
    async with database.session() as session:
        await forget_updates_before(session, now() - UPDATE_MARK_RETENTION)
    application = build_application(config)
    register_handlers(application)
    outputs.configure(config.render_idle_seconds)
    stop = _stop_event()
    try:
        async with application:
            sender = Sender(application.bot)
            scheduler = Scheduler(database, sender, application.bot.username, config.tick_seconds)
            dropped = DroppedMarks(database)
            application.bot_data["services"] = Services(
                config,
                database,
                sender,
                application.bot.username,
                scheduler,
                Budget(config.flood_burst, config.flood_per_second),
                dropped,
            )
            # The menus only decorate Telegram's clients: they are registered while the
            # first poll waits, rather than holding up the first update for four calls.
            menus = asyncio.create_task(_register_commands_logged(application))
            await application.start()
            await scheduler.start()
            _freeze_start_up_objects()

            def ready() -> None:
                log.info("lihui is running as @%s", application.bot.username)

            try:
                if config.webhook_url:
                    await serve_webhook(application, config, stop, ready)
                else:
                    await poll_updates(application, stop, ready)
            finally:
                menus.cancel()
                await dropped.close()
                await scheduler.stop()
            await application.stop()
    finally:
        outputs.stop()
        await database.dispose()
