"""The bulletin chart: one PNG, read on a phone in the office chat (DESIGN §5).

Panel 1 shows every group's progress status in the colours of 督查督办 practice (正常推进
green, 滞后 yellow, 受阻 red; grey for 未报送) with its percent complete; panel 2 the
8-week trend of the on-time rate and of open problems, on two axes.

Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas, never through
``pyplot``: no global figure registry, no ``rcParams`` change. Every text gets its font
from :mod:`bot.reports.fonts` explicitly and ``parse_math=False`` (a group called "$x$" is
text, not mathtext), so nothing global is read for the things that matter either.

Layout is computed in inches, not by ``constrained_layout``: it is faster, the same every
time, and lets the height grow with the number of groups up to :data:`MAX_ROWS` (beyond
that, the groups that need attention are shown first and a note counts the others), which
keeps the image inside Telegram's photo limits (width + height ≤ 10000 px, ratio ≤ 20).

Legend, titles and axis labels come from the catalog (``bot/locales/*/charts.po``) in the
chart's locale; ``BulletinChart.labels`` may override any of them by catalog key
(``"chart.status.on_track"`` ...; see :data:`LABEL_KEYS`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Transform, offset_copy
from PIL import Image

from bot.i18n import translate
from bot.reports.fonts import ChartFont, chart_font
from bot.reports.layout import BulletinChart, GroupStatus, TrendPoint

DPI = 160
WIDTH_IN = 8.0  # 1280 px: sharp on a phone, small enough to send fast
ROW_IN = 0.36
MAX_ROWS = 60
NAME_MAX_EM = 14  # longer group names are shortened with "…"
TITLE_MAX_EM = 30

# "exempt" (免报, excused for the week) is optional: a compiler may pass it, or None.
STATUSES: tuple[str | None, ...] = ("on_track", "delayed", "blocked", None, "exempt")
COLOURS: dict[str | None, str] = {
    "on_track": "#2E7D32",
    "delayed": "#F9A825",
    "blocked": "#C62828",
    None: "#9E9E9E",
    "exempt": "#CFD8DC",
}
ATTENTION = {
    "blocked": 0,
    None: 1,
    "delayed": 2,
    "on_track": 3,
    "exempt": 4,
}  # who is kept when capped
RATE_COLOUR = "#1565C0"
PROBLEM_COLOUR = "#B0BEC5"
TRACK_COLOUR = "#EEEEEE"
GRID_COLOUR = "#DDDDDD"
NOTE_COLOUR = "#546E7A"
RATE_TOP = 118  # room above 100% for the rate labels
INK = "#263238"

LABEL_KEYS: tuple[str, ...] = (
    "chart.status.on_track",
    "chart.status.delayed",
    "chart.status.blocked",
    "chart.status.missing",
    "chart.status.exempt",
    "chart.legend.count",
    "chart.panel.status",
    "chart.axis.percent",
    "chart.no_percent",
    "chart.more_groups",
    "chart.no_groups",
    "chart.panel.trend",
    "chart.axis.on_time_rate",
    "chart.axis.open_problems",
    "chart.legend.on_time_rate",
    "chart.legend.open_problems",
    "chart.no_trend",
)


@dataclass(frozen=True)
class _Style:
    """The font sizes of one chart, as ready FontProperties (created once per font)."""

    title: FontProperties
    panel: FontProperties
    name: FontProperties
    tick: FontProperties
    value: FontProperties


_STYLES: dict[tuple[str, int], _Style] = {}


def _style(font: ChartFont) -> _Style:
    """FontProperties are reused across charts: building them is a measurable cost."""
    key = (str(font.regular), font.regular.face_index)
    if key not in _STYLES:
        _STYLES[key] = _Style(
            title=font.properties(17, bold=True),
            panel=font.properties(14, bold=True),
            name=font.properties(13),
            tick=font.properties(11.5),
            value=font.properties(11.5),
        )
    return _STYLES[key]


def label(chart: BulletinChart, key: str, **params: object) -> str:
    """A label in the chart's locale, or the compiler's override of it."""
    override = chart.labels.get(key)
    if override is not None:
        try:
            return override.format(**params) if params else override
        except (KeyError, IndexError, ValueError):
            pass  # a bad override must not cost the bulletin its chart
    return translate(chart.locale, key, **params)


def status_label(chart: BulletinChart, status: str | None) -> str:
    return label(chart, f"chart.status.{status or 'missing'}")


def _em(text: str) -> float:
    """Width in em: CJK and full-width characters are one em, the rest about half."""
    return sum(1.0 if ord(char) > 0x2E7F else 0.55 for char in text)


def shorten(name: str, max_em: float = NAME_MAX_EM) -> str:
    """A name on one line that fits the label column, cut with "…" (names can be long)."""
    name = " ".join(name.split())
    if _em(name) <= max_em:
        return name
    while name and _em(name) > max_em - 1:
        name = name[:-1]
    return name + "…"


def _bar(percent: int | float | None) -> float:
    """A percent as drawn: 0–100, whatever a compiler hands over."""
    if percent is None or not math.isfinite(percent):
        return 0.0
    return float(min(max(percent, 0), 100))


def _rate(on_time_rate: float) -> int:
    return round(_bar(on_time_rate * 100)) if math.isfinite(on_time_rate) else 0


def _known(status: str | None) -> str | None:
    return status if status in COLOURS else None


def _rows(groups: Sequence[GroupStatus]) -> tuple[list[GroupStatus], int]:
    """The groups to draw, in roster order, and how many were left out."""
    if len(groups) <= MAX_ROWS:
        return list(groups), 0
    ranked = sorted(range(len(groups)), key=lambda i: (ATTENTION[_known(groups[i].status)], i))
    kept = sorted(ranked[:MAX_ROWS])
    return [groups[i] for i in kept], len(groups) - MAX_ROWS


class _Sheet:
    """The figure, placed in inches from its top edge (the layout's natural unit)."""

    def __init__(self, height: float) -> None:
        self.height = height
        self.fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)

    def y(self, top: float) -> float:
        return 1 - top / self.height

    def text(self, top: float, left: float, text: str, font: FontProperties,
             **kwargs: object) -> None:  # fmt: skip
        options: dict[str, object] = {"color": INK, "va": "center", **kwargs}
        self.fig.text(left / WIDTH_IN, self.y(top), text, fontproperties=font,
                      parse_math=False, **options)  # fmt: skip

    def axes(self, top: float, height: float, left: float, right: float) -> Axes:
        """Axes whose top edge is ``top`` inches down, with margins ``left`` and ``right``."""
        box = (left / WIDTH_IN, self.y(top + height), 1 - (left + right) / WIDTH_IN,
               height / self.height)  # fmt: skip
        return self.fig.add_axes(box)


