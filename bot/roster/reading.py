"""Reading a roster file (CSV or XLSX) into validated groups, with row-precise issues."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.roster.model import (
    _HEADER_LOOKUP,
    REQUIRED,
    RosterError,
    RosterGroup,
    RosterIssue,
    _header_key,
    check_groups,
    format_number,
    normalize_contact,
    parse_indicators,
    parse_number,
    split_member_units,
)

# --- reading files ------------------------------------------------------------------------


def _decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) first, then GB18030: what Excel on Chinese Windows writes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterError([RosterIssue(None, None, "roster.error.encoding")]) from None


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _cell_text(value: object) -> str:
    """Excel hands back numbers for ids and orders; turn them into the text the user typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(float(value))
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise RosterError(
            [RosterIssue(None, None, "roster.error.unreadable", {"reason": str(error)})]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _check_suffix(suffix: str, name: str) -> None:
    if suffix not in (".csv", ".xlsx"):
        raise RosterError(
            [RosterIssue(None, None, "roster.error.unknown_extension", {"suffix": suffix or name})]
        )


def _file_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    _check_suffix(suffix, path.name)
    if not path.is_file():
        raise RosterError(
            [RosterIssue(None, None, "roster.error.file_not_found", {"path": str(path)})]
        )
    return _data_rows(suffix, path.read_bytes())


def _data_rows(suffix: str, data: bytes) -> list[list[str]]:
    rows = _csv_rows(data) if suffix == ".csv" else _xlsx_rows(data)
    return [
        [cell.replace("\r\n", "\n").replace("\r", "\n").strip() for cell in row] for row in rows
    ]


def _map_header(header: list[str]) -> tuple[dict[str, int], list[RosterIssue]]:
    positions: dict[str, int] = {}
    issues: list[RosterIssue] = []
    for index, title in enumerate(header):
        column = _HEADER_LOOKUP.get(_header_key(title))
        if column is None:
            continue  # 备注 and other columns of the office's own
        if column in positions:
            issues.append(RosterIssue(1, column, "roster.error.duplicate_column"))
        positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            issues.append(RosterIssue(1, column, "roster.error.missing_column"))
    return positions, issues


def _parse_row(row_number: int, cells: dict[str, str], issues: list[RosterIssue]) -> RosterGroup:
    """One data row; number and indicator problems go to ``issues``."""
    group = RosterGroup(
        name=cells.get("name", ""),
        code=cells.get("code", ""),
        responsible_unit=cells.get("responsible_unit", ""),
        responsible_person=cells.get("responsible_person", ""),
        member_units=split_member_units(cells.get("member_units", "")),
        duties=cells.get("duties", ""),
        primary_contact=normalize_contact(cells.get("primary_contact", "")),
        deputy_contact=normalize_contact(cells.get("deputy_contact", "")),
    )
    order_text = cells.get("order", "")
    order = parse_number(order_text) if order_text else None
    if order_text and (order is None or not order.is_integer()):
        issues.append(
            RosterIssue(row_number, "order", "roster.error.bad_number", {"value": order_text})
        )
    group.order = int(order) if order is not None and order.is_integer() else 0
    try:
        group.indicators = parse_indicators(cells.get("indicators", ""))
    except RosterError as error:
        issues.extend(RosterIssue(row_number, "indicators", e.key, e.params) for e in error.errors)
    return group


def read_roster(path: str | Path) -> list[RosterGroup]:
    """Read and validate a roster file (``.csv`` or ``.xlsx``, by extension).

    Raises :class:`RosterError` with every problem found. Blank rows are skipped; a blank
    序号 becomes the group's place among the file's groups.
    """
    return _groups_of(_file_rows(Path(path)))


def read_roster_bytes(file_name: str, data: bytes) -> list[RosterGroup]:
    """:func:`read_roster` for a file's bytes (one sent in the chat): the kind by its name."""
    suffix = Path(file_name).suffix.lower()
    _check_suffix(suffix, file_name)
    return _groups_of(_data_rows(suffix, data))


def _groups_of(rows: list[list[str]]) -> list[RosterGroup]:
    if not rows or not any(rows[0]):
        raise RosterError([RosterIssue(None, None, "roster.error.empty_file")])
    positions, issues = _map_header(rows[0])
    if issues:
        raise RosterError(issues)
    groups: list[RosterGroup] = []
    row_numbers: list[int] = []
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        cells = {
            column: row[index] if index < len(row) else "" for column, index in positions.items()
        }
        group = _parse_row(row_number, cells, issues)
        if not group.order:
            group.order = len(groups) + 1
        groups.append(group)
        row_numbers.append(row_number)
    issues.extend(check_groups(groups, row_numbers))
    if issues:
        raise RosterError(sorted(issues, key=lambda issue: issue.row or 0))
    return groups
