"""Message filters that need the bot's own username, known only once it has started."""

from __future__ import annotations

from telegram import Message
from telegram.ext.filters import MessageFilter


class _AddressedToMe(MessageFilter):
    """A group command written as ``/cmd@thisbot``: a bare ``/cmd`` may be for another bot."""

    def filter(self, message: Message) -> bool:
        text = message.text or ""
        head = text.split(maxsplit=1)[0] if text else ""
        return "@" in head and head.split("@", 1)[1].lower() == message.get_bot().username.lower()


class _ReplyToMe(MessageFilter):
    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


ADDRESSED_TO_ME = _AddressedToMe(name="ADDRESSED_TO_ME")
REPLY_TO_ME = _ReplyToMe(name="REPLY_TO_ME")
