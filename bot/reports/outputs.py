"""The one door to the file renderers: chart (PNG), Word (DOCX) and Excel (XLSX).

The renderers (:mod:`bot.reports.charts`, :mod:`bot.reports.docx`, :mod:`bot.reports.xlsx`)
pull in matplotlib, python-docx and openpyxl; they are imported here on first use, so that
the bot starts, and text replies go out, without paying for libraries a reply may never
need.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.reports.layout import BulletinChart, OfficialDocument, Sheet

PNG = "png"
DOCX = "docx"
XLSX = "xlsx"

T = TypeVar("T")

# One thread draws every file, one after another. matplotlib keeps its loaded fonts per
# thread (FreeType faces are not thread-safe), and a CJK font takes tens of milliseconds to
# load: in a pool's rotating threads each new thread loaded it again. One render at a time
# also bounds the memory a burst of /report can take.
_RENDER_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lihui-render")


async def rendered(make: Callable[..., T], *args: object) -> T:
    """``make(*args)`` in the render thread; the event loop goes on with other updates.

    The renderers are pure CPU and get plain data only, never a database session.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_RENDER_THREAD, functools.partial(make, *args))


def chart_png(chart: BulletinChart) -> bytes:
    from bot.reports.charts import render_bulletin_chart

    return render_bulletin_chart(chart)


def document_docx(document: OfficialDocument) -> bytes:
    from bot.reports.docx import render_document

    return render_document(document)


def workbook_xlsx(sheets: Sequence[Sheet]) -> bytes:
    from bot.reports.xlsx import render_workbook

    return render_workbook(sheets)