# Vertical layout, inches from the top: title, legend, panel title, then the status rows;
# below them the percent axis, the note, the trend's title, its plot and its legend.
TITLE_AT, LEGEND_AT, STATUS_TITLE_AT, STATUS_TOP = 0.55, 1.1, 1.6, 1.95
BELOW_STATUS, NOTE_IN = 0.75, 0.35
TREND_IN, BELOW_TREND = 2.8, 0.75
TREND_LEFT, TREND_RIGHT = 0.95, 0.95  # room for the two axes' labels


def render_bulletin_chart(chart: BulletinChart, *, font: ChartFont | None = None) -> bytes:
    """The bulletin chart as PNG bytes; the same chart always gives the same bytes."""
    style = _style(font or chart_font())
    rows, hidden = _rows(chart.groups)
    names = [shorten(group.name) for group in rows]
    status_in = ROW_IN * max(len(rows), 3)
    trend_top = STATUS_TOP + status_in + BELOW_STATUS + (NOTE_IN if hidden else 0) + 0.8
    sheet = _Sheet(trend_top + TREND_IN + BELOW_TREND)
    title = shorten(chart.title, TITLE_MAX_EM)  # one line: the layout has room for one
    sheet.text(TITLE_AT, WIDTH_IN / 2, title, style.title, ha="center")
    _status_legend(sheet.fig, chart, style, sheet.y(LEGEND_AT))
    left = min(0.25 + max((_em(name) for name in names), default=4) * 13 / 72, 3.2)
    sheet.text(STATUS_TITLE_AT, left, label(chart, "chart.panel.status"), style.panel)
    _draw_status(sheet.axes(STATUS_TOP, status_in, left, 0.7), chart, rows, names, style)
    if hidden:
        note = label(chart, "chart.more_groups", count=hidden)
        sheet.text(STATUS_TOP + status_in + BELOW_STATUS + 0.15, left, note, style.tick,
                   color=NOTE_COLOUR)  # fmt: skip
    panel = label(chart, "chart.panel.trend", weeks=len(chart.trend))
    sheet.text(trend_top - 0.3, TREND_LEFT, panel, style.panel)
    trend_ax = sheet.axes(trend_top, TREND_IN, TREND_LEFT, TREND_RIGHT)
    _draw_trend(trend_ax, chart, chart.trend, style)
    return _png(sheet.canvas)


