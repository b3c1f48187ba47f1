"""What the core asks to be said, without any Telegram object.

The core answers with :class:`Reply` values; the handlers' one sender turns them into Bot
API calls. Texts are HTML (Telegram's ``parse_mode=HTML``): catalog templates may carry
tags, and anything a person typed is escaped by :func:`say` before it is put in.
"""

from __future__ import annotations

import html
import re
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
class Attachment:
    """A file to send: a chart as a ``photo``, or a Word or Excel ``document``.

    Files are bytes the core rendered; the sender uploads them. The reply's text becomes
    the file's caption when it fits Telegram's caption limit, else it follows the file.
    """

    filename: str
    data: bytes
    kind: str = "document"  # "photo" | "document"


@dataclass(frozen=True)
class Reply:
    """A message to send.

    ``chat_id`` None means "the chat the update came from". ``ask`` marks a question that
    wants typed text: it is sent with a force-reply prompt so the client opens the keyboard.
    ``edit_message_id`` edits an earlier message instead of sending a new one.
    ``prompt_version`` marks the report dialog's current question (at that dialog version):
    once sent, its message id is remembered, so a reply to an older prompt is recognised.
    """

    text: str
    buttons: Keyboard = field(default_factory=list)
    chat_id: int | None = None
    ask: bool = False
    placeholder: str | None = None
    edit_message_id: int | None = None
    photo_file_ids: tuple[str, ...] = ()
    attachment: Attachment | None = None
    prompt_version: int | None = None


@dataclass
class Answer:
    """What the core wants said after a turn: replies, and the toast for a pressed button.

    Every command and dialog of the core returns one; :meth:`handlers.turn.Turn.take` queues
    it to be sent once the turn's transaction has committed.
    """

    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None


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
TELEGRAM_CAPTION_LIMIT = 1024


def _tokens(text: str) -> list[tuple[str, int]]:
    """The text as (piece, visible length) pairs: a tag shows nothing, an entity one char.

    Telegram counts a message's length after parsing the HTML, in UTF-16 code units.
    """
    tokens: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        end = index + 1
        if char == "<" and (close := text.find(">", index)) != -1:
            end = close + 1
            width = 0
        elif char == "&" and (close := text.find(";", index, index + 10)) != -1:
            end = close + 1
            width = 1
        else:
            width = 2 if ord(char) > 0xFFFF else 1
        tokens.append((text[index:end], width))
        index = end
    return tokens


# What _tokens reads as one tag or one entity: the first ">" after a "<", the first ";"
# within the nine characters after an "&".
_MARKUP = re.compile(r"<[^>]*>|&[^;]{0,8};")


def visible_length(text: str) -> int:
    """The length Telegram counts (as :func:`_tokens` does it, without a Python loop per
    character: a long report is measured line by line, for every message)."""
    plain = _MARKUP.sub(lambda found: "&" if found[0][0] == "&" else "", text)
    return len(plain.encode("utf-16-le", "surrogatepass")) // 2


def _cut_long_line(line: str, limit: int) -> list[str]:
    """Cut one overlong line into pieces of at most ``limit``, never inside a tag or entity."""
    pieces: list[str] = []
    current, used = "", 0
    for piece, width in _tokens(line):
        if used + width > limit:
            pieces.append(current)
            current, used = "", 0
        current += piece
        used += width
    if current:
        pieces.append(current)
    return pieces


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split a long HTML message into parts Telegram accepts, at line breaks where possible.

    Lengths are counted as Telegram counts them (visible text, UTF-16). Replies keep tags
    within one line, so cutting between lines never splits a tag pair; a single overlong
    line (a person's long text) is cut outside any tag or entity.
    """
    parts: list[str] = []
    current, used = "", 0
    for line in text.split("\n"):
        width = visible_length(line)
        if current and used + 1 + width <= limit:
            current, used = f"{current}\n{line}", used + 1 + width
            continue
        if current:
            parts.append(current)
        if width > limit:
            *full, line = _cut_long_line(line, limit)
            parts.extend(full)
            width = visible_length(line)
        current, used = line, width
    if current.strip():
        parts.append(current)
    return parts or [text]
