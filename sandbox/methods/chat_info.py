"""getChat, getChatMember, getChatAdministrators and getChatMemberCount.

Why: the bot checks who is an administrator of the office group before honouring admin
commands; statuses come out as the schema's ChatMember subtypes (creator, administrator,
member, restricted, left, kicked) with every flag Telegram's current release requires.
"""

from __future__ import annotations

from typing import Any

from sandbox.chats import find_chat
from sandbox.errors import bad_request
from sandbox.members import chat_member
from sandbox.methods import Call, method
from sandbox.schema import skeleton
from sandbox.state import JsonDict


@method("getChat")
async def get_chat(call: Call) -> JsonDict:
    ref = find_chat(call.world, call.bot, call.get("chat_id"))
    info: dict[str, Any] = skeleton(call.schema, "ChatFullInfo")
    info.update(ref.chat)
    info["max_reaction_count"] = 11
    return info


@method("getChatMember")
async def get_chat_member(call: Call) -> JsonDict:
    ref = find_chat(call.world, call.bot, call.get("chat_id"))
    user = call.world.person(int(call.get("user_id")))
    if user is None:
        raise bad_request("user not found")
    if ref.group is None:
        status = "member" if user.id in (ref.id, call.bot.id) else "left"
    else:
        status = ref.group.members.get(user.id, "left")
    return chat_member(status, user)


@method("getChatAdministrators")
async def get_chat_administrators(call: Call) -> list[JsonDict]:
    ref = find_chat(call.world, call.bot, call.get("chat_id"))
    if ref.group is None:
        raise bad_request("there are no administrators in the private chat")
    admins: list[JsonDict] = []
    for user_id, status in ref.group.members.items():
        person = call.world.person(user_id)
        if status in ("creator", "administrator") and person is not None:
            admins.append(chat_member(status, person))
    return admins


@method("getChatMemberCount")
async def get_chat_member_count(call: Call) -> int:
    ref = find_chat(call.world, call.bot, call.get("chat_id"))
    if ref.group is None:
        return 2
    return sum(1 for user_id in ref.group.members if ref.group.is_member(user_id))
