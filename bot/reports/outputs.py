"""The one door to the file renderers: chart (PNG), Word (DOCX) and Excel (XLSX).

The renderers (:mod:`bot.reports.charts`, :mod:`bot.reports.docx`, :mod:`bot.reports.xlsx`)
pull in matplotlib, python-docx and openpyxl; they are imported here on first use, so that
the bot starts, and text replies go out, without paying for libraries a reply may never
need.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.reports.layout import BulletinChart, OfficialDocument, Sheet

PNG = "png"
DOCX = "docx"
XLSX = "xlsx"


def chart_png(chart: BulletinChart) -> bytes:
    from bot.reports.charts import render_bulletin_chart

    return render_bulletin_chart(chart)


def document_docx(document: OfficialDocument) -> bytes:
    from bot.reports.docx import render_document

    return render_document(document)


def workbook_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from bot.reports.xlsx import render_workbook

    return render_workbook(sheets)
