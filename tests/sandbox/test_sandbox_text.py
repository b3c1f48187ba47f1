"""HTML entity parsing and length limits, as Telegram applies them."""

from __future__ import annotations

import html

import httpx
import pytest
import telegram
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.error import BadRequest

from sandbox.driver import SandboxUser
from sandbox.errors import BotApiError
from sandbox.html_entities import parse_html, utf16_len
from sandbox.samples import png_bytes


def test_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html('😀 <b>粗</b> <a href="https://example.org">链接</a>')
    assert text == "😀 粗 链接"
    assert entities == [
        {"offset": 3, "length": 1, "type": "bold"},
        {"offset": 5, "length": 2, "type": "text_link", "url": "https://example.org"},
    ]


def test_all_supported_tags() -> None:
    source = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><span class='tg-spoiler'>p</span><tg-spoiler>q</tg-spoiler>"
        "<code>c</code><pre>r</pre><blockquote>l</blockquote>"
        "<blockquote expandable>x</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(source)
    assert text == "bsieunskdpqcrlx👍"
    assert [e["type"] for e in entities] == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "code", "pre", "blockquote",
        "expandable_blockquote", "custom_emoji",
    ]  # fmt: skip


def test_pre_with_language() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert text == "x = 1"
    assert entities == [{"offset": 0, "length": 5, "type": "pre", "language": "python"}]


def test_html_entities_are_decoded() -> None:
    text, entities = parse_html("&lt;b&gt; &amp; &quot; &#20013; &#x6587; &nbsp; a & b")
    assert text == '<b> & " 中 文 &nbsp; a & b'
    assert entities == []


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("中文 <foo>", 'Unsupported start tag "foo" at byte offset 7'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_malformed_html_is_refused(source: str, detail: str) -> None:
    with pytest.raises(BotApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    assert caught.value.description == f"Bad Request: can't parse entities: {detail}"


@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


_SOUP = st.lists(
    st.sampled_from(
        [
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<a href='https://x.org'>",
            "</a>",
            "<pre>",
            "</pre>",
            '<code class="language-go">',
            "</code>",
            "<",
            ">",
            "&",
            "&lt;",
            "&#",
            ";",
            "x",
            "中",
            "😀",
            " ",
            "</",
            "<span class=tg-spoiler>",
            "</span>",
            "<blockquote expandable>",
            "</blockquote>",
            "<foo>",
            "=",
            '"',
        ]
    ),
    max_size=30,
).map("".join)


@given(_SOUP)
def test_tag_soup_parses_or_is_refused_cleanly(source: str) -> None:
    try:
        text, entities = parse_html(source)
    except BotApiError as error:
        assert error.description.startswith("Bad Request: can't parse entities: ")
        return
    for entity in entities:
        assert entity["length"] > 0
        assert entity["offset"] + entity["length"] <= utf16_len(text)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=_SOUP)
async def test_tag_soup_never_breaks_the_server(
    api: httpx.AsyncClient, alice: SandboxUser, source: str
) -> None:
    response = await api.post(
        "sendMessage", data={"chat_id": alice.id, "text": source, "parse_mode": "HTML"}
    )
    body = response.json()
    if response.status_code == 200:
        assert body["ok"] is True
    else:
        assert response.status_code == 400, body
        assert body["description"].startswith(
            ("Bad Request: can't parse entities: ", "Bad Request: message text is empty")
        ), body


async def test_escaped_markup_through_the_bot_api(bot: telegram.Bot, alice: SandboxUser) -> None:
    sent = await bot.send_message(alice.id, "&lt;b&gt;不是粗体&lt;/b&gt;", parse_mode="HTML")
    assert sent.text == "<b>不是粗体</b>"
    assert sent.entities == ()
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(alice.id, "<b>粗</b><foo>", parse_mode="HTML")


async def test_markdown_is_refused_clearly(bot: telegram.Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)markdownv2 is not supported"):
        await bot.send_message(alice.id, "*x*", parse_mode="MarkdownV2")


async def test_text_length_limit(bot: telegram.Bot, alice: SandboxUser) -> None:
    assert len((await bot.send_message(alice.id, "a" * 4096)).text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    # Markup does not count: 4096 characters of text inside tags are fine.
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")


async def test_length_counts_utf16_code_units(bot: telegram.Bot, alice: SandboxUser) -> None:
    await bot.send_message(alice.id, "😀" * 2048)  # 4096 UTF-16 units
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(alice.id, "😀" * 2048 + "a")
    await bot.send_message(alice.id, "中" * 4096)  # BMP: one unit each


async def test_caption_length_limit(bot: telegram.Bot, alice: SandboxUser) -> None:
    await bot.send_photo(alice.id, png_bytes(), caption="😀" * 512)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(alice.id, png_bytes(), caption="😀" * 512 + "a")


async def test_empty_text_is_refused(bot: telegram.Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")


async def test_surrounding_whitespace_is_trimmed(bot: telegram.Bot, alice: SandboxUser) -> None:
    sent = await bot.send_message(alice.id, "\n  <i>hi</i> \n", parse_mode="HTML")
    assert sent.text == "hi"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("italic", 0, 2)]
