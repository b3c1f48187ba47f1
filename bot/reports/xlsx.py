"""Excel workbooks: the period's reports and the ledgers, one sheet per concern.

The office filters, sorts and sums these in Excel (or WPS), so cells keep their types:
numbers as numbers, dates and datetimes as dates with a date format, and text that looks
like a formula ("=…") stays text (no formula injection from a report). Headers are bold,
the header row frozen (``A2``), an autofilter spans the data, and column widths are
measured the way Excel draws Chinese: a CJK character is about two digits wide.

Excel's own rules are enforced here rather than left to fail on the reader's machine:
sheet titles of at most 31 characters without ``[]:*?/\\`` (replaced by their full-width
forms, which Excel accepts), unique regardless of case; cells of at most 32,767
characters; no control characters XML cannot carry; no time zones in datetimes (a
timezone-aware value keeps its wall-clock time in its own zone: compilers pass local
times of the workspace).

Deterministic: the workbook's created/modified times are ``created`` (else a fixed
date) and the zip's entry times are fixed, so the same sheets give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from bot.reports.layout import Cell, Sheet
from bot.reports.package import stable_zip, xml_text

TITLE_MAX = 31
CELL_MAX = 32767
WIDTH_MIN = 6
WIDTH_MAX = 60  # wider text wraps instead of running off the screen
DEFAULT_CREATED = datetime(2026, 1, 1)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
FORBIDDEN_IN_TITLE = str.maketrans("[]:*?/\\", "［］：＊？／＼")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")


def render_workbook(sheets: Sequence[Sheet], *, created: datetime | date | None = None) -> bytes:
    """The sheets as ``.xlsx`` bytes; an empty sequence still gives a valid workbook."""
    book = Workbook()
    book.remove(book.active)
    titles: set[str] = set()
    for number, sheet in enumerate(sheets, start=1):
        title = sheet_title(sheet.title, titles, number)
        titles.add(title.casefold())
        _fill(book.create_sheet(title), sheet)
    if not book.worksheets:
        book.create_sheet("Sheet1")  # Excel refuses a workbook without sheets
    moment = _moment(created)
    book.properties.creator = "lihui"
    book.properties.lastModifiedBy = "lihui"
    book.properties.created = moment
    book.properties.modified = moment
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp "modified" with now.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return stable_zip(buffer.getvalue(), moment)


def _moment(created: datetime | date | None) -> datetime:
    if created is None:
        return DEFAULT_CREATED
    if isinstance(created, datetime):
        return created.replace(tzinfo=None, microsecond=0)
    return datetime(created.year, created.month, created.day)


def sheet_title(wanted: str, taken: set[str], number: int) -> str:
    """A title Excel accepts: ≤31 characters, none of ``[]:*?/\\``, not quoted, unique.

    ``taken`` holds the case-folded titles already used (Excel compares without case).
    """
    title = xml_text(wanted).translate(FORBIDDEN_IN_TITLE)
    # Excel refuses a title that starts or ends with an apostrophe (its quoting mark).
    title = re.sub(r"\s+", " ", title).strip().strip("'")[:TITLE_MAX].strip().strip("'")
    if not title or title.casefold() == "history":  # "History" is reserved by Excel
        title = f"Sheet{number}"
    candidate, copy = title, 1
    while candidate.casefold() in taken:
        copy += 1
        suffix = f"({copy})"
        candidate = title[: TITLE_MAX - len(suffix)] + suffix
    return candidate


def display_width(value: Cell) -> float:
    """About how many digit widths Excel needs to show ``value`` (CJK counts two)."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return max(
        (sum(2 if _wide(char) else 1 for char in line) for line in text.split("\n")),
        default=0,
    )


def _wide(char: str) -> bool:
    """Wide or full-width (CJK, full-width punctuation, emoji): two digit widths."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _fill(sheet: Worksheet, data: Sheet) -> None:
    columns = max([len(data.header), *(len(row) for row in data.rows)], default=0)
    widths = [display_width(title) for title in data.header] + [0] * (columns - len(data.header))
    for index, title in enumerate(data.header, start=1):
        cell = sheet.cell(row=1, column=index, value=_text(title))
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    for row_index, row in enumerate(data.rows, start=2):
        for column_index, value in enumerate(row, start=1):
            _put(sheet, row_index, column_index, value)
            widths[column_index - 1] = max(widths[column_index - 1], display_width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, WIDTH_MIN), WIDTH_MAX
        )
    sheet.freeze_panes = "A2"
    _print_setup(sheet)
    if columns:
        last = f"{get_column_letter(columns)}{max(len(data.rows) + 1, 1)}"
        sheet.auto_filter.ref = f"A1:{last}"


def _print_setup(sheet: Worksheet) -> None:
    """Offices print these: A4 landscape, all columns on the page width, the header row
    repeated on every printed page (as the Word tables repeat theirs)."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    """One typed cell: text stays text, numbers numbers, dates dates."""
    if value is None:
        return
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = _text(value)
        cell.value = text
        cell.data_type = "s"  # "=SUM(...)" typed in a report is text, never a formula
        wraps = "\n" in text or display_width(text) > WIDTH_MAX
        cell.alignment = WRAP if wraps else TOP
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, float) and not math.isfinite(value):
        cell.value = str(value)  # Excel has no NaN or infinity; keep what was there, as text
    else:
        cell.value = value


def _text(value: str) -> str:
    """Text Excel can hold: no XML-forbidden characters, at most 32,767 characters."""
    text = xml_text(str(value)).replace("\r\n", "\n")
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 1] + "…"
