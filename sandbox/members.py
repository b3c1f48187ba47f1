"""ChatMember objects built from the schema's subtypes.

Why: ChatMemberAdministrator and friends gain required flags with each Bot API release;
building them from the committed schema keeps every status (creator, administrator,
member, restricted, left, kicked) valid without hand-copying the flags.
"""

from __future__ import annotations

from sandbox.schema import load_schema, skeleton
from sandbox.state import JsonDict, User

MEMBER_TYPES = {
    "creator": "ChatMemberOwner",
    "administrator": "ChatMemberAdministrator",
    "member": "ChatMemberMember",
    "restricted": "ChatMemberRestricted",
    "left": "ChatMemberLeft",
    "kicked": "ChatMemberBanned",
}


def chat_member(status: str, user: User) -> JsonDict:
    """A ChatMember; an administrator gets every right except being edited."""
    member = skeleton(load_schema(), MEMBER_TYPES[status])
    member.update(status=status, user=user.to_api())
    for name in member:
        if name.startswith("can_") and status in ("administrator", "restricted"):
            member[name] = name != "can_be_edited"
    if status == "restricted":
        member["is_member"] = True
    return member
