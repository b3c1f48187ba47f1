"""The charts' font (DESIGN §9): the system Noto Sans CJK SC, else zhplot's, never imported."""

from __future__ import annotations

import subprocess
import sys

import pytest
from matplotlib.ft2font import FT2Font

from bot.reports import fonts
from bot.reports.fonts import FontUnavailable, chart_font, packaged_font, system_font


def test_the_packaged_font_is_found_without_importing_zhplot() -> None:
    # A fresh interpreter: other tests may import anything, this one must see zhplot untouched.
    code = (
        "import sys; from bot.reports.fonts import packaged_font; f = packaged_font(); "
        "print(f.regular, 'zhplot' in sys.modules, "
        "any(m.startswith('zhplot') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    path, imported, submodule = out.stdout.split()
    assert path.endswith("zhplot/fonts/NotoSansSC-Regular.ttf")
    assert (imported, submodule) == ("False", "False")
    assert FT2Font(path).family_name == "Noto Sans SC"


def test_the_system_font_is_the_simplified_chinese_face() -> None:
    found = system_font()
    if found is None:
        pytest.skip("no Noto Sans CJK SC on this machine (install fonts-noto-cjk)")
    face = FT2Font(found.regular.path, face_index=found.regular.face_index)
    assert face.family_name == "Noto Sans CJK SC"  # not the JP face at index 0 of the .ttc
    bold = FT2Font(found.bold.path, face_index=found.bold.face_index)
    assert bold.family_name == "Noto Sans CJK SC" and bold.style_name == "Bold"
    # fontconfig, asked when matplotlib's cache predates the font, finds the same face.
    assert fonts._fontconfig_face("Regular") in (None, found.regular)


def test_the_choice_follows_the_argument_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIHUI_CHART_FONT", "packaged")
    assert chart_font().source == "packaged"
    assert chart_font() == packaged_font()
    if system_font() is not None:
        assert chart_font("system").source == "system"
        monkeypatch.setenv("LIHUI_CHART_FONT", "auto")
        assert chart_font().source == "system"
    monkeypatch.setenv("LIHUI_CHART_FONT", "comic-sans")
    with pytest.raises(FontUnavailable):
        chart_font()


def test_a_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_font", lambda: None)
    fonts._resolve.cache_clear()
    try:
        with pytest.raises(FontUnavailable, match="no system Chinese font"):
            chart_font("system")
        assert chart_font("auto").source == "packaged"  # the fallback DESIGN §9 asks for
    finally:
        fonts._resolve.cache_clear()