def _png(canvas: FigureCanvasAgg) -> bytes:
    """Encode as RGB (no alpha: a quarter less to compress) with fast zlib: Telegram
    re-encodes photos anyway, and the file stays well under its 10 MB limit. Nothing
    variable (no software version, no time) goes into the file."""
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _status_legend(fig: Figure, chart: BulletinChart, style: _Style, y: float) -> None:
    counts = {status: 0 for status in STATUSES}
    for group in chart.groups:
        counts[_known(group.status)] += 1
    shown = [status for status in STATUSES if status != "exempt" or counts[status]]
    handles = [
        Patch(
            color=COLOURS[status],
            label=label(
                chart,
                "chart.legend.count",
                status=status_label(chart, status),
                count=counts[status],
            ),
        )
        for status in shown
    ]
    legend = fig.legend(
        handles=handles,
        loc="center",
        bbox_to_anchor=(0.5, y),
        ncols=len(shown),
        prop=style.tick,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.6,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)


def _axis_text(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    font: FontProperties,
    *,
    transform: Transform,
    dx: float = 0,
    dy: float = 0,
    **kwargs: object,
) -> None:
    """A label beside the plot, offset in points (so the gap is the same at any height)."""
    options: dict[str, object] = {"color": INK, "ha": "center", "va": "center", **kwargs}
    shifted = offset_copy(transform, fig=ax.figure, x=dx, y=dy, units="points")
    ax.text(x, y, text, transform=shifted, fontproperties=font, parse_math=False, **options)


def _draw_status(
    ax: Axes, chart: BulletinChart, rows: list[GroupStatus], names: list[str], style: _Style
) -> None:
    """Status chip, percent bar and value per group; the axis is drawn by hand, since
    matplotlib's ticks (two lines and two texts each) were most of the chart's time."""
    ax.set_axis_off()
    count = max(len(rows), 3)
    ax.set_xlim(-8, 116)
    ax.set_ylim(count - 0.5, -0.5)  # first group on top, as in the roster
    positions = list(range(len(rows)))
    colours = [COLOURS[_known(group.status)] for group in rows]
    ax.vlines(range(0, 101, 20), -0.5, count - 0.5, colors=GRID_COLOUR, linewidth=0.8, zorder=0)
    ax.hlines(count - 0.5, 0, 100, colors=INK, linewidth=0.8)
    _bars(ax, [(0, y - 0.31, 100, y + 0.31) for y in positions], TRACK_COLOUR, zorder=1)
    percents = [_bar(group.percent) for group in rows]
    boxes = [(0, y - 0.31, p, y + 0.31) for y, p in zip(positions, percents, strict=True)]
    _bars(ax, boxes, colours, zorder=2)
    ax.scatter([-4] * len(rows), positions, marker="s", s=170, c=colours, zorder=3)
    for position, group, name in zip(positions, rows, names, strict=True):
        ax.text(
            -9,
            position,
            name,
            fontproperties=style.name,
            parse_math=False,
            ha="right",
            va="center",
            color=INK,
        )
        ax.text(
            _bar(group.percent) + 1.5,
            position,
            _value(chart, group),
            fontproperties=style.value,
            parse_math=False,
            va="center",
            color=INK,
            zorder=4,
        )
    below = ax.get_xaxis_transform()
    for value in range(0, 101, 20):
        _axis_text(ax, value, 0, str(value), style.tick, transform=below, dy=-5, va="top")
    _axis_text(
        ax, 50, 0, label(chart, "chart.axis.percent"), style.tick, transform=below, dy=-24, va="top"
    )
    if not rows:
        ax.text(
            50,
            1,
            label(chart, "chart.no_groups"),
            fontproperties=style.name,
            parse_math=False,
            ha="center",
            va="center",
            color=NOTE_COLOUR,
        )


def _bars(
    ax: Axes,
    boxes: Sequence[tuple[float, float, float, float]],
    colours: str | list[str],
    *,
    zorder: float,
) -> None:
    """Filled boxes (left, bottom, right, top) as one collection: ``bar``/``barh`` make a
    patch per bar and update the data limits for each, which we set by hand anyway."""
    if not boxes:
        return
    polygons = [((x0, y0), (x0, y1), (x1, y1), (x1, y0)) for x0, y0, x1, y1 in boxes]
    ax.add_collection(
        PolyCollection(polygons, facecolors=colours, edgecolors="none", linewidths=0,
                       zorder=zorder),
        autolim=False,
    )  # fmt: skip


