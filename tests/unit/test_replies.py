"""Splitting long replies so that every part is a message Telegram accepts."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from bot.replies import TELEGRAM_TEXT_LIMIT, _tokens, escape, say, split_message, visible_length


def utf16(text: str) -> int:
    """What Telegram counts: the text after HTML parsing, in UTF-16 code units."""
    plain = re.sub(r"<[^>]*>", "", text)
    return len(html.unescape(plain).encode("utf-16-le")) // 2


def test_short_text_is_one_part() -> None:
    assert split_message("<b>一</b>\n二") == ["<b>一</b>\n二"]


def test_long_text_splits_at_line_breaks() -> None:
    line = "<b>标题</b>" + "字" * 1000
    parts = split_message("\n".join([line] * 10))
    assert len(parts) == 3  # four lines of 1002 characters fit in one part
    assert all(utf16(p) <= TELEGRAM_TEXT_LIMIT for p in parts)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)


@given(st.text(min_size=1, max_size=12000))
def test_escaped_text_of_any_length_splits_into_valid_parts(text: str) -> None:
    escaped = escape(text)
    parts = split_message(escaped)
    for part in parts:
        assert utf16(part) <= TELEGRAM_TEXT_LIMIT
        # no part ends inside an entity: each unescapes to a piece of the original
        assert html.unescape(part) in text or not part.strip()


def test_say_escapes_parameters_but_keeps_catalog_tags() -> None:
    text = say("zh-CN", "mystatus.group", group="<b>组</b> & 1", period="第48周")
    assert text == "<b>&lt;b&gt;组&lt;/b&gt; &amp; 1</b> · 第48周"


def test_escaped_text_is_measured_as_telegram_shows_it() -> None:
    # 4000 visible characters, 20000 characters of HTML source: still one message
    assert len(split_message(escape("&" * 4000))) == 1
    assert len(split_message(escape("&" * 4097))) == 2


MARKUP_HEAVY = st.text(
    st.sampled_from("<>&;/b#x1a 中\n😀")
    | st.characters(codec="utf-16", exclude_categories=("Cs",)),
    max_size=400,
)


@given(MARKUP_HEAVY)
def test_visible_length_counts_as_the_tokens_do(text: str) -> None:
    """The fast count (one regex) agrees with the token walk that splitting uses."""
    assert visible_length(text) == sum(width for _, width in _tokens(text))


@given(st.text(max_size=2000))
def test_visible_length_of_escaped_text_is_what_telegram_counts(text: str) -> None:
    escaped = escape(text)
    assert visible_length(escaped) == utf16(escaped)
    assert visible_length(f"<b>{escaped}</b>") == utf16(escaped)
