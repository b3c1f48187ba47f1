"""Which group messages a bot receives (Telegram's privacy mode).

Why: with privacy mode on (the default), a bot in a group sees only commands meant for it,
replies to its own messages and service messages; group chatter never reaches it. The
bot's group handlers must work under exactly that view, so the sandbox filters the same way.
"""

from __future__ import annotations

from typing import Any

from sandbox.state import Bot, Group

SERVICE_FIELDS = frozenset(
    {
        "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
        "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
        "migrate_to_chat_id", "migrate_from_chat_id", "pinned_message",
    }
)  # fmt: skip


def bot_receives(bot: Bot, group: Group, message: dict[str, Any]) -> bool:
    if not group.is_member(bot.id):
        return False
    if not bot.privacy_mode or group.members.get(bot.id) in ("administrator", "creator"):
        return True  # administrators see everything, as on Telegram
    if SERVICE_FIELDS & message.keys():
        return True
    replied = message.get("reply_to_message")
    if replied is not None and replied.get("from", {}).get("id") == bot.id:
        return True
    return _is_command_for(bot, message)


def _is_command_for(bot: Bot, message: dict[str, Any]) -> bool:
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities") or []
    first = next((e for e in entities if e["offset"] == 0 and e["type"] == "bot_command"), None)
    if first is None:
        return False
    command = text[: first["length"]]  # a command is ASCII, so UTF-16 length == str length
    _, _, addressee = command.partition("@")
    return not addressee or addressee.lower() == (bot.user.username or "").lower()
