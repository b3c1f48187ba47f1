"""Checks on reply markup and reply targets shared by the sending and editing methods.

Why: the schema already checks the shape of ``reply_markup``; Telegram adds rules the
schema cannot express (callback_data is 1-64 bytes; an inline button has exactly one
action), and resolves ``reply_parameters`` / ``reply_to_message_id`` into the
``reply_to_message`` that the bot later reads back from the user's reply.
"""

from __future__ import annotations

from typing import Any

from sandbox.chats import ChatRef, reply_snapshot
from sandbox.errors import bad_request
from sandbox.methods import Call

MAX_CALLBACK_DATA_BYTES = 64
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip


def checked_markup(call: Call) -> dict[str, Any] | None:
    markup = call.get("reply_markup")
    if markup is None:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            _check_inline_button(button)
    return markup


def _check_inline_button(button: dict[str, Any]) -> None:
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if len(actions) != 1:
        raise bad_request("can't parse inline keyboard button: exactly one action expected")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def reply_fields(call: Call, ref: ChatRef) -> dict[str, Any]:
    """``{"reply_to_message": ...}`` for the message being replied to, if any."""
    target_id = call.get("reply_to_message_id")
    allow_missing = bool(call.get("allow_sending_without_reply"))
    parameters = call.get("reply_parameters")
    if parameters is not None:
        target_id = parameters["message_id"]
        allow_missing = bool(parameters.get("allow_sending_without_reply"))
        if parameters.get("chat_id") not in (None, ref.id):
            raise bad_request("replying to messages in other chats is not supported")
    if target_id is None:
        return {}
    target = ref.log.messages.get(int(target_id))
    if target is None:
        if allow_missing:
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": reply_snapshot(target)}
