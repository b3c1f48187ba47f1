"""Finding the group's indicator values inside the sentences of a pasted report.

"服务群众500人次，走访37户，发放补贴1.5万元": each figure is a number, perhaps with a
multiplier (万), followed by a unit. An indicator is recognised by its unit, and by its name
when the unit alone does not tell (two indicators share "个", or a unit appears twice). A
figure is never guessed: an indicator whose unit and name point at two different numbers is
left for the contact to choose, since a wrong guess would end up in the bulletin's totals.
The numbers themselves are read by the dialog's own parser (:func:`bot.parsing.parse_number`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.parsing import InputError, parse_number

FIGURE = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*([万亿千])?\s*")
# Where the words naming a figure stop: the previous clause's end.
CLAUSE_END = re.compile(r"[，,。；;：:、\n（）()]")


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    name: str
    unit: str


@dataclass(frozen=True)
class Figure:
    value: float
    raw: str  # "1.5万元", as written (after NFKC)
    context: str  # the words before it in its clause


@dataclass
class Found:
    values: dict[int, Figure] = field(default_factory=dict)  # indicator id → the one figure
    ambiguous: dict[int, list[Figure]] = field(default_factory=dict)  # id → distinct figures


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _names_it(name: str, context: str) -> bool:
    """Whether the words before a figure share a two-character word with the name."""
    name = re.sub(r"[\s（）()]", "", name)
    if len(name) < 2:
        return name in context
    return bool(_bigrams(name) & _bigrams(context))


def figures_with_unit(text: str, unit: str) -> list[Figure]:
    """Every number in ``text`` directly followed by ``unit`` (a multiplier may sit between)."""
    text = unicodedata.normalize("NFKC", text)
    unit = unicodedata.normalize("NFKC", unit).strip()
    found = []
    for match in FIGURE.finditer(text):
        after = text[match.end() :]
        if unit and not after.startswith(unit):
            continue
        if unit and unit.isascii() and unit.isalpha():  # "10 kg" yes, "10 kgs" no
            tail = after[len(unit) : len(unit) + 1]
            if tail.isalpha():
                continue
        raw = match.group(0).strip() + unit
        try:
            value = parse_number(raw)
        except InputError:
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        clause = text[start : match.start()]
        ends = list(CLAUSE_END.finditer(clause))
        context = clause[ends[-1].end() :] if ends else clause
        found.append(Figure(value, raw, context))
    return found


def find_values(items: list[str], indicators: list[IndicatorSpec]) -> Found:
    """The indicators' figures in ``items`` (the week's done items, in order)."""
    text = "\n".join(items)
    units: dict[str, int] = {}
    for indicator in indicators:
        units[indicator.unit] = units.get(indicator.unit, 0) + 1
    found = Found()
    for indicator in indicators:
        figures = figures_with_unit(text, indicator.unit) if indicator.unit else []
        if not indicator.unit:
            figures = [
                f for f in figures_with_unit(text, "") if _names_it(indicator.name, f.context)
            ]
        named = [f for f in figures if _names_it(indicator.name, f.context)]
        shared = units[indicator.unit] > 1
        candidates = named if (named or shared) else figures
        distinct = _distinct(candidates)
        if len(distinct) == 1:
            found.values[indicator.id] = distinct[0]
        elif len(distinct) > 1:
            found.ambiguous[indicator.id] = distinct
    return found


def _distinct(figures: list[Figure]) -> list[Figure]:
    seen: dict[float, Figure] = {}
    for figure in figures:
        seen.setdefault(figure.value, figure)
    return list(seen.values())
