"""Which pasted items speak of an open problem or decision of the group.

A contact who pastes "招聘会场地仍然不足" while "招聘会场地不足" is open has not raised a new
problem: it is the old one, still there. Two texts are taken for the same matter when they
share most of their two-character words (the usual way to compare short Chinese texts,
which have no spaces to split words at): the Dice coefficient of their bigrams, or the share
of the open item's bigrams found in the pasted one. Each open item is matched at most once,
to the item closest to it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SAME_DICE = 0.5
SAME_COVER = 0.7
MIN_BIGRAMS = 3
PUNCTUATION = re.compile(r"[\W_]+")
DONE_WORDS = re.compile(
    r"已(经)?(完成|办结|落实|解决|到位|销号)|已全部|resolved|completed|done", re.I
)


@dataclass(frozen=True)
class OpenItem:
    kind: str  # "problem" | "decision"
    id: int
    text: str


def _bigrams(text: str) -> set[str]:
    text = PUNCTUATION.sub("", unicodedata.normalize("NFKC", text).lower())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def likeness(pasted: str, open_text: str) -> float:
    """How surely ``pasted`` speaks of ``open_text``: 0 (unrelated) to 1 (the same)."""
    a, b = _bigrams(pasted), _bigrams(open_text)
    if len(a) < MIN_BIGRAMS or len(b) < MIN_BIGRAMS:
        return 1.0 if a and a == b else 0.0
    common = len(a & b)
    dice = 2 * common / (len(a) + len(b))
    cover = common / len(b)
    return max(dice / SAME_DICE, cover / SAME_COVER) / 2


def is_same(pasted: str, open_text: str) -> bool:
    return likeness(pasted, open_text) >= 0.5


def match(items: list[str], open_items: list[OpenItem]) -> dict[int, OpenItem]:
    """Item index → the open item it follows up; the best pairs first, each used once."""
    pairs = sorted(
        (
            (likeness(text, item.text), index, position)
            for index, text in enumerate(items)
            for position, item in enumerate(open_items)
        ),
        reverse=True,
    )
    taken_items: set[int] = set()
    taken_open: set[int] = set()
    result: dict[int, OpenItem] = {}
    for score, index, position in pairs:
        if score < 0.5 or index in taken_items or position in taken_open:
            continue
        result[index] = open_items[position]
        taken_items.add(index)
        taken_open.add(position)
    return result


def says_done(text: str) -> bool:
    """Whether an item reports the matter as finished ("已完成", "已落实")."""
    return DONE_WORDS.search(text) is not None
