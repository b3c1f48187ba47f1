"""Telegram side of chat changes: a group upgraded to a supergroup, the bot removed or added."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot import chats
from bot.clock import now
from handlers.access import greet_if_new
from handlers.turn import Turn, on_update

GONE = (ChatMember.LEFT, ChatMember.BANNED)  # "kicked" is BANNED in python-telegram-bot


@on_update
async def migrated(update: Update, turn: Turn) -> None:
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    if await chats.chat_migrated(turn.session, old, new, now()) is not None:
        _schedule_changed(turn)


@on_update
async def bot_membership(update: Update, turn: Turn) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return  # a person blocking the bot: their sends fail and are recorded as such
    present = change.new_chat_member.status not in GONE
    replies = await chats.office_chat_presence(
        turn.session, change.chat.id, present, turn.person.id, now()
    )
    turn.replies.extend(replies)
    _schedule_changed(turn)
    await greet_if_new(update, turn)  # a group that is no office chat (yet)


def _schedule_changed(turn: Turn) -> None:
    if turn.services.scheduler is not None:
        turn.services.scheduler.request_rebuild()
