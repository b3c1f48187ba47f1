"""The one message catalog: every user-facing string goes through :func:`translate`.

Catalogs are gettext ``.po`` files under ``bot/locales/<locale>/``, one file per concern
(``common.po``, ``periods.po``, ``dialog.po`` ...), read with Babel (and cached, see
:func:`catalog`). Message ids are stable dotted keys (``help.title``) rather than source
text, so that a wording change in Chinese does not orphan the English translation.
Placeholders use ``str.format`` syntax (``{name}``); a test checks that both locales have
the same keys and the same placeholders.

``.po`` rather than compiled ``.mo``: nothing generated is committed, and translators' tools
read ``.po`` directly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import string
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LOCALE = "zh-CN"
SUPPORTED_LOCALES = ("zh-CN", "en")


def normalize_locale(code: str | None) -> str:
    """Map a locale or Telegram ``language_code`` ("zh-hans", "en-US", "zh_CN") to ours."""
    if not code:
        return DEFAULT_LOCALE
    lowered = code.replace("_", "-").lower()
    if lowered.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def _directory(locale: str) -> Path:
    return LOCALES_DIR / locale.replace("-", "_")


@cache
def catalog(locale: str) -> dict[str, str]:
    """All messages of one locale, merged from every ``.po`` file in its directory.

    Parsing the ``.po`` files (and importing Babel to do it) is a sizeable part of start-up,
    so the merged result is kept in a cache file, like Python's own bytecode: keyed by the
    files' names, sizes and modification times, written where the process may write, and
    simply rebuilt when it is missing, stale or unwritable.
    """
    files = sorted(_directory(locale).glob("*.po"))
    cached = _cache_file(locale, files)
    try:
        return dict(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    messages = _parse(locale, files)
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        for stale in cached.parent.glob(f"catalog-{locale}-*.json"):
            stale.unlink()
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
        partial.replace(cached)
    return messages


def _cache_file(locale: str, files: list[Path]) -> Path:
    stamp = repr([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files])
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    base = os.environ.get("LIHUI_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    directory = Path(base) if base else Path.home() / ".cache"
    return directory / "lihui" / f"catalog-{locale}-{digest}.json"


def _parse(locale: str, files: list[Path]) -> dict[str, str]:
    from babel.messages.pofile import read_po  # only when the cache cannot answer

    messages: dict[str, str] = {}
    for po_file in files:
        with po_file.open("rb") as handle:
            parsed = read_po(handle, locale=locale.replace("-", "_"))
        for message in parsed:
            if not message.id:
                continue  # the header entry
            if message.id in messages:
                raise ValueError(f"{po_file.name}: duplicate message id {message.id!r}")
            messages[str(message.id)] = str(message.string or message.id)
    return messages


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields a message expects."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def translate(locale: str, key: str, /, **params: object) -> str:
    """The message ``key`` in ``locale`` with ``params`` filled in.

    A missing key falls back to the default locale and then to the key itself, so a gap in
    a catalog shows up as a visible key in the chat instead of an exception mid-dialog; the
    catalog test makes sure no gap reaches ``main``.
    """
    template = catalog(normalize_locale(locale)).get(key) or catalog(DEFAULT_LOCALE).get(key, key)
    return template.format(**params) if params else template


_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: heading numbers of documents."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CHINESE_DIGITS[tens] + "十")
    return head + (_CHINESE_DIGITS[ones] if ones else "")


def section_number(locale: str, n: int) -> str:
    """The number of the ``n``-th top-level heading: "一、" in Chinese, "1." in English.

    Headings are numbered as they are emitted, so a section left out leaves no gap
    (一、二、三、四 rather than 一、二、三、五).
    """
    return f"{n}." if normalize_locale(locale) == "en" else f"{chinese_numeral(n)}、"
