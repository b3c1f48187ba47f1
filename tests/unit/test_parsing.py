"""Parsers for what contacts type, with hand-computed cases and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import (
    InputError,
    clean_text,
    format_number,
    has_visible,
    is_blank,
    parse_number,
    parse_percent,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500", 500),
        ("５００", 500),
        ("500人次", 500),
        ("500 人次", 500),
        ("1,200", 1200),
        ("1，200", 1200),
        ("1.5万", 15000),
        ("１.５万", 15000),
        ("2亿", 200_000_000),
        ("0", 0),
        ("3.25", 3.25),
        (" 42 ", 42),
    ],
)
def test_numbers_as_people_type_them(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["很多", "", "   ", "约500", "300-500", "-5", "1.2.3", "五百", "1e5"]
)
def test_not_numbers_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_number(text)
    assert refused.value.key == "input.not_a_number"


def test_absurdly_large_numbers_are_refused() -> None:
    with pytest.raises(InputError) as refused:
        parse_number("9999999亿")
    assert refused.value.key == "input.number_too_large"


@given(st.integers(min_value=0, max_value=10**9))
def test_formatted_numbers_parse_back(value: int) -> None:
    assert parse_number(format_number(value)) == value


@given(st.text(max_size=50))
def test_any_text_either_parses_or_is_refused_cleanly(text: str) -> None:
    try:
        value = parse_number(text)
    except InputError:
        return
    assert value >= 0


@pytest.mark.parametrize(
    ("text", "value"),
    [("60", 60), ("60%", 60), ("６０％", 60), ("100", 100), ("0", 0), ("59.6", 60)],
)
def test_percentages(text: str, value: int) -> None:
    assert parse_percent(text) == value


@pytest.mark.parametrize("text", ["101", "-1", "abc", "", "50%%", "一半"])
def test_bad_percentages(text: str) -> None:
    with pytest.raises(InputError):
        parse_percent(text)


@given(st.text(max_size=300))
def test_clean_text_never_returns_blank_and_respects_the_limit(text: str) -> None:
    try:
        cleaned = clean_text(text, limit=100)
    except InputError as error:
        assert error.key in ("input.empty", "input.too_long")
        return
    assert cleaned.strip() and len(cleaned) <= 100


@pytest.mark.parametrize("text", ["", "   ", "\u3000\u3000", "\u200b\u200b", "\n\n\t"])
def test_blank_text_is_refused(text: str) -> None:
    with pytest.raises(InputError) as refused:
        clean_text(text, limit=10)
    assert refused.value.key == "input.empty"


def test_text_keeps_what_the_person_wrote() -> None:
    assert clean_text("  <b>招聘会</b> & 🎉\r\n第二行  ", limit=100) == "<b>招聘会</b> & 🎉\n第二行"


def test_too_long_text_says_how_long() -> None:
    with pytest.raises(InputError) as refused:
        clean_text("字" * 11, limit=10)
    assert refused.value.params == {"limit": 10, "length": 11}


# The "blank message" tricks: characters that render as nothing at all.
BLANKS = "\u3164\u115f\u1160\uffa0\u2800\u200b\u200c\u200d\u2060\ufeff\u180e\u17b4\u3000 \t\n"
blank_texts = st.text(alphabet=BLANKS + "\u0301\u034f\ufe0f\u202e\u00ad", min_size=1, max_size=40)


@pytest.mark.parametrize(
    "text", ["\u3164", "\u115f\u1160", "\uffa0", "\u2800\u2800", "\u3164\u200b \u2060", "\u0301"]
)
def test_invisible_fillers_are_refused_as_empty(text: str) -> None:
    with pytest.raises(InputError) as refused:
        clean_text(text, limit=100)
    assert refused.value.key == "input.empty"


@given(blank_texts)
def test_any_text_made_only_of_blank_characters_is_empty(text: str) -> None:
    with pytest.raises(InputError) as refused:
        clean_text(text, limit=100)
    assert refused.value.key == "input.empty"


# Without combining marks: after a letter, a mark is part of it (A + ◌́ is Á).
fillers = st.text(alphabet=BLANKS, max_size=20)


@given(fillers, st.text(alphabet="走访企业15家ABC", min_size=1, max_size=20), fillers)
def test_blank_characters_around_a_text_are_trimmed(before: str, core: str, after: str) -> None:
    assert clean_text(before + core + after, limit=200) == core


@given(st.text(max_size=200))
def test_an_accepted_text_always_shows_something(text: str) -> None:
    try:
        cleaned = clean_text(text, limit=1000)
    except InputError:
        return
    assert has_visible(cleaned)
    assert not is_blank(cleaned[0]) and not is_blank(cleaned[-1])
