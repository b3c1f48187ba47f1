"""What the core asks to be said, without any Telegram object.

The core answers with :class:`Reply` values; the handlers' one sender turns them into Bot
API calls. Texts are HTML (Telegram's ``parse_mode=HTML``): catalog templates may carry
tags, and anything a person typed is escaped by :func:`say` before it is put in.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from bot.i18n import translate


@dataclass(frozen=True)
class Button:
    """An inline button: ``data`` for a callback, or ``url`` for a link (deep links)."""

    label: str
    data: str | None = None
    url: str | None = None


Keyboard = list[list[Button]]


@dataclass(frozen=True)
class Reply:
    """A message to send.

    ``chat_id`` None means "the chat the update came from". ``ask`` marks a question that
    wants typed text: it is sent with a force-reply prompt so the client opens the keyboard.
    ``edit_message_id`` edits an earlier message instead of sending a new one.
    """

    text: str
    buttons: Keyboard = field(default_factory=list)
    chat_id: int | None = None
    ask: bool = False
    placeholder: str | None = None
    edit_message_id: int | None = None
    photo_file_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallbackAnswer:
    """The short toast shown after a button press (answerCallbackQuery)."""

    text: str = ""
    alert: bool = False


class Html(str):
    """Text that is already HTML (a fragment the core built from escaped parts)."""


def escape(text: object) -> str:
    """Escape a person's text for HTML parse mode (``<``, ``>``, ``&``; quotes are kept)."""
    if isinstance(text, Html):
        return text
    return html.escape(str(text), quote=False)


def say(locale: str, key: str, /, **params: object) -> str:
    """A catalog message with every parameter HTML-escaped: the safe default for replies."""
    return translate(locale, key, **{name: escape(value) for name, value in params.items()})


TELEGRAM_TEXT_LIMIT = 4096


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _safe_cut(text: str, limit: int) -> int:
    """The longest prefix within ``limit`` UTF-16 units that ends outside a tag or entity."""
    cut = used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
        cut = index + 1
    # step back out of an unfinished ``<tag`` or ``&entity``
    opener = max(text.rfind("<", 0, cut), text.rfind("&", 0, cut))
    closer = max(text.rfind(">", 0, cut), text.rfind(";", 0, cut))
    return opener if opener > closer else cut


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split a long HTML message into parts Telegram accepts, at line breaks where possible.

    Lengths are measured on the HTML source, which is never shorter than the text Telegram
    counts, so every part fits. Replies keep tags within one line, so cutting between lines
    never splits a tag pair; a single overlong line (a person's long text) is cut outside
    any tag or entity.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if _utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while _utf16_len(line) > limit:
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        parts.append(current)
    return parts or [text[:limit]]
