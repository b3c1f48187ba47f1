"""Parsers for what contacts type: free text, numbers and percentages.

People type numbers the way they write them in documents: full-width digits from a
Chinese input method ("５００"), thousands separators ("1,200", "1，200"), a unit after the
number ("500人次"), or a Chinese multiplier ("1.5万"). All of those are accepted; anything
that is not clearly one number ("很多", "300-500", "约500") is refused with a reason,
because a wrong guess would end up in the bulletin's totals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MULTIPLIERS = {"万": 10_000, "亿": 100_000_000, "千": 1_000, "百": 100}
# Zero-width and bidi controls, which render as nothing but would make text look non-empty.
INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters and symbols that render as blank: the Hangul fillers, the blank Braille pattern,
# Khmer's inherent vowels, the Mongolian vowel separator. A "message" of these is the usual
# trick for sending something that looks empty.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")
# Unicode categories that show nothing by themselves: separators, controls and formats,
# and combining marks with no base to sit on.
BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"})
NUMBER = re.compile(
    r"""^
    (?P<digits>\d{1,3}(?:,\d{3})+|\d+)   # 1200 or 1,200
    (?:\.(?P<fraction>\d+))?
    \s*(?P<multiplier>[万亿千百])?
    \s*(?P<unit>[^\d\s.,+\-]{0,8})        # 人次, 场, 个, % ...
    $""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class InputError(ValueError):
    """A refusal with a catalog key, so the handler can explain it in the person's language."""

    key: str
    params: dict[str, object]

    def __str__(self) -> str:
        return f"{self.key} {self.params}"


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), invisible characters removed, ends trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = INVISIBLE.sub("", text)
    return text.strip()


def is_blank(char: str) -> bool:
    """Whether ``char`` shows nothing on its own (whitespace, filler, format, lone mark)."""
    return char in FILLERS or char.isspace() or unicodedata.category(char) in BLANK_CATEGORIES


def has_visible(text: str) -> bool:
    return not all(is_blank(char) for char in text)


def _trim_blank(line: str) -> str:
    start, end = 0, len(line)
    while start < end and is_blank(line[start]):
        start += 1
    while end > start and is_blank(line[end - 1]):
        end -= 1
    return line[start:end]


def clean_text(text: str | None, *, limit: int) -> str:
    """A free-text answer: something visible, at most ``limit`` characters.

    The text keeps its own characters (NFC, not NFKC: a person's full-width punctuation is
    theirs); only control and invisible characters are removed, line ends unified, and blank
    characters trimmed from the ends. A text with nothing a reader would see is empty.
    """
    if text is None:
        raise InputError("input.empty", {})
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL.sub("", INVISIBLE.sub("", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _trim_blank(text) if has_visible(text) else ""
    if not text:
        raise InputError("input.empty", {})
    if len(text) > limit:
        raise InputError("input.too_long", {"limit": limit, "length": len(text)})
    return text


def parse_number(text: str | None, *, maximum: float = 1e12) -> float:
    """A non-negative number as people type it; see the module docstring."""
    raw = normalize(text or "").replace("，", ",").replace(" ", "")
    match = NUMBER.match(raw)
    if not raw or match is None:
        raise InputError("input.not_a_number", {"text": (text or "").strip()[:40]})
    digits = match["digits"].replace(",", "")
    value = float(f"{digits}.{match['fraction'] or '0'}")
    value *= MULTIPLIERS.get(match["multiplier"] or "", 1)
    if value > maximum:
        raise InputError("input.number_too_large", {"maximum": f"{maximum:,.0f}"})
    return value


def parse_percent(text: str | None) -> int:
    """A whole percentage 0–100 ("80", "80%", "８０％"); decimals are rounded."""
    raw = normalize(text or "").replace(" ", "")
    if raw.endswith("%"):
        raw = raw[:-1]
    if not re.fullmatch(r"\d{1,3}(?:\.\d+)?", raw):
        raise InputError("input.not_a_percent", {"text": (text or "").strip()[:40]})
    value = round(float(raw))
    if not 0 <= value <= 100:
        raise InputError("input.not_a_percent", {"text": (text or "").strip()[:40]})
    return value


def format_number(value: float) -> str:
    """500 → "500", 1200 → "1,200", 1.5 → "1.5": the way the bulletin prints numbers."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
