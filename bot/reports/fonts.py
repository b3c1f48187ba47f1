"""Which Chinese font the charts draw with (DESIGN §9).

Most servers have no Chinese font, and matplotlib's default (DejaVu Sans) has no Chinese
glyphs: every label would come out as boxes. So: a system Noto Sans CJK SC when the
machine has one (the SC face of the collection, so shared code points get the simplified
glyph shapes), else the OFL-licensed Noto Sans SC that the pinned PyPI package zhplot
1.0.0 ships. zhplot is located with :func:`importlib.util.find_spec`, never imported:
importing it rewrites matplotlib's global ``rcParams``, and charts must leave no global
state behind. No font file is ever committed.

``LIHUI_CHART_FONT`` (``auto``, the default; ``system``; ``packaged``) overrides the
choice, so a test can draw with the packaged font on a machine that has the system one.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from matplotlib.font_manager import FontPath, FontProperties, fontManager

Choice = Literal["auto", "system", "packaged"]
CHOICES: tuple[Choice, ...] = ("auto", "system", "packaged")
ENV_VARIABLE = "LIHUI_CHART_FONT"
SYSTEM_FAMILY = "Noto Sans CJK SC"
PACKAGED_FILE = "NotoSansSC-Regular.ttf"


class FontUnavailable(LookupError):
    """The requested font is not on this machine (or the choice is not one we know)."""


@dataclass(frozen=True)
class ChartFont:
    """A font face to draw with: a file and, for collections (.ttc), the face in it."""

    regular: FontPath
    bold: FontPath
    source: Literal["system", "packaged"]

    def properties(self, size: float, *, bold: bool = False) -> FontProperties:
        """Properties that name the file itself, so no family lookup (and no global) is used."""
        return FontProperties(fname=self.bold if bold else self.regular, size=size)


def _matplotlib_face(weight: int) -> FontPath | None:
    """The system face from matplotlib's own font list (no subprocess, already cached)."""
    for entry in fontManager.ttflist:
        if entry.name == SYSTEM_FAMILY and entry.weight == weight and entry.style == "normal":
            return FontPath(entry.fname, entry.index)
    return None


def _fontconfig_face(style: str) -> FontPath | None:
    """Ask fontconfig, for a font installed after matplotlib built its font cache."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        found = subprocess.run(
            [fc_list, f"{SYSTEM_FAMILY}:style={style}", "file", "index"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(found.splitlines()):
        # "/usr/share/fonts/.../NotoSansCJK-Regular.ttc: :index=2"
        path, _, rest = line.partition(":")
        index = rest.partition("index=")[2].strip()
        if path and index.isdigit():
            return FontPath(path, int(index))
    return None


def system_font() -> ChartFont | None:
    """The machine's Noto Sans CJK SC, or None when it has none."""
    regular = _matplotlib_face(400) or _fontconfig_face("Regular")
    if regular is None:
        return None
    bold = _matplotlib_face(700) or _fontconfig_face("Bold") or regular
    return ChartFont(regular=regular, bold=bold, source="system")


def packaged_font_path() -> Path | None:
    """Where zhplot's Noto Sans SC lies, found without executing the package."""
    spec = importlib.util.find_spec("zhplot")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "fonts" / PACKAGED_FILE
        if candidate.is_file():
            return candidate
    return None


def packaged_font() -> ChartFont | None:
    """The packaged Noto Sans SC (one weight only: bold text uses the regular face)."""
    path = packaged_font_path()
    if path is None:
        return None
    face = FontPath(str(path), 0)
    return ChartFont(regular=face, bold=face, source="packaged")


def chart_font(choice: str | None = None) -> ChartFont:
    """The font charts use: ``choice``, else ``LIHUI_CHART_FONT``, else ``auto``."""
    wanted = (choice or os.environ.get(ENV_VARIABLE) or "auto").strip().lower()
    if wanted not in CHOICES:
        raise FontUnavailable(f"{ENV_VARIABLE} must be one of {', '.join(CHOICES)}: {wanted!r}")
    return _resolve(wanted)


@cache
def _resolve(wanted: str) -> ChartFont:
    """Cached: the lookup runs once per choice, and every chart reuses the same faces."""
    if wanted == "system":
        found = system_font()
    elif wanted == "packaged":
        found = packaged_font()
    else:
        found = system_font() or packaged_font()
    if found is None:
        raise FontUnavailable(f"no {wanted} Chinese font found for charts")
    return found
