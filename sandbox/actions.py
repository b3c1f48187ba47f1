"""What users do: write, reply, upload, press buttons, join groups, block the bot.

Why: tests and the demo page play the people on the other side of the bot. Each action
creates the same Message or CallbackQuery Telegram would (with detected entities such as
``bot_command``), and queues it as an Update for every bot entitled to see it.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.chats import ChatRef, reply_snapshot, snapshot, store_message
from sandbox.media import (
    MAX_USER_DOCUMENT_BYTES,
    document,
    photo_sizes,
    store_document,
    store_photo,
)
from sandbox.members import chat_member
from sandbox.privacy import bot_receives
from sandbox.state import Bot, CallbackQueryRecord, Group, JsonDict, StoredMessage, User, World
from sandbox.text import MAX_CAPTION, MAX_TEXT, detect_entities, trim, utf16_len
from sandbox.upload import UploadedFile


class ActionError(Exception):
    """A test asked for something impossible (unknown user, chat, button, ...)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def user_of(world: World, user_id: int) -> User:
    user = world.users.get(user_id)
    if user is None:
        raise ActionError(f"no user with id {user_id}", 404)
    return user


def chat_for_user(world: World, bot: Bot, user: User, chat_id: int) -> ChatRef:
    """The chat ``user`` writes into: their private chat with ``bot``, or a group."""
    if chat_id == user.id:
        return ChatRef(user.id, user.private_chat(), bot.private_log(user.id), user=user)
    group = world.groups.get(chat_id)
    if group is None:
        raise ActionError(f"user {user.id} can write only to chat {user.id} or a group", 404)
    if not group.is_member(user.id):
        raise ActionError(f"user {user.id} is not a member of group {chat_id}", 403)
    return ChatRef(group.id, group.to_chat(), group.log, group=group)


def _text_fields(key: str, text: str) -> JsonDict:
    text, entities = trim(text, detect_entities(text))
    fields: JsonDict = {key: text}
    if entities:
        fields["entities" if key == "text" else "caption_entities"] = entities
    return fields


def post(
    world: World, bot: Bot, user: User, ref: ChatRef, content: JsonDict, reply_to: int | None
) -> StoredMessage:
    """Store a user's message and queue it for every bot that may see it."""
    if reply_to is not None:
        target = ref.log.messages.get(reply_to)
        if target is None:
            raise ActionError(f"no message {reply_to} in chat {ref.id}", 404)
        content = {**content, "reply_to_message": reply_snapshot(target)}
    stored = store_message(world, ref, user, content)
    if ref.group is None:
        bot.started.add(user.id)  # writing to a bot starts (and unblocks) it
        bot.blocked.discard(user.id)
        bot.updates.push("message", snapshot(stored.data))
    else:
        deliver_to_group_bots(world, ref.group, stored.data)
    return stored


def deliver_to_group_bots(world: World, group: Group, message: JsonDict) -> None:
    for bot in world.bots.values():
        if bot_receives(bot, group, message):
            bot.updates.push("message", snapshot(message))


def send_text(
    world: World, bot: Bot, user: User, chat_id: int, text: str, reply_to: int | None = None
) -> StoredMessage:
    if not text.strip() or utf16_len(text) > MAX_TEXT:
        raise ActionError("text must be 1-4096 characters")
    ref = chat_for_user(world, bot, user, chat_id)
    return post(world, bot, user, ref, _text_fields("text", text), reply_to)


def send_file(
    world: World,
    bot: Bot,
    user: User,
    chat_id: int,
    upload: UploadedFile,
    kind: str,
    caption: str | None = None,
    reply_to: int | None = None,
    media_group_id: str | None = None,
) -> StoredMessage:
    """A user's photo (``kind="photo"``) or document, with an optional caption.

    ``media_group_id`` makes it one message of an album, as Telegram delivers albums.
    """
    if caption is not None and utf16_len(caption) > MAX_CAPTION:
        raise ActionError("caption must be at most 1024 characters")
    ref = chat_for_user(world, bot, user, chat_id)
    content: JsonDict
    try:
        if kind == "photo":
            content = {"photo": photo_sizes(store_photo(world, upload))}
        else:
            content = {"document": document(store_document(world, upload, MAX_USER_DOCUMENT_BYTES))}
    except Exception as exc:
        raise ActionError(f"cannot store {kind}: {exc}") from exc
    if caption:
        content.update(_text_fields("caption", caption))
    if media_group_id:
        content["media_group_id"] = media_group_id
    return post(world, bot, user, ref, content, reply_to)


def find_button(
    ref: ChatRef, bot: Bot, text: str, message_id: int | None
) -> tuple[StoredMessage, dict[str, Any]]:
    """The inline button labelled ``text`` on the given (or the newest) bot message."""
    if message_id is not None:
        stored = ref.log.messages.get(message_id)
        if stored is None:
            raise ActionError(f"no message {message_id} in chat {ref.id}", 404)
        candidates = [stored]
    else:
        candidates = [m for m in reversed(ref.log.messages.values()) if m.sender_id == bot.id]
    for stored in candidates:
        for row in stored.data.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == text:
                    return stored, button
    where = f"message {message_id}" if message_id is not None else "any bot message"
    raise ActionError(f"no inline button {text!r} on {where} in chat {ref.id}", 404)


