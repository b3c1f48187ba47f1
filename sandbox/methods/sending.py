"""sendMessage, sendPhoto, sendDocument and sendMediaGroup.

Why: these are where Telegram's rules bite: access (403/400), flood limits (429), HTML
parsing and length limits, reply markup rules, and file handling. Every sent message is
stored in the chat's log, where tests and the demo page read it back.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.chats import ChatRef, store_message, writable_chat
from sandbox.errors import bad_request
from sandbox.media import document, photo_sizes, store_document, store_photo
from sandbox.methods import Call, method
from sandbox.methods.markup import checked_markup, reply_fields
from sandbox.state import JsonDict
from sandbox.text import caption_text, message_text


def _open_chat(call: Call, messages: int = 1) -> ChatRef:
    """The target chat, after access checks and one flood-limit slot per message."""
    ref = writable_chat(call.world, call.bot, call.get("chat_id"))
    for _ in range(messages):
        call.world.flood.check(call.bot.id, ref.id, ref.is_group)
    return ref


def _text_content(call: Call) -> JsonDict:
    text, entities = message_text(call.get("text"), call.get("parse_mode"), call.get("entities"))
    content: JsonDict = {"text": text}
    if entities:
        content["entities"] = entities
    return content


def _caption_content(call: Call, raw: str | None = None, mode: str | None = None) -> JsonDict:
    caption, entities = caption_text(
        raw if raw is not None else call.get("caption"),
        mode if mode is not None else call.get("parse_mode"),
        call.get("caption_entities") if raw is None else None,
    )
    content: JsonDict = {}
    if caption:
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    return content


def _send(call: Call, ref: ChatRef, content: JsonDict) -> JsonDict:
    markup = checked_markup(call)
    content = {**content, **reply_fields(call, ref)}
    if call.get("protect_content"):
        content["has_protected_content"] = True
    # Telegram's Message carries only inline keyboards; ForceReply and reply keyboards act
    # on the client and are not echoed back. store_message keeps them aside for tests.
    return store_message(call.world, ref, call.bot.user, content, markup).data


@method("sendMessage")
async def send_message(call: Call) -> JsonDict:
    content = _text_content(call)
    return _send(call, _open_chat(call), content)


@method("sendPhoto")
async def send_photo(call: Call) -> JsonDict:
    content = _caption_content(call)
    ref = _open_chat(call)
    stored = store_photo(call.world, call.get("photo"))
    return _send(call, ref, {"photo": photo_sizes(stored), **content})


@method("sendDocument")
async def send_document(call: Call) -> JsonDict:
    content = _caption_content(call)
    ref = _open_chat(call)
    stored = store_document(call.world, call.get("document"))
    return _send(call, ref, {"document": document(stored), **content})


@method("sendMediaGroup")
async def send_media_group(call: Call) -> list[JsonDict]:
    media: list[dict[str, Any]] = call.get("media")
    if not 2 <= len(media) <= 10:
        raise bad_request("media group must contain 2-10 items")
    kinds = {item["type"] for item in media}
    if len(kinds) > 1 and kinds & {"document", "audio"}:
        raise bad_request("documents and audio can't be mixed with other media types")
    contents = [_media_content(call, item) for item in media]
    ref = _open_chat(call, messages=len(media))
    group_id = str(secrets.randbelow(10**17) + 10**17)
    sent = [_send(call, ref, {**content, "media_group_id": group_id}) for content in contents]
    return sent


def _media_content(call: Call, item: dict[str, Any]) -> JsonDict:
    if item["type"] not in ("photo", "document"):
        raise bad_request(f"media type {item['type']!r} is not supported by the lihui sandbox")
    value: Any = item["media"]
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in call.files:
            raise bad_request(f"file attach://{name} not found in the request")
        value = call.files[name]
    content = _caption_content(call, item.get("caption", ""), item.get("parse_mode"))
    if item["type"] == "photo":
        return {"photo": photo_sizes(store_photo(call.world, value)), **content}
    return {"document": document(store_document(call.world, value)), **content}
