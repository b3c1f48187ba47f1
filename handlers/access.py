"""Telegram side of who may do what: the gate every update passes first, /bind, /unbind,
/roles, /groups, /audit, their ``a:`` buttons, and the bot's own arrival in a group.

Thin, like every handler module: parse the update, call :mod:`bot.access.views` or
:mod:`bot.access.group_edit`, queue the replies on the turn.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import access
from bot.access import group_edit
from bot.access import views as access_views
from bot.clock import now
from bot.i18n import normalize_locale, translate
from bot.people import UserInfo, identify
from bot.replies import CallbackAnswer, Reply
from handlers.sender import Sender, Undeliverable, with_retries
from handlers.turn import Turn, on_update, pressed, services_of

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
PRESENT_STATUSES = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR})


def _args(update: Update) -> list[str]:
    text = update.message.text if update.message is not None else None
    return (text or "").split()[1:]


# --- the gate ------------------------------------------------------------------------------


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: drop a flood (no database needed for that). Whether a
    group is served is asked later, in the update's unit of work (:mod:`handlers.turn`).

    A dropped press still has its spinner stopped, with a short toast; a dropped text gets
    one notice per dry spell. Both without a database transaction; the dropped update's
    processed mark is written later, in a batch (:mod:`handlers.dropped`).
    """
    user = update.effective_user
    if user is None or update.my_chat_member is not None:
        return
    services = services_of(context)
    budget, moment = services.budget, now()
    if budget.take(user.id, moment):
        return
    log.info("update %s from user %s dropped: over budget", update.update_id, user.id)
    if services.dropped is not None:
        services.dropped.add(context.bot.id, update.update_id, moment)
    locale = normalize_locale(user.language_code)
    query = update.callback_query
    if query is not None:
        if budget.may_answer(user.id, moment):
            await services.sender.answer(
                query, CallbackAnswer(translate(locale, "access.flood.press"))
            )
    elif budget.first_refusal(user.id):
        await _slow_down(update, services.sender, locale)
    raise ApplicationHandlerStop


async def _slow_down(update: Update, sender: Sender, locale: str) -> None:
    """The one answer a flood of messages gets, in the private chat only (never spam a
    group)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    with contextlib.suppress(Undeliverable):
        await sender.send(Reply(translate(locale, "access.flood")), chat.id)


# --- arriving in a group -------------------------------------------------------------------


async def greet_if_new(update: Update, turn: Turn) -> None:
    """Added to a group: say once what lihui is and how an administrator binds it.

    Called by :func:`handlers.chats.bot_membership`, the one handler of the bot's own
    membership changes. A private chat's change (the user blocked or unblocked the bot)
    is not an arrival, and must not count as the person having started the bot.
    """
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    joined = change.new_chat_member.status in PRESENT_STATUSES
    was_out = change.old_chat_member.status not in PRESENT_STATUSES | ADMIN_STATUSES
    if not (joined and was_out):
        return
    if await access.served_workspace(turn.session, turn.chat_id) is not None:
        return
    turn.reply(turn.say("access.arrived", bot=turn.services.bot_username))


# --- commands --------------------------------------------------------------------------------


async def bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bind@bot in a group. Telegram is asked whether the caller administers the group
    each time, before the transaction opens (no database lock held across the call)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    is_admin = False
    if chat.type != ChatType.PRIVATE:
        try:
            member = await with_retries("getChatMember", lambda: chat.get_member(user.id))
        except (Undeliverable, BadRequest) as error:  # removed from the group meanwhile
            log.info("getChatMember for /bind in %s failed: %s", chat.id, error)
        else:
            is_admin = member.status in ADMIN_STATUSES
    title = chat.title or ""

    @on_update
    async def act(update: Update, turn: Turn) -> None:
        if turn.private:
            turn.reply(turn.say("access.bind.in_group", bot=turn.services.bot_username))
            return
        answer = await access_views.bind(turn.caller(), title, is_admin, turn.services.bot_username)
        turn.take(answer)

    await act(update, context)


@on_update
async def unbind(update: Update, turn: Turn) -> None:
    turn.take(await access_views.unbind_ask(turn.caller()))


@on_update
async def roles(update: Update, turn: Turn) -> None:
    replied_to = None
    message = update.message
    if message is not None and message.reply_to_message is not None and not turn.private:
        author = message.reply_to_message.from_user
        if author is not None and not author.is_bot:
            info = UserInfo(author.id, author.username, author.full_name, author.language_code)
            replied_to = await identify(turn.session, info)
    turn.take(await access_views.roles_command(turn.caller(), _args(update), replied_to))


@on_update
async def groups(update: Update, turn: Turn) -> None:
    turn.take(await group_edit.groups_command(turn.caller()))


@on_update
async def audit_log(update: Update, turn: Turn) -> None:
    turn.take(await access_views.audit_command(turn.caller()))


@on_update
async def button(update: Update, turn: Turn) -> None:
    data, message_id = pressed(update)
    turn.take(await access_views.press(turn.caller(), data, message_id))
