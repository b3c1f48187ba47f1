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
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
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

STATUSES: tuple[str | None, ...] = ("on_track", "delayed", "blocked", None)
COLOURS: dict[str | None, str] = {
    "on_track": "#2E7D32",
    "delayed": "#F9A825",
    "blocked": "#C62828",
    None: "#9E9E9E",
}
ATTENTION = {"blocked": 0, None: 1, "delayed": 2, "on_track": 3}  # who is kept when capped
RATE_COLOUR = "#1565C0"
PROBLEM_COLOUR = "#B0BEC5"
TRACK_COLOUR = "#EEEEEE"
INK = "#263238"

LABEL_KEYS: tuple[str, ...] = (
    "chart.status.on_track",
    "chart.status.delayed",
    "chart.status.blocked",
    "chart.status.missing",
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
    """A name that fits the label column, cut with "…" (group names can be long)."""
    if _em(name) <= max_em:
        return name
    while name and _em(name) > max_em - 1:
        name = name[:-1]
    return name + "…"


def _known(status: str | None) -> str | None:
    return status if status in COLOURS else None


def _rows(groups: Sequence[GroupStatus]) -> tuple[list[GroupStatus], int]:
    """The groups to draw, in roster order, and how many were left out."""
    if len(groups) <= MAX_ROWS:
        return list(groups), 0
    ranked = sorted(range(len(groups)), key=lambda i: (ATTENTION[_known(groups[i].status)], i))
    kept = sorted(ranked[:MAX_ROWS])
    return [groups[i] for i in kept], len(groups) - MAX_ROWS


def _frac(fig_height: float, top: float, height: float) -> tuple[float, float]:
    """Axes bottom and height as figure fractions, from inches measured from the top."""
    return (fig_height - top - height) / fig_height, height / fig_height


def render_bulletin_chart(chart: BulletinChart, *, font: ChartFont | None = None) -> bytes:
    """The bulletin chart as PNG bytes; the same chart always gives the same bytes."""
    font = font or chart_font()
    style = _style(font)
    rows, hidden = _rows(chart.groups)
    names = [shorten(group.name) for group in rows]
    status_h = ROW_IN * max(len(rows), 3)
    note_h = 0.35 if hidden else 0.0
    trend_h = 2.8
    # title, legend, panel title | status rows | axis | note | gap, panel title | trend | axis
    height = 0.25 + 0.55 + 0.45 + 0.45 + status_h + 0.75 + note_h + 0.35 + 0.45 + trend_h + 1.0
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    left = min(0.25 + max((_em(n) for n in names), default=4) * 13 / 72, 3.2)
    top = 0.25
    title = shorten(chart.title, TITLE_MAX_EM)  # one line: the layout has room for one
    _text(fig, 0.5, _y(height, top + 0.3), title, style.title, ha="center")
    _status_legend(fig, chart, style, _y(height, top + 0.85))
    _text(
        fig,
        left / WIDTH_IN,
        _y(height, top + 1.35),
        label(chart, "chart.panel.status"),
        style.panel,
    )
    bottom, size = _frac(height, top + 1.7, status_h)
    status_ax = fig.add_axes((left / WIDTH_IN, bottom, 1 - (left + 0.7) / WIDTH_IN, size))
    _draw_status(status_ax, chart, rows, names, style)
    after = top + 1.7 + status_h + 0.75
    if hidden:
        note = label(chart, "chart.more_groups", count=hidden)
        _text(fig, left / WIDTH_IN, _y(height, after + 0.15), note, style.tick, color="#546E7A")
        after += note_h
    weeks = len(chart.trend)
    _text(
        fig,
        0.95 / WIDTH_IN,
        _y(height, after + 0.5),
        label(chart, "chart.panel.trend", weeks=weeks),
        style.panel,
    )
    bottom, size = _frac(height, after + 0.8, trend_h)
    trend_ax = fig.add_axes((0.95 / WIDTH_IN, bottom, 1 - 1.9 / WIDTH_IN, size))
    _draw_trend(trend_ax, chart, chart.trend, style)
    return _png(canvas)


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


def _y(fig_height: float, inches_from_top: float) -> float:
    return 1 - inches_from_top / fig_height


def _text(
    fig: Figure, x: float, y: float, text: str, font: FontProperties, **kwargs: object
) -> None:
    options: dict[str, object] = {"color": INK, "va": "center", **kwargs}
    fig.text(x, y, text, fontproperties=font, parse_math=False, **options)


def _status_legend(fig: Figure, chart: BulletinChart, style: _Style, y: float) -> None:
    counts = {status: 0 for status in STATUSES}
    for group in chart.groups:
        counts[_known(group.status)] += 1
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
        for status in STATUSES
    ]
    legend = fig.legend(
        handles=handles,
        loc="center",
        bbox_to_anchor=(0.5, y),
        ncols=4,
        prop=style.tick,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.6,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)


