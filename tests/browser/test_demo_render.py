"""The page's message renderer (``demo/static/render.js``) in Chromium, without a demo.

Entities count UTF-16 code units (an emoji is two), may nest and overlap, and the text
they cover is the sender's: everything must come out as text nodes, never as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
STATIC = Path(__file__).resolve().parents[2] / "demo" / "static"


@pytest.fixture
def page(browser: Any) -> Any:
    page = browser.new_page()
    page.set_content("<!doctype html><meta charset=utf-8><div id=out></div>")
    page.add_script_tag(content=(STATIC / "render.js").read_text(encoding="utf-8"))
    return page


def rendered(page: Any, text: str, entities: list[dict[str, Any]]) -> str:
    return page.evaluate(
        """([text, entities]) => {
            const out = document.getElementById("out");
            const hooks = { command: () => {}, link: () => {} };
            out.replaceChildren(renderText(text, entities, hooks));
            return out.innerHTML;
        }""",
        [text, entities],
    )


def test_nested_and_overlapping_entities_after_an_emoji(page: Any) -> None:
    # "😀 " is three UTF-16 units, so "加粗斜体" starts at 3; italic covers "斜体x".
    text = "😀 加粗斜体x"
    entities = [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "italic", "offset": 5, "length": 3},
    ]
    assert rendered(page, text, entities) == (
        "😀 <strong>加粗</strong><strong><em>斜体</em></strong><em>x</em>"
    )


def test_markup_in_the_text_stays_text(page: Any) -> None:
    text = '<img src=x onerror="alert(1)"> & <b>粗</b>'
    html = rendered(page, text, [{"type": "bold", "offset": 0, "length": 5}])
    assert html.startswith("<strong>&lt;img </strong>src=x")  # five units: "<img "
    assert "<b>" not in html and "<img" not in html and "&amp; &lt;b&gt;粗&lt;/b&gt;" in html


def test_links_commands_and_unsafe_urls(page: Any) -> None:
    text = "见 链接 与 /submit 或 https://example.org/a"
    entities = [
        {"type": "text_link", "offset": 2, "length": 2, "url": "javascript:alert(1)"},
    ]
    html = rendered(page, text, entities)
    assert "javascript" not in html  # an unsafe link is shown as plain text
    assert '<a class="command" href="#">/submit</a>' in html  # found as Telegram apps do
    assert 'href="https://example.org/a"' in html
    safe = rendered(
        page, "官网", [{"type": "text_link", "offset": 0, "length": 2, "url": "https://gov.cn/"}]
    )
    assert safe == '<a href="https://gov.cn/" target="_blank" rel="noopener noreferrer">官网</a>'


def test_code_blocks_and_line_breaks(page: Any) -> None:
    text = "第一行\n`x<y`"
    html = rendered(page, text, [{"type": "pre", "offset": 4, "length": 5}])
    assert html == '第一行\n<pre class="pre"><code>`x&lt;y`</code></pre>'
