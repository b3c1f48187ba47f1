"""A weekly report pasted as it is written (issue 18), read into the report's parts.

The pure core, no Telegram and no database: :func:`read` turns a pasted text into what the
dialog would have collected step by step (done items, problems, plans, indicator values,
the status when the text says it, and follow-ups of the group's open problems and
decisions). :mod:`bot.paste.flow` applies a reading to a report and asks what it could
not tell; ``docs/dialog.md`` draws where a paste enters the dialog.

Modules: ``split.py`` (headings and items), ``figures.py`` (indicator values in sentences),
``matching.py`` (an item that speaks of an open problem or decision), ``docx.py`` (the text
of a Word file).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.paste.figures import Figure, IndicatorSpec, find_values
from bot.paste.matching import OpenItem, match, says_done
from bot.paste.split import Split, heading_of, is_numbered, split

__all__ = [
    "Figure",
    "IndicatorSpec",
    "OpenItem",
    "Reading",
    "join",
    "looks_like_paste",
    "looks_like_report",
    "read",
    "split",
]

# Telegram cuts a long text at 4,096 characters; a piece that long was probably cut.
TELEGRAM_LIMIT = 4096
STATUS_WORDS = (
    ("blocked", re.compile(r"受阻|停滞|无法推进|推不动|blocked")),
    ("delayed", re.compile(r"滞后|延误|延后|落后于计划|进度偏慢|behind schedule|delayed")),
    ("on_track", re.compile(r"正常推进|按计划推进|按期推进|进展顺利|有序推进|on track")),
)
PERCENT = re.compile(r"(?:总体|整体|项目|完成)?进度(?:为|达到?|已达)?\s*([0-9０-９]{1,3})\s*[%％]")
MEETING_WORDS = re.compile(r"协调|提请|例会|研究解决|请求|建议.{0,6}(?:支持|解决)")


@dataclass
class Reading:
    """What a paste says, in the dialog's terms."""

    split: Split
    done: list[str] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)  # {"text", "to_meeting"}
    plan: list[str] = field(default_factory=list)
    values: dict[int, Figure] = field(default_factory=dict)
    ambiguous: dict[int, list[Figure]] = field(default_factory=dict)
    follow_ups: list[tuple[OpenItem, str, str]] = field(default_factory=list)  # item, outcome, note
    status: str | None = None
    percent: int | None = None


def read(
    text: str, indicators: list[IndicatorSpec], open_items: list[OpenItem] | None = None
) -> Reading:
    parts = split(text)
    reading = Reading(parts, done=[], plan=list(parts.parts["plan"]))
    open_items = open_items or []
    problems = [o for o in open_items if o.kind == "problem"]
    decisions = [o for o in open_items if o.kind == "decision"]
    raised = parts.parts["problems"]
    followed = match(raised, problems)
    to_meeting_heading = "协调" in parts.headings.get("problems", "")
    for index, item in enumerate(raised):
        if index in followed:
            outcome = "resolved" if says_done(item) else "needs_coordination"
            reading.follow_ups.append((followed[index], outcome, item))
            continue
        to_meeting = to_meeting_heading or MEETING_WORDS.search(item) is not None
        reading.problems.append({"text": item, "to_meeting": to_meeting})
    answered = match(parts.parts["done"], decisions)
    for index, item in enumerate(parts.parts["done"]):
        reading.done.append(item)
        if index in answered:
            outcome = "resolved" if says_done(item) else "in_progress"
            reading.follow_ups.append((answered[index], outcome, item))
    found = find_values(parts.parts["done"], indicators)
    reading.values, reading.ambiguous = found.values, found.ambiguous
    reading.status = status_in(text)
    reading.percent = percent_in(text)
    return reading


def status_in(text: str) -> str | None:
    """The status the text states, when it states exactly one."""
    said = [status for status, words in STATUS_WORDS if words.search(text)]
    return said[0] if len(said) == 1 else None


def percent_in(text: str) -> int | None:
    """The key project's percent complete, when the text states one ("总体进度80%")."""
    found = {int(unicodedata.normalize("NFKC", m.group(1))) for m in PERCENT.finditer(text)}
    return found.pop() if len(found) == 1 and 0 <= next(iter(found)) <= 100 else None


def looks_like_report(text: str) -> bool:
    """A text that carries at least one heading: taken as a paste, not as a step's answer.

    One heading is enough when something else is around it (items below, or a title);
    a bare heading word typed alone ("工作计划") is still an answer.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    headed = sum(1 for line in lines if heading_of(line) is not None)
    return headed >= 2 or (headed == 1 and len(lines) >= 2)


def looks_like_paste(text: str) -> bool:
    """A text too long or too structured to be a chat message: a report without headings."""
    lines = [line for line in text.splitlines() if line.strip()]
    numbered = sum(1 for line in lines if is_numbered(line))
    return len(text) >= 80 or numbered >= 2 or len(lines) >= 3


def join(before: str, piece: str) -> str:
    """Two consecutive pieces of one paste, as they were before Telegram cut them.

    A piece cut at the length limit in mid-sentence continues on the same line; otherwise
    the next piece starts a new line (the clients cut at line ends where they can).
    """
    cut = len(before) >= TELEGRAM_LIMIT - 200 and not before.rstrip().endswith(("。", "；", "："))
    starts_fresh = is_numbered(piece) or heading_of(piece.splitlines()[0] if piece else "")
    return before + ("" if cut and not starts_fresh else "\n") + piece
