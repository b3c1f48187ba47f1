"""The bulletin chart: every label has its glyphs, the image fits Telegram, nothing leaks."""

from __future__ import annotations

import io
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import pytest
from PIL import Image

from bot.i18n import SUPPORTED_LOCALES, catalog
from bot.reports import charts
from bot.reports.charts import LABEL_KEYS, MAX_ROWS, render_bulletin_chart
from bot.reports.fonts import packaged_font, system_font
from bot.reports.layout import BulletinChart, GroupStatus, TrendPoint
from bot.sample import sample_roster

STATUSES = ("on_track", "delayed", "blocked", None, "exempt")
DIGITS = "0123456789%…—（）·:"


def _font(source: str) -> charts.ChartFont:
    found = system_font() if source == "system" else packaged_font()
    if found is None:
        pytest.skip(f"no {source} Chinese font on this machine (install fonts-noto-cjk)")
    return found


def _groups(count: int) -> tuple[GroupStatus, ...]:
    names = [group.name for group in sample_roster(count)]
    return tuple(
        GroupStatus(name, STATUSES[i % 5], None if i % 3 == 2 else (i * 13) % 101)
        for i, name in enumerate(names)
    )


def _trend(weeks: int = 8) -> tuple[TrendPoint, ...]:
    return tuple(TrendPoint(f"第{41 + i}周", (i + 5) / 13, i * 2) for i in range(weeks))


def _charts(locale: str) -> list[BulletinChart]:
    """Charts that between them draw every label the renderer has."""
    title = "温暖二七工作周通报 2026年第12期 预览 Weekly bulletin " + DIGITS
    return [
        BulletinChart(title, _groups(13), _trend(), locale=locale),
        BulletinChart(title, _groups(MAX_ROWS + 5), _trend(3), locale=locale),  # the note
        BulletinChart(title, (), (), locale=locale),  # no groups, no trend
        BulletinChart(DIGITS, (GroupStatus(DIGITS, "on_track", 100),), _trend(1), locale=locale),
    ]


@pytest.mark.parametrize("source", ["system", "packaged"])
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_label_renders_without_a_missing_glyph(source: str, locale: str) -> None:
    font = _font(source)
    assert set(LABEL_KEYS) == {key for key in catalog(locale) if key.startswith("chart.")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        for chart in _charts(locale):
            assert render_bulletin_chart(chart, font=font).startswith(b"\x89PNG")


@pytest.mark.parametrize("source", ["system", "packaged"])
def test_a_missing_glyph_is_caught(source: str) -> None:
    """The test above would see a missing glyph: a character no CJK font has warns."""
    font = _font(source)
    chart = BulletinChart("\U0001fae8", (GroupStatus("\U0001fae8", None),), ())
    with pytest.warns(UserWarning, match="missing from font"):
        render_bulletin_chart(chart, font=font)


@pytest.mark.parametrize("count", [1, 13, 200, 1000])
def test_the_image_is_wide_and_within_telegram_photo_limits(count: int) -> None:
    png = render_bulletin_chart(BulletinChart("周通报", _groups(count), _trend()))
    width, height = Image.open(io.BytesIO(png)).size
    assert width >= 1200
    assert width + height <= 10000
    assert max(width, height) / min(width, height) <= 20
    assert len(png) < 10 * 1024 * 1024


def test_the_same_chart_gives_the_same_bytes_and_leaves_no_global_state() -> None:
    before = dict(matplotlib.rcParams)
    chart = BulletinChart("周通报", _groups(13), _trend(), locale="en")
    first = render_bulletin_chart(chart, font=_font("packaged"))
    assert render_bulletin_chart(chart, font=_font("packaged")) == first
    assert dict(matplotlib.rcParams) == before
    assert "zhplot" not in sys.modules  # found by find_spec, never imported


def test_a_capped_chart_keeps_the_groups_that_need_attention_in_roster_order() -> None:
    groups = tuple(
        GroupStatus(f"组{i}", "on_track" if i >= 3 else STATUSES[3 - i]) for i in range(70)
    )
    # 组0 None, 组1 blocked, 组2 delayed; 67 on track, of which 57 fit the 60 rows.
    rows, hidden = charts._rows(groups)
    assert hidden == 10
    assert [group.name for group in rows] == [f"组{i}" for i in range(60)]
    blocked_late = (*groups[:69], GroupStatus("组69", "blocked"))
    rows, _ = charts._rows(blocked_late)
    assert rows[-1].name == "组69" and rows[-2].name == "组58"


def test_long_names_are_shortened_and_overrides_replace_catalog_labels() -> None:
    assert charts.shorten("党群服务中心提质组") == "党群服务中心提质组"
    assert charts.shorten("一二三四五六七八九十一二三四五六") == "一二三四五六七八九十一二三…"
    chart = BulletinChart(
        "t",
        (),
        (),
        locale="en",
        labels={"chart.status.blocked": "Stuck", "chart.legend.count": "{x}"},
    )
    assert charts.status_label(chart, "blocked") == "Stuck"
    assert charts.status_label(chart, None) == "Not reported"
    # A bad override falls back to the catalog instead of costing the chart.
    assert charts.label(chart, "chart.legend.count", status="A", count=2) == "A (2)"


def test_odd_names_and_out_of_range_numbers_still_draw() -> None:
    """Text is text (no mathtext from "$"), and numbers outside 0–100 stay in the panel."""
    groups = (
        GroupStatus("$\\frac{1}{0}$ <b>&amp;", "on_track", 150),
        GroupStatus("两行\n名称", "delayed", -5),
        GroupStatus("未知状态", "paused", None),
        GroupStatus("免报组", "exempt", None),
    )
    trend = (TrendPoint("$x$", float("nan"), -1), TrendPoint("第2周", 1.7, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_bulletin_chart(
            BulletinChart("$\\alpha$", groups, trend), font=_font("packaged")
        )
    assert png.startswith(b"\x89PNG")
    assert charts.shorten("两行\n名称") == "两行 名称"
    assert [charts._bar(v) for v in (150, -5, None, float("nan"), 42)] == [100, 0, 0, 0, 42]
    assert [charts._rate(v) for v in (float("nan"), 1.7, 0.846)] == [0, 100, 85]


def test_charts_rendered_in_threads_are_the_same_as_one_by_one() -> None:
    """The bot renders off the event loop (asyncio.to_thread): threads must not interfere."""
    charts_ = [
        BulletinChart(f"周通报{i}", _groups(13 + i), _trend(), locale="zh-CN") for i in range(4)
    ]
    font = _font("packaged")
    expected = [render_bulletin_chart(chart, font=font) for chart in charts_]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda chart: render_bulletin_chart(chart, font=font), charts_ * 2))
    assert results == expected * 2
