"""The roll-up charts draw every label they use, in both languages, with no missing glyph."""

from __future__ import annotations

import warnings
from datetime import date

import pytest

from bot.periods import Period
from bot.rollups.charts import Bar, monthly_chart, ranking_chart
from bot.rollups.monthly import GroupMonth, MonthlySummary
from bot.rollups.months import Month
from bot.rollups.scoring import DEFAULT_THRESHOLDS

PNG = b"\x89PNG\r\n\x1a\n"


def summary() -> MonthlySummary:
    weeks = tuple(Period(2026, w) for w in (45, 46, 47, 48))
    first = GroupMonth(
        "就业援助组",
        1,
        ("on_time", "late", "missing", "exempt"),
        ("on_track", "delayed", None, None),
        60,
    )
    second = GroupMonth(
        "矛盾纠纷调解组",
        2,
        ("on_time", "on_time", "not_due", "not_joined"),
        ("blocked",) + (None,) * 3,
        None,
    )
    groups = (first, second)
    return MonthlySummary(
        Month(2026, 11), weeks, groups, (), 48 / 53, 1, 0, (), 2, 1, (), (), date(2026, 12, 1)
    )


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_label_has_its_glyphs(locale: str) -> None:
    bars = [
        Bar("就业援助组（示例）", 91.5, "excellent", 1),
        Bar("志愿服务组", 85.0, "good", 2),
        Bar("环境卫生整治组", 70.0, "fair", 3),
        Bar("困难家庭帮扶组", 40.0, "poor", 4),
        Bar("新设专项组", None, None, None),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font"
        assert ranking_chart(
            "2026年下半年专项组考核结果", bars, DEFAULT_THRESHOLDS, locale
        ).startswith(PNG)
        assert monthly_chart(summary(), "2026年11月工作总结", locale).startswith(PNG)
