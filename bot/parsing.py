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


def clean_text(text: str | None, *, limit: int) -> str:
    """A free-text answer: non-empty after trimming, at most ``limit`` characters.

    The text keeps its own characters (NFC, not NFKC: a person's full-width punctuation is
    theirs); only control and invisible characters are removed, and line ends unified.
    """
    if text is None:
        raise InputError("input.empty", {})
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL.sub("", INVISIBLE.sub("", text))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip().strip("\u3000").strip()
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
