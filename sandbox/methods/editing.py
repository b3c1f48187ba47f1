"""editMessageText, editMessageCaption, editMessageReplyMarkup and deleteMessage.

Why: the bot edits its prompts in place (a pressed button's keyboard disappears, a status
line changes) and Telegram is strict about it: identical content is 400 "message is not
modified", an unknown message is "message to edit not found", and an edit that omits
``reply_markup`` removes the keyboard. Each edit bumps the stored message's version and
sets ``edit_date`` so tests can wait for it.
"""

from __future__ import annotations

from typing import Any

from sandbox.chats import ChatRef, find_chat
from sandbox.errors import bad_request
from sandbox.methods import Call, method
from sandbox.methods.markup import checked_markup
from sandbox.state import JsonDict, StoredMessage
from sandbox.text import caption_text, message_text

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _own_message(call: Call) -> tuple[ChatRef, StoredMessage]:
    if call.get("inline_message_id") is not None:
        raise bad_request("inline messages are not supported by the lihui sandbox")
    if call.get("chat_id") is None or call.get("message_id") is None:
        raise bad_request("chat_id and message_id are required when inline_message_id is absent")
    ref = find_chat(call.world, call.bot, call.get("chat_id"))
    stored = ref.log.messages.get(int(call.get("message_id")))
    if stored is None:
        raise bad_request("message to edit not found")
    if stored.sender_id != call.bot.id:
        raise bad_request("message can't be edited")
    return ref, stored


def _apply(call: Call, stored: StoredMessage, changes: dict[str, Any]) -> JsonDict:
    """Replace the given fields (None removes one); refuse an edit that changes nothing."""
    updated = dict(stored.data)
    for key, value in changes.items():
        if value is None or value == []:
            updated.pop(key, None)
        else:
            updated[key] = value
    updated.pop("edit_date", None)
    current = {k: v for k, v in stored.data.items() if k != "edit_date"}
    if updated == current:
        raise bad_request(NOT_MODIFIED)
    updated["edit_date"] = call.world.now()
    stored.data = updated
    stored.markup = updated.get("reply_markup")
    stored.version += 1
    call.world.touch()
    return updated


@method("editMessageText")
async def edit_message_text(call: Call) -> JsonDict:
    _, stored = _own_message(call)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call.get("text"), call.get("parse_mode"), call.get("entities"))
    changes = {"text": text, "entities": entities, "reply_markup": checked_markup(call)}
    return _apply(call, stored, changes)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> JsonDict:
    _, stored = _own_message(call)
    if "text" in stored.data:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = caption_text(
        call.get("caption", ""), call.get("parse_mode"), call.get("caption_entities")
    )
    changes = {
        "caption": caption,
        "caption_entities": entities,
        "reply_markup": checked_markup(call),
    }
    return _apply(call, stored, changes)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> JsonDict:
    _, stored = _own_message(call)
    return _apply(call, stored, {"reply_markup": checked_markup(call)})


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    ref = find_chat(call.world, call.bot, call.get("chat_id"))
    stored = ref.log.messages.get(int(call.get("message_id")))
    if stored is None:
        raise bad_request("message to delete not found")
    is_admin = ref.group is not None and ref.group.members.get(call.bot.id) in (
        "administrator",
        "creator",
    )
    if ref.group is not None and stored.sender_id != call.bot.id and not is_admin:
        raise bad_request("message can't be deleted")
    del ref.log.messages[stored.message_id]
    call.world.touch()
    return True