def _message_with_buttons(ref: ChatRef, bot: Bot, message_id: int | None) -> StoredMessage:
    if message_id is not None:
        stored = ref.log.messages.get(message_id)
        if stored is None:
            raise ActionError(f"no message {message_id} in chat {ref.id}", 404)
        return stored
    for stored in reversed(ref.log.messages.values()):
        keyboard = stored.data.get("reply_markup", {}).get("inline_keyboard")
        if stored.sender_id == bot.id and keyboard:
            return stored
    for stored in reversed(ref.log.messages.values()):
        if stored.sender_id == bot.id:
            return stored
    raise ActionError(f"no bot message in chat {ref.id}", 404)


def press_button(
    world: World,
    bot: Bot,
    user: User,
    chat_id: int,
    text: str,
    message_id: int | None = None,
    data: str | None = None,
) -> CallbackQueryRecord:
    """Press a button; with ``data``, send that callback data instead.

    ``data`` plays a client whose keyboard is out of date (a double tap before the edit
    arrives) or a modified client that forges callback data; it is sent under
    ``message_id``, or under the newest bot message (with buttons, if any has them).
    """
    ref = chat_for_user(world, bot, user, chat_id)
    if data is None:
        stored, button = find_button(ref, bot, text, message_id)
        if "callback_data" not in button:
            raise ActionError(f"button {text!r} has no callback_data (it is {sorted(button)})")
        data = str(button["callback_data"])
    else:
        stored = _message_with_buttons(ref, bot, message_id)
        if stored.sender_id != bot.id:
            raise ActionError(f"callback data goes under a bot message, in chat {ref.id}")
    query = CallbackQueryRecord(
        id=str(secrets.randbelow(9 * 10**18) + 10**18),
        user_id=user.id,
        chat_id=ref.id,
        message_id=stored.message_id,
        data=data,
    )
    bot.callback_queries[query.id] = query
    payload = {
        "id": query.id,
        "from": user.to_api(),
        "message": snapshot(stored.data),
        "chat_instance": str(abs(hash((bot.id, ref.id))) % 10**18),
        "data": query.data,
    }
    bot.updates.push("callback_query", payload)
    world.touch()
    return query


def set_member(world: World, group: Group, person: User, status: str, actor: User) -> None:
    """Change a member's status, with the service message and my_chat_member Telegram sends."""
    old = group.members.get(person.id, "left")
    group.members[person.id] = status
    was_in, is_in = old not in ("left", "kicked"), status not in ("left", "kicked")
    ref = ChatRef(group.id, group.to_chat(), group.log, group=group)
    if person.is_bot:
        bot = world.bot_by_id(person.id)
        _push_my_chat_member(world, bot, group.to_chat(), actor, old, status)
    if not was_in and is_in:
        stored = store_message(world, ref, actor, {"new_chat_members": [person.to_api()]})
        deliver_to_group_bots(world, group, stored.data)
    elif was_in and not is_in:
        stored = store_message(world, ref, actor, {"left_chat_member": person.to_api()})
        deliver_to_group_bots(world, group, stored.data)
    world.touch()


def _push_my_chat_member(
    world: World, bot: Bot, chat: JsonDict, actor: User, old: str, new: str
) -> None:
    bot.updates.push(
        "my_chat_member",
        {
            "chat": chat,
            "from": actor.to_api(),
            "date": world.now(),
            "old_chat_member": chat_member(old, bot.user),
            "new_chat_member": chat_member(new, bot.user),
        },
    )


def block(world: World, bot: Bot, user: User, blocked: bool) -> None:
    """The user blocks (or unblocks) the bot; Telegram tells the bot via my_chat_member."""
    if blocked == (user.id in bot.blocked):
        return
    (bot.blocked.add if blocked else bot.blocked.discard)(user.id)
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    _push_my_chat_member(world, bot, user.private_chat(), user, old, new)
    world.touch()


def migrate(world: World, group: Group, actor: User) -> Group:
    """Upgrade a basic group to a supergroup, as Telegram does: a new chat with a new id,
    the same members, and the two service messages (``migrate_to_chat_id`` in the old
    chat, ``migrate_from_chat_id`` in the new one) that bots in it receive."""
    if group.kind != "group" or group.migrated_to is not None:
        raise ActionError("only a basic group that was not upgraded yet can be migrated")
    upgraded = world.create_group(group.title, group.username)
    upgraded.members = dict(group.members)
    group.migrated_to = upgraded.id
    old_ref = ChatRef(group.id, group.to_chat(), group.log, group=group)
    new_ref = ChatRef(upgraded.id, upgraded.to_chat(), upgraded.log, group=upgraded)
    stored = store_message(world, old_ref, actor, {"migrate_to_chat_id": upgraded.id})
    deliver_to_group_bots(world, group, stored.data)
    stored = store_message(world, new_ref, actor, {"migrate_from_chat_id": group.id})
    deliver_to_group_bots(world, upgraded, stored.data)
    group.members = {}  # the basic group is left behind, empty
    world.touch()
    return upgraded
