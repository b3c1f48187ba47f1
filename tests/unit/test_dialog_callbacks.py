"""What a client may send as callback data, and the numbering of report sections."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialog import parse_callback
from bot.i18n import chinese_numeral, section_number


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        ("r:12:keep", ("r", 12, "keep")),
        ("r:0:e:plan", ("r", 0, "e:plan")),
        ("s:3:17", ("s", 3, "17")),
        ("p:17", ("p", -1, "17")),
    ],
)
def test_well_formed_callback_data(data: str, parsed: tuple[str, int, str]) -> None:
    assert parse_callback(data) == parsed


@pytest.mark.parametrize(
    "data",
    [
        "s:²",
        "s:1",
        "p:²",
        "p:",
        "p:1:2",
        "s:²:1",
        "s:1:²",
        "r:²:keep",
        "r:٣:keep",
        "r:1:",
        "r::",
        "x:1:a",
        "",
        "s:1:1a",
    ],
)
def test_malformed_callback_data_is_refused(data: str) -> None:
    assert parse_callback(data) is None


@given(st.text(max_size=80))
def test_any_callback_data_parses_or_is_refused_without_raising(data: str) -> None:
    parsed = parse_callback(data)
    if parsed is not None and parsed[0] == "p":
        assert data == f"p:{parsed[2]}" and parsed[2].isascii() and parsed[2].isdigit()
    elif parsed is not None:
        kind, version, rest = parsed
        assert kind in ("r", "s") and version >= 0 and rest
        assert data.startswith(f"{kind}:") and data.endswith(f":{rest}")
        assert data.split(":")[1].isascii()


@pytest.mark.parametrize(
    ("n", "numeral"), [(1, "一"), (5, "五"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九")]
)
def test_chinese_numerals(n: int, numeral: str) -> None:
    assert chinese_numeral(n) == numeral


def test_section_numbers_per_locale() -> None:
    assert [section_number("zh-CN", n) for n in (1, 2, 3)] == ["一、", "二、", "三、"]
    assert [section_number("en", n) for n in (1, 4)] == ["1.", "4."]
