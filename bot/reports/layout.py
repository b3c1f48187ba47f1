"""What the renderers take: plain descriptions of a document, a workbook and a chart.

Compilers build these; :mod:`bot.reports.docx`, :mod:`bot.reports.xlsx` and
:mod:`bot.reports.charts` render them. Texts here are plain (not HTML): Word and Excel
escape nothing, and the chat renderer escapes for itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# --- an official document (GB/T 9704-2012), rendered by bot.reports.docx -----------------


@dataclass(frozen=True)
class Heading:
    """A numbered heading; ``text`` carries its number ("一、…", "（一）…", "1.…", "（1）…").

    ``level`` 1 is set in 黑体, 2 in 楷体, 3 and 4 in the body font (GB/T 9704 §7.3.3).
    """

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph, first line indented two characters; ``lead`` is set in bold."""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class Table:
    """A table whose header row repeats on every page it spans."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Relative column widths (any unit); None shares the type area equally.
    widths: tuple[float, ...] | None = None


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class OfficialDocument:
    """A bulletin, an agenda or a summary, as the office would print and file it."""

    title: str
    blocks: tuple[Block, ...]
    issuer: str  # 发文机关署名, e.g. "温暖二七领导小组办公室"
    issued_on: date
    number_line: str = ""  # "2026年第12期", or "预览" for an unpublished preview
    subtitle: str = ""  # e.g. the period label under the title


# --- a workbook, rendered by bot.reports.xlsx ---------------------------------------------

Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: Chinese headers, one row per record, typed cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


# --- the bulletin chart, rendered by bot.reports.charts -----------------------------------


@dataclass(frozen=True)
class GroupStatus:
    """One group in the status panel; ``status`` None means not reported (grey)."""

    name: str
    status: str | None  # "on_track" | "delayed" | "blocked" | None
    percent: int | None = None


@dataclass(frozen=True)
class TrendPoint:
    """One week of the 8-week trend."""

    label: str  # e.g. "第41周"
    on_time_rate: float  # 0.0 – 1.0
    open_problems: int


@dataclass(frozen=True)
class BulletinChart:
    title: str
    groups: tuple[GroupStatus, ...]
    trend: tuple[TrendPoint, ...]
    locale: str = "zh-CN"
    # Label overrides for the legend and axes, from the catalog of ``locale``.
    labels: dict[str, str] = field(default_factory=dict)
