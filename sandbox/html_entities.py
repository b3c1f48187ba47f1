"""Telegram's ``parse_mode=HTML``: turn marked-up text into plain text plus entities.

Why: the bot formats its messages with HTML, and Telegram refuses malformed markup with
``400 Bad Request: can't parse entities: ...``. The sandbox follows the rules of TDLib's
``parse_html`` (the parser behind the real server) closely, including its error wording and
its byte offsets, so that a message that passes here passes on Telegram and vice versa.
Entity offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import BotApiError, bad_request

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
ENTITY_TYPE_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|([a-zA-Z]{2,4}));")
_NAME_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def parse_error(detail: str) -> BotApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_offset: int  # index into the result text, to read the tag's inner text
    expandable: bool = False


@dataclass
class _Parser:
    source: str
    out: list[str] = field(default_factory=list)
    out_utf16: int = 0
    pos: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def char(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_utf16 += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.source):
            ch = self.source[self.pos]
            if ch == "&":
                self.read_entity()
            elif ch == "<":
                if self.char(self.pos + 1) == "/":
                    self.read_end_tag()
                else:
                    self.read_start_tag()
            else:
                self.emit(ch)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise parse_error(f'Can\'t find end tag corresponding to start tag "{name}"')
        return "".join(self.out), _sorted(self.entities)

    def read_entity(self) -> None:
        decoded, length = decode_entity(self.source, self.pos)
        self.emit(decoded)
        self.pos += length

    def read_start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self.char(i) and not _is_space(self.char(i)) and self.char(i) != ">":
            i += 1
        if not self.char(i):
            raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.source[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise parse_error(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        argument, expandable, i = self.read_attributes(tag, begin, i)
        if tag == "span" and argument != "spoiler":
            raise parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(tag, argument, self.out_utf16, len("".join(self.out))))
        self.stack[-1].expandable = expandable
        self.pos = i + 1

    def read_attributes(self, tag: str, begin: int, i: int) -> tuple[str, bool, int]:
        """Read ``name=value`` pairs up to ``>``; returns (argument, expandable, index of >)."""
        argument = ""
        expandable = False
        while self.char(i) != ">":
            while _is_space(self.char(i)):
                i += 1
            if self.char(i) == ">":
                break
            if not self.char(i):
                raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            name_begin = i
            while self.char(i) and not _is_space(self.char(i)) and self.char(i) not in "=>":
                i += 1
            name = self.source[name_begin:i]
            if not name:
                raise parse_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            while _is_space(self.char(i)):
                i += 1
            if self.char(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    continue
                raise parse_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while _is_space(self.char(i)):
                i += 1
            value, i = self.read_attribute_value(begin, i)
            argument, expandable = _apply_attribute(tag, name, value, argument, expandable)
        return argument, expandable, i

    def read_attribute_value(self, begin: int, i: int) -> tuple[str, int]:
        if not self.char(i):
            raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        quote = self.char(i)
        if quote not in "'\"":
            token_begin = i
            while self.char(i) and self.char(i) in _NAME_TOKEN_CHARS:
                i += 1
            if self.char(i) and not _is_space(self.char(i)) and self.char(i) != ">":
                raise parse_error(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}"
                )
            if not self.char(i):
                raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            return self.source[token_begin:i].lower(), i
        i += 1
        value: list[str] = []
        while self.char(i) and self.char(i) != quote:
            if self.char(i) == "&":
                decoded, length = decode_entity(self.source, i)
                value.append(decoded)
                i += length
            else:
                value.append(self.char(i))
                i += 1
        if self.char(i) == quote:
            i += 1
        if not self.char(i):
            raise parse_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        return "".join(value), i

    def read_end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise parse_error(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.char(i) and not _is_space(self.char(i)) and self.char(i) != ">":
            i += 1
        end_name = self.source[begin + 2 : i].lower()
        while _is_space(self.char(i)):
            i += 1
        if self.char(i) != ">":
            raise parse_error(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        open_tag = self.stack.pop()
        if end_name and end_name != open_tag.name:
            raise parse_error(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{open_tag.name}>", found "</{end_name}>"'
            )
        self.close(open_tag)
        self.pos = i + 1

    def close(self, tag: _OpenTag) -> None:
        length = self.out_utf16 - tag.utf16_offset
        if length <= 0:
            return
        inner = "".join(self.out)[tag.text_offset :]
        entity = _entity_for(tag, length, inner)
        if entity is None:
            return
        if tag.name == "pre" and self.entities:
            last = self.entities[-1]
            same_span = last["offset"] == tag.utf16_offset and last["length"] == length
            if last["type"] == "code" and same_span and "language" in last:
                self.entities.pop()
                entity["language"] = last["language"]
        self.entities.append(entity)


def _apply_attribute(
    tag: str, name: str, value: str, argument: str, expandable: bool
) -> tuple[str, bool]:
    if tag == "a" and name == "href":
        return value, expandable
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :], expandable
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :], expandable
    if tag == "tg-emoji" and name == "emoji-id":
        return value, expandable
    if tag == "blockquote" and name == "expandable":
        return argument, True
    return argument, expandable


def _entity_for(tag: _OpenTag, length: int, inner: str) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": tag.utf16_offset, "length": length}
    if tag.name in ENTITY_TYPE_OF_TAG:
        entity["type"] = ENTITY_TYPE_OF_TAG[tag.name]
        if tag.name == "code" and tag.argument:
            entity["language"] = tag.argument  # kept only when wrapped in <pre>
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.expandable else "blockquote"
    elif tag.name == "a":
        url = _normalize_url(tag.argument or inner)
        if url is None:
            return None
        entity.update(type="text_link", url=url)
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit():
            raise parse_error("Custom emoji entity must contain a tg://emoji URL")
        entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
    return entity


def _normalize_url(url: str) -> str | None:
    """A link target as Telegram keeps it, or None when the text is not a usable URL."""
    url = url.strip()
    if not url or any(_is_space(ch) for ch in url):
        return None
    if re.match(r"^(https?|tg|ton)://", url, re.IGNORECASE):
        return url
    if re.match(r"^[\w.-]+\.[a-zA-Z]{2,}(/.*)?$", url):
        return f"http://{url}"
    return None


def decode_entity(source: str, index: int) -> tuple[str, int]:
    """The character an HTML entity at ``index`` stands for, and how many chars it spans.

    Unknown entities are kept literally, as TDLib does (a bare ``&`` is just an ampersand).
    """
    match = _ENTITY_RE.match(source, index)
    if match is None:
        return "&", 1
    hex_code, dec_code, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            return "&", 1
        return _NAMED_ENTITIES[name], match.end() - index
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "&", 1
    return chr(code), match.end() - index


def _is_space(ch: str) -> bool:
    """TDLib's notion of a space inside tags: ASCII whitespace only."""
    return ch != "" and ch in " \t\r\n\v\f"


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language survives only inside <pre>
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and MessageEntity dicts for ``source``; raises 400 on malformed markup."""
    return _Parser(source).run()


def escape(text: str) -> str:
    """Escape text for ``parse_mode=HTML`` (what a well-behaved bot does)."""
    return html.escape(text, quote=False)
