"""Writing a roster as CSV or XLSX, the same columns :mod:`bot.roster.reading` reads."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from bot.roster.model import (
    COLUMN_WIDTHS,
    COLUMNS,
    RosterError,
    RosterGroup,
    RosterIssue,
    format_indicators,
)

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


def _write_xlsx(path: Path, groups: Sequence[RosterGroup]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "专项组名册"
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for group in groups:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                for v in _row_cells(group)
            ]
        )
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS[column]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    workbook.save(path)


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
