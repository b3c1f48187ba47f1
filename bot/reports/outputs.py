"""The one door to the file renderers: chart (PNG), Word (DOCX) and Excel (XLSX).

The renderers (:mod:`bot.reports.charts`, :mod:`bot.reports.docx`, :mod:`bot.reports.xlsx`)
pull in matplotlib, python-docx and openpyxl; they are imported here on first use, so that
the bot starts, and text replies go out, without paying for libraries a reply may never
need. A renderer that cannot be imported raises :class:`RendererUnavailable`, which the
service turns into a text-only answer rather than a failed one.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any

from bot.reports.layout import BulletinChart, OfficialDocument, Sheet

log = logging.getLogger(__name__)

PNG = "png"
DOCX = "docx"
XLSX = "xlsx"


class RendererUnavailable(RuntimeError):
    """The renderer module for a format is missing from this installation."""


def _renderer(module: str, function: str) -> Any:
    try:
        return getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise  # a library the renderer needs is missing: a real error, say so
        raise RendererUnavailable(module) from error


def chart_png(chart: BulletinChart) -> bytes:
    return _renderer("bot.reports.charts", "render_bulletin_chart")(chart)


def document_docx(document: OfficialDocument) -> bytes:
    return _renderer("bot.reports.docx", "render_document")(document)


def workbook_xlsx(sheets: Sequence[Sheet]) -> bytes:
    return _renderer("bot.reports.xlsx", "render_workbook")(sheets)
