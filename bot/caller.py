"""Who acts, from which chat, in which language, and when: what every command of the core
needs from a turn (:meth:`handlers.turn.Turn.caller` builds it), without Telegram objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translate
from bot.replies import say
from storage.models import Person


@dataclass(frozen=True)
class Caller:
    session: AsyncSession  # the update's unit of work
    person: Person
    locale: str
    now: datetime
    chat_id: int
    private: bool
    # The bot's @username, for the links a command makes (/invite); known to every turn, so
    # a command run again by an office button (bot.access.office) can make them too.
    bot_username: str = ""

    def say(self, key: str, /, **params: object) -> str:
        """A catalog message with its parameters HTML-escaped (for replies)."""
        return say(self.locale, key, **params)

    def label(self, key: str, /, **params: object) -> str:
        """A catalog message as plain text (for buttons)."""
        return translate(self.locale, key, **params)
