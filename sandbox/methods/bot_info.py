"""getMe, the command menu, chat actions, close and logOut."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.chats import writable_chat
from sandbox.errors import bad_request
from sandbox.methods import Call, method

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@method("getMe")
async def get_me(call: Call) -> dict[str, Any]:
    return {
        **call.bot.user.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not call.bot.privacy_mode,
        "supports_inline_queries": False,
    }


def commands_key(scope: dict[str, Any] | None, language_code: str | None) -> str:
    return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands: list[dict[str, Any]] = call.get("commands")
    if len(commands) > 100:
        raise bad_request("too many commands")
    for command in commands:
        if not _COMMAND_RE.match(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"]) <= 256:
            raise bad_request("command description must be 1-256 characters")
    key = commands_key(call.get("scope"), call.get("language_code"))
    call.bot.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    call.world.touch()
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[dict[str, Any]]:
    return call.bot.commands.get(commands_key(call.get("scope"), call.get("language_code")), [])


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(commands_key(call.get("scope"), call.get("language_code")), None)
    call.world.touch()
    return True


CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    if call.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    writable_chat(call.world, call.bot, call.get("chat_id"))
    return True


@method("close")
async def close(call: Call) -> bool:
    return True


@method("logOut")
async def log_out(call: Call) -> bool:
    return True
