"""Message text as Telegram stores it: trimmed, measured in UTF-16, with entities.

Why: limits (4096 for text, 1024 for captions) are counted after entity parsing and in
UTF-16 code units, and Telegram detects commands, mentions and links in what users type, so
the bot's handlers (``CommandHandler`` reads the ``bot_command`` entity) see real messages.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.html_entities import parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
_WHITESPACE = " \t\r\n\v\f\u00a0\u2028\u2029\u3000"
_DETECTORS = (
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
    ("url", re.compile(r"(?<![\w/])https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
)


def utf16_offset(text: str, index: int) -> int:
    return utf16_len(text[:index])


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram finds by itself in plain text: commands, mentions, hashtags, URLs."""
    found: list[dict[str, Any]] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start = utf16_offset(text, match.start())
            found.append({"type": kind, "offset": start, "length": utf16_len(match.group())})
    return sorted(found, key=lambda e: (e["offset"], -e["length"]))


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace as Telegram does, keeping entities aligned and non-empty."""
    stripped = text.strip(_WHITESPACE)
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip(_WHITESPACE))])
    end = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept


def formatted(
    raw: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode`` (or explicit ``entities``) and trim; raises 400 when refused."""
    if parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            text, parsed = parse_html(raw)
        elif mode in ("markdown", "markdownv2"):
            raise bad_request(
                f"can't parse entities: parse_mode {parse_mode} is not supported by the lihui "
                "sandbox; use HTML"
            )
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    else:
        text, parsed = raw, list(entities or [])
    return trim(text, parsed)


def message_text(
    raw: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]]]:
    text, parsed = formatted(raw, parse_mode, entities)
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, parsed


def caption_text(
    raw: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str | None, list[dict[str, Any]]]:
    if raw is None:
        return None, []
    text, parsed = formatted(raw, parse_mode, entities)
    if utf16_len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return (text or None), parsed
