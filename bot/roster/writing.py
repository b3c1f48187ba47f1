"""Writing a roster as CSV or XLSX, the same columns :mod:`bot.roster.reading` reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import translate
from bot.roster.model import (
    COLUMN_WIDTHS,
    COLUMNS,
    REQUIRED,
    RosterError,
    RosterGroup,
    RosterIssue,
    format_indicators,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# --- writing files ------------------------------------------------------------------------


def _row_cells(group: RosterGroup) -> list[str | int]:
    return [
        group.name,
        group.code,
        group.order,
        group.responsible_unit,
        group.responsible_person,
        "、".join(group.member_units),
        group.duties,
        group.primary_contact,
        group.deputy_contact,
        format_indicators(group.indicators),
    ]


def _headers() -> list[str]:
    return [chinese for chinese, _ in COLUMNS.values()]


def _write_csv(path: Path, groups: Sequence[RosterGroup]) -> None:
    # The BOM is what makes Excel open a UTF-8 CSV as UTF-8 instead of the local code page.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(_headers())
        writer.writerows(_row_cells(group) for group in groups)


def _clean(value: str | int) -> str | int:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _append_text(sheet: Worksheet, values: Sequence[str | int]) -> None:
    """A row of plain values: a text that starts with ``=`` stays text, never a formula
    (an exported roster must read back, and uploads with formulas are refused)."""
    sheet.append([_clean(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _roster_sheet(workbook: Workbook, groups: Sequence[RosterGroup]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.active
    assert sheet is not None
    sheet.title = "专项组名册"
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for group in groups:
        _append_text(sheet, _row_cells(group))
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS[column]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = wrap
    sheet.freeze_panes = "A2"


def _guide_sheet(workbook: Workbook, locale: str) -> None:
    """The second sheet: what each column means, and an example row (the sample's first
    group). The importer reads only the first sheet, so this one may stay in the file."""
    from openpyxl.styles import Alignment, Font

    from bot.sample import sample_roster  # bot.sample imports the roster package

    sheet = workbook.create_sheet(translate(locale, "roster.guide.sheet"))
    heads = ("roster.guide.column", "roster.guide.english", "roster.guide.required")
    sheet.append([translate(locale, key) for key in (*heads, "roster.guide.meaning")])
    for column, (chinese, english) in COLUMNS.items():
        required = translate(
            locale, "roster.guide.yes" if column in REQUIRED else "roster.guide.no"
        )
        sheet.append([chinese, english, required, translate(locale, f"roster.guide.{column}")])
    sheet.append([])
    sheet.append([translate(locale, "roster.guide.example")])
    example_row = sheet.max_row
    sheet.append(_headers())
    _append_text(sheet, _row_cells(sample_roster(1)[0]))
    for row in (1, example_row, example_row + 1):
        for cell in sheet[row]:
            cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (14, 20, 8, 70, 18, 16, 30, 40, 20, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap


def _write_xlsx(path: Path, groups: Sequence[RosterGroup]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    _roster_sheet(workbook, groups)
    workbook.save(path)


def roster_xlsx(groups: Sequence[RosterGroup], locale: str = "zh-CN") -> bytes:
    """The roster as the office downloads it in the chat (/roster): the columns
    ``lihui roster export`` writes, then a sheet that explains them. No groups: the
    empty template, a header row to fill in."""
    from openpyxl import Workbook

    workbook = Workbook()
    _roster_sheet(workbook, groups)
    _guide_sheet(workbook, locale)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_roster(path: str | Path, groups: Sequence[RosterGroup]) -> None:
    """Write a roster as ``.csv`` (UTF-8 with BOM) or ``.xlsx`` (bold header), by extension."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        _write_csv(target, groups)
    elif suffix == ".xlsx":
        _write_xlsx(target, groups)
    else:
        raise RosterError(
            [
                RosterIssue(
                    None, None, "roster.error.unknown_extension", {"suffix": suffix or target.name}
                )
            ]
        )
