"""Both message catalogs say the same things: same keys, same placeholders, valid HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import i18n
from bot.i18n import SUPPORTED_LOCALES, catalog, placeholders, translate

ALLOWED_TAGS = re.compile(r"</?(b|i|u|s|code)>")


def test_every_locale_has_the_same_keys() -> None:
    reference = set(catalog("zh-CN"))
    assert len(reference) > 100
    for locale in SUPPORTED_LOCALES:
        assert set(catalog(locale)) == reference, locale


@pytest.mark.parametrize("key", sorted(catalog("zh-CN")))
def test_placeholders_match_across_locales(key: str) -> None:
    expected = placeholders(catalog("zh-CN")[key])
    for locale in SUPPORTED_LOCALES:
        assert placeholders(catalog(locale)[key]) == expected, (locale, key)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_messages_use_only_telegram_html_tags_and_escape_the_rest(locale: str) -> None:
    for key, text in catalog(locale).items():
        stripped = ALLOWED_TAGS.sub("", text)
        assert "<" not in stripped and ">" not in stripped, (locale, key, text)


def test_translate_falls_back_to_chinese_then_to_the_key() -> None:
    assert translate("en-US", "app.name") == catalog("en")["app.name"]
    assert translate("fr", "app.name") == catalog("zh-CN")["app.name"]
    assert translate("en", "no.such.key") == "no.such.key"


def test_the_cached_catalog_is_the_parsed_one_and_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up reads the merged catalog from a cache file; it must say exactly what the
    .po files say, and an edited .po file must be read again."""
    monkeypatch.setenv("LIHUI_CACHE_DIR", str(tmp_path / "cache"))
    for locale in SUPPORTED_LOCALES:
        files = sorted(i18n._directory(locale).glob("*.po"))
        parsed = i18n._parse(locale, files)
        assert i18n.catalog.__wrapped__(locale) == parsed  # written to the cache
        assert i18n._cache_file(locale, files).exists()
        assert i18n.catalog.__wrapped__(locale) == parsed  # read back from it
    po = tmp_path / "po" / "common.po"
    po.parent.mkdir()
    po.write_text('msgid "a"\nmsgstr "一"\n', encoding="utf-8")
    before = i18n._cache_file("zh-CN", [po])
    po.write_text('msgid "a"\nmsgstr "一二"\n', encoding="utf-8")
    assert i18n._cache_file("zh-CN", [po]) != before