def _draw_status(
    ax: Axes, chart: BulletinChart, rows: list[GroupStatus], names: list[str], style: _Style
) -> None:
    positions = list(range(len(rows)))
    colours = [COLOURS[_known(group.status)] for group in rows]
    ax.barh(positions, [100] * len(rows), height=0.62, color=TRACK_COLOUR, zorder=1)
    ax.barh(positions, [group.percent or 0 for group in rows], height=0.62, color=colours, zorder=2)
    ax.scatter([-4] * len(rows), positions, marker="s", s=170, c=colours, zorder=3)
    for position, group in zip(positions, rows, strict=True):
        ax.text(
            min(group.percent or 0, 100) + 1.5,
            position,
            _value(chart, group),
            fontproperties=style.value,
            parse_math=False,
            va="center",
            color=INK,
            zorder=4,
        )
    for position, name in zip(positions, names, strict=True):
        # Texts rather than tick labels: a tick costs a Text and a Line2D more each.
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
    ax.set_yticks([])
    ax.set_ylim(max(len(rows), 3) - 0.5, -0.5)  # first group on top, as in the roster
    ax.set_xlim(-8, 116)
    ax.set_xticks(
        range(0, 101, 20),
        labels=[str(v) for v in range(0, 101, 20)],
        fontproperties=style.tick,
        color=INK,
    )
    ax.set_xlabel(
        label(chart, "chart.axis.percent"), fontproperties=style.tick, parse_math=False, color=INK
    )
    ax.spines["bottom"].set_bounds(0, 100)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if not rows:
        ax.text(
            50,
            1,
            label(chart, "chart.no_groups"),
            fontproperties=style.name,
            parse_math=False,
            ha="center",
            va="center",
            color="#546E7A",
        )


def _value(chart: BulletinChart, group: GroupStatus) -> str:
    if group.percent is not None:
        return f"{group.percent}%"
    if _known(group.status) is None:
        return status_label(chart, None)
    return label(chart, "chart.no_percent")


def _draw_trend(ax: Axes, chart: BulletinChart, trend: Sequence[TrendPoint], style: _Style) -> None:
    problems_ax = ax.twinx()
    ax.set_zorder(problems_ax.get_zorder() + 1)  # the rate line above the problem bars
    ax.patch.set_visible(False)
    positions = list(range(len(trend)))
    rates = [round(point.on_time_rate * 100) for point in trend]
    counts = [point.open_problems for point in trend]
    problems_ax.bar(positions, counts, width=0.55, color=PROBLEM_COLOUR, zorder=1)
    ax.plot(positions, rates, color=RATE_COLOUR, linewidth=2.4, marker="o", markersize=6)
    for x, rate, count in zip(positions, rates, counts, strict=True):
        ax.text(
            x,
            min(rate, 100) + 4,
            f"{rate}%",
            fontproperties=style.value,
            parse_math=False,
            ha="center",
            va="bottom",
            color=RATE_COLOUR,
        )
        problems_ax.text(
            x,
            count,
            str(count),
            fontproperties=style.value,
            parse_math=False,
            ha="center",
            va="top",
            color=INK,
        )
    for x, point in zip(positions, trend, strict=True):
        # Week labels as texts under the axis: a tick would cost two lines and texts more.
        ax.text(
            x,
            -0.03,
            point.label,
            transform=ax.get_xaxis_transform(),
            fontproperties=style.tick,
            parse_math=False,
            ha="center",
            va="top",
            color=INK,
        )
    ax.set_xticks([])
    ax.set_xlim(-0.6, max(len(trend), 1) - 0.4)
    ax.set_ylim(0, 118)
    ax.set_yticks(
        range(0, 101, 25),
        labels=[f"{v}%" for v in range(0, 101, 25)],
        fontproperties=style.tick,
        color=INK,
    )
    ax.set_ylabel(
        label(chart, "chart.axis.on_time_rate"),
        fontproperties=style.tick,
        parse_math=False,
        color=RATE_COLOUR,
    )
    top = max([*counts, 4]) * 2.0  # bars in the lower half, below the rate line
    ticks = [int(v) for v in MaxNLocator(nbins=4, integer=True).tick_values(0, top) if v <= top]
    problems_ax.set_ylim(0, top)
    problems_ax.set_yticks(
        ticks, labels=[str(v) for v in ticks], fontproperties=style.tick, color=INK
    )
    problems_ax.set_ylabel(
        label(chart, "chart.axis.open_problems"),
        fontproperties=style.tick,
        parse_math=False,
        color="#546E7A",
    )
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    for axes in (ax, problems_ax):
        axes.spines["top"].set_visible(False)
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
            color="#546E7A",
        )