def _value(chart: BulletinChart, group: GroupStatus) -> str:
    if group.percent is not None:
        return f"{group.percent}%"
    if _known(group.status) in (None, "exempt"):
        return status_label(chart, _known(group.status))
    return label(chart, "chart.no_percent")


def _problem_scale(counts: Sequence[int]) -> tuple[float, list[int]]:
    """The open-problems axis: its top (bars stay in the lower half, under the rate line)
    and its ticks, whole numbers."""
    top = max([*counts, 4]) * 2.0
    ticks = [int(v) for v in MaxNLocator(nbins=4, integer=True).tick_values(0, top) if v <= top]
    return top, ticks


def _draw_trend(ax: Axes, chart: BulletinChart, trend: Sequence[TrendPoint], style: _Style) -> None:
    """On-time rate (line, left axis in %) and open problems (bars, right axis), drawn on
    one axes: the problem counts are scaled onto the rate's 0–118 range, which saves a
    twin axes and its ticks."""
    ax.set_axis_off()
    weeks = max(len(trend), 1)
    ax.set_xlim(-0.6, weeks - 0.4)
    ax.set_ylim(0, RATE_TOP)
    positions = list(range(len(trend)))
    rates = [_rate(point.on_time_rate) for point in trend]
    counts = [max(point.open_problems, 0) for point in trend]
    top, ticks = _problem_scale(counts)
    scale = RATE_TOP / top
    ax.hlines(range(25, 101, 25), -0.6, weeks - 0.4, colors=GRID_COLOUR, linewidth=0.8, zorder=0)
    ax.hlines(0, -0.6, weeks - 0.4, colors=INK, linewidth=0.8)
    ax.vlines([-0.6, weeks - 0.4], 0, RATE_TOP, colors=INK, linewidth=0.8)
    boxes = [
        (x - 0.275, 0, x + 0.275, count * scale) for x, count in zip(positions, counts, strict=True)
    ]
    _bars(ax, boxes, PROBLEM_COLOUR, zorder=1)
    ax.plot(positions, rates, color=RATE_COLOUR, linewidth=2.4, marker="o", markersize=6, zorder=3)
    for x, rate, count, point in zip(positions, rates, counts, trend, strict=True):
        ax.text(
            x,
            min(rate, 100) + 4,
            f"{rate}%",
            fontproperties=style.value,
            parse_math=False,
            ha="center",
            va="bottom",
            color=RATE_COLOUR,
            zorder=4,
        )
        ax.text(
            x,
            count * scale,
            str(count),
            fontproperties=style.value,
            parse_math=False,
            ha="center",
            va="top",
            color=INK,
            zorder=2,
        )
        _axis_text(
            ax, x, 0, point.label, style.tick, transform=ax.get_xaxis_transform(), dy=-5, va="top"
        )
    left, right = ax.get_yaxis_transform(), ax.get_yaxis_transform()
    for value in range(0, 101, 25):
        _axis_text(ax, 0, value, f"{value}%", style.tick, transform=left, dx=-5, ha="right")
    for tick in ticks:
        _axis_text(ax, 1, tick * scale, str(tick), style.tick, transform=right, dx=5, ha="left")
    _axis_text(
        ax,
        0,
        0.5,
        label(chart, "chart.axis.on_time_rate"),
        style.tick,
        transform=ax.transAxes,
        dx=-48,
        rotation=90,
        color=RATE_COLOUR,
    )
    _axis_text(
        ax,
        1,
        0.5,
        label(chart, "chart.axis.open_problems"),
        style.tick,
        transform=ax.transAxes,
        dx=36,
        rotation=90,
        color=NOTE_COLOUR,
    )
    handles = [
        Line2D(
            [],
            [],
            color=RATE_COLOUR,
            linewidth=2.4,
            marker="o",
            label=label(chart, "chart.legend.on_time_rate"),
        ),
        Patch(color=PROBLEM_COLOUR, label=label(chart, "chart.legend.open_problems")),
    ]
    legend = ax.legend(
        handles=handles,
        loc="upper center",
        prop=style.tick,
        frameon=False,
        ncols=2,
        bbox_to_anchor=(0.5, -0.1),
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    if not trend:
        ax.text(
            0,
            50,
            label(chart, "chart.no_trend"),
            fontproperties=style.name,
            parse_math=False,
            ha="center",
            va="center",
            color=NOTE_COLOUR,
        )
