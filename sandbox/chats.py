"""Which chat a ``chat_id`` means to a bot, and whether the bot may write there.

Why: Telegram's access rules are what make a bot's error handling real: an unknown chat is
400 "chat not found", a user who never opened the bot is 403 "bot can't initiate
conversation with a user", a user who blocked it is 403 "bot was blocked by the user", and
a group the bot is not in is 403 "bot is not a member of the supergroup chat".
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.errors import bad_request, forbidden
from sandbox.state import Bot, Group, JsonDict, MessageLog, StoredMessage, User, World


@dataclass
class ChatRef:
    """A chat as seen by one bot: its Chat object and its message log."""

    id: int
    chat: JsonDict
    log: MessageLog
    group: Group | None = None
    user: User | None = None

    @property
    def is_group(self) -> bool:
        return self.group is not None


def find_chat(world: World, bot: Bot, chat_id: int | str) -> ChatRef:
    """The chat behind ``chat_id`` (an id or a group's ``@username``), or 400 chat not found."""
    if isinstance(chat_id, str):
        name = chat_id.removeprefix("@").lower()
        group = next((g for g in world.groups.values() if (g.username or "").lower() == name), None)
        if group is None:
            raise bad_request("chat not found")
        return ChatRef(group.id, group.to_chat(), group.log, group=group)
    if chat_id in world.groups:
        group = world.groups[chat_id]
        return ChatRef(group.id, group.to_chat(), group.log, group=group)
    user = world.users.get(chat_id)
    if user is None:
        raise bad_request("chat not found")
    return ChatRef(user.id, user.private_chat(), bot.private_log(user.id), user=user)


def writable_chat(world: World, bot: Bot, chat_id: int | str) -> ChatRef:
    """Like ``find_chat``, but with the 403s Telegram gives when the bot may not write."""
    ref = find_chat(world, bot, chat_id)
    if ref.group is not None:
        status = ref.group.members.get(bot.id, "left")
        if status == "kicked":
            raise forbidden("bot was kicked from the supergroup chat")
        if status == "left":
            raise forbidden("bot is not a member of the supergroup chat")
    elif ref.id in bot.blocked:
        raise forbidden("bot was blocked by the user")
    elif ref.id not in bot.started:
        raise forbidden("bot can't initiate conversation with a user")
    return ref


def store_message(
    world: World,
    ref: ChatRef,
    sender: User,
    content: JsonDict,
    markup: JsonDict | None = None,
) -> StoredMessage:
    """Append a new Message to the chat's log and announce the change."""
    data: JsonDict = {
        "message_id": ref.log.allocate_id(),
        "from": sender.to_api(),
        "date": world.now(),
        "chat": ref.chat,
    }
    data.update(content)
    if markup is not None and "inline_keyboard" in markup:
        data["reply_markup"] = markup  # the only kind a Message shows
    stored = StoredMessage(data=data, sender_id=sender.id, markup=markup)
    ref.log.messages[stored.message_id] = stored
    world.touch()
    for observe in world.message_observers:
        observe(ref.id, stored)
    return stored


def reply_snapshot(stored: StoredMessage) -> JsonDict:
    """The replied-to message as Telegram embeds it: one level deep, no nested reply."""
    snapshot = copy.deepcopy(stored.data)
    snapshot.pop("reply_to_message", None)
    return snapshot


def snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """A frozen copy for an update or an answer, so later edits do not leak into it."""
    return copy.deepcopy(data)
