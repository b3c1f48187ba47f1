"""The roll-ups' charts: the ranking bar chart and the month's status chart (PNG).

Drawn like the bulletin chart (:mod:`bot.reports.charts`): a bare matplotlib ``Figure``
with the Agg canvas, never ``pyplot``; every text gets the CJK font from
:mod:`bot.reports.fonts` explicitly and ``parse_math=False``, so no global state is read
or left behind. Colours follow the bulletin's: green on track, yellow delayed, red
blocked, grey not reported.

The charts are drawn in the render process (:mod:`bot.reports.outputs`); the bot names
these functions without drawing, so matplotlib is imported only where they run.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import translate
from bot.rollups.refusals import RollupRefused

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    from bot.rollups.monthly import MonthlySummary

DPI = 160
WIDTH_IN = 8.0
ROW_IN = 0.38
GRADE_COLOURS = {"excellent": "#2E7D32", "good": "#1565C0", "fair": "#F9A825", "poor": "#C62828"}
WEEK_COLOURS = {
    "on_track": "#2E7D32",
    "delayed": "#F9A825",
    "blocked": "#C62828",
    "missing": "#9E9E9E",
    "exempt": "#B0BEC5",
}
INK = "#263238"


@dataclass(frozen=True)
class Bar:
    """One group in the ranking chart."""

    name: str
    score: float | None
    grade: str | None
    rank: int | None


def _font(size: float, bold: bool = False) -> FontProperties:
    """The renderers' one font choice (:mod:`bot.reports.fonts`), never a font of our own."""
    from bot.reports.fonts import FontUnavailable, chart_font

    try:
        return chart_font().properties(size, bold=bold)
    except FontUnavailable as error:
        raise RollupRefused("rollups.error.no_renderer", format="png") from error


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _figure(rows: int) -> Figure:
    from matplotlib.figure import Figure

    height = 1.4 + ROW_IN * max(rows, 1)
    return Figure(figsize=(WIDTH_IN, height), dpi=DPI)


def _shorten(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def ranking_chart(
    title: str, bars: Sequence[Bar], thresholds: dict[str, float], locale: str
) -> bytes:
    """Final scores, best first, coloured by grade, with the grade thresholds marked."""
    figure = _figure(len(bars))
    axes = figure.add_axes(
        (0.3, 0.8 / figure.get_figheight(), 0.62, 1 - 1.3 / figure.get_figheight())
    )
    names = [f"{b.rank or '—'}. {_shorten(b.name)}" for b in bars]
    scores = [b.score or 0.0 for b in bars]
    positions = list(range(len(bars)))[::-1]
    axes.barh(
        positions,
        scores,
        color=[GRADE_COLOURS.get(b.grade or "", "#9E9E9E") for b in bars],
        height=0.62,
    )
    axes.set_xlim(0, 105)
    axes.set_ylim(-0.6, len(bars) - 0.4)
    axes.set_yticks(positions)
    axes.set_yticklabels(names, fontproperties=_font(11))
    for tick in axes.get_xticklabels():
        tick.set_fontproperties(_font(10))
    for grade in ("excellent", "good", "fair"):
        axes.axvline(thresholds[grade], color="#90A4AE", linewidth=0.8, linestyle="--")
    for position, bar in zip(positions, bars, strict=True):
        grade = (
            translate(locale, f"rollups.grade.{bar.grade}")
            if bar.grade
            else translate(locale, "rollups.chart.not_assessed")
        )
        text = f"{bar.score:.1f} {grade}" if bar.score is not None else grade
        axes.text(
            (bar.score or 0) + 1,
            position,
            text,
            va="center",
            color=INK,
            fontproperties=_font(10),
            parse_math=False,
        )
    axes.spines[["top", "right"]].set_visible(False)
    figure.text(
        0.5,
        1 - 0.35 / figure.get_figheight(),
        title,
        ha="center",
        va="center",
        color=INK,
        fontproperties=_font(15, bold=True),
        parse_math=False,
    )
    return _png(figure)


def monthly_chart(summary: MonthlySummary, title: str, locale: str) -> bytes:
    """Each group's weeks of the month, stacked by what they were: a glance at who slipped.

    Title, then the legend, then the bars (all placed in inches from the top, so they
    never overlap whatever the number of groups).
    """
    from matplotlib.figure import Figure

    groups = summary.groups
    height = 2.0 + ROW_IN * max(len(groups), 1)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    axes = figure.add_axes((0.3, 0.75 / height, 0.64, 1 - 1.9 / height))
    positions = list(range(len(groups)))[::-1]
    kinds = ("on_track", "delayed", "blocked", "missing", "exempt")
    left = [0.0] * len(groups)
    for kind in kinds:
        counts = [float(_weeks_of(g.statuses, g.progress, kind)) for g in groups]
        label = translate(locale, f"rollups.chart.week.{kind}")
        axes.barh(positions, counts, left=left, color=WEEK_COLOURS[kind], height=0.62, label=label)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.set_xlim(0, max(len(summary.weeks), 1))
    axes.set_ylim(-0.6, len(groups) - 0.4)
    axes.set_yticks(positions)
    axes.set_yticklabels([_shorten(g.name) for g in groups], fontproperties=_font(11))
    axes.set_xticks(range(len(summary.weeks) + 1))
    for tick in axes.get_xticklabels():
        tick.set_fontproperties(_font(10))
    axes.set_xlabel(translate(locale, "rollups.chart.weeks"), fontproperties=_font(10))
    axes.spines[["top", "right"]].set_visible(False)
    handles, labels = axes.get_legend_handles_labels()
    figure.legend(
        handles, labels, loc="center", bbox_to_anchor=(0.5, 1 - 0.85 / height),
        ncol=len(kinds), frameon=False, prop=_font(10),
    )  # fmt: skip
    figure.text(
        0.5, 1 - 0.35 / height, title, ha="center", va="center", color=INK,
        fontproperties=_font(15, bold=True), parse_math=False,
    )  # fmt: skip
    return _png(figure)


def _weeks_of(statuses: Sequence[str], progress: Sequence[str | None], kind: str) -> int:
    if kind in ("missing", "exempt"):
        return sum(1 for s in statuses if s == kind)
    return sum(
        1
        for s, p in zip(statuses, progress, strict=True)
        if s in ("on_time", "late") and (p or "on_track") == kind
    )
