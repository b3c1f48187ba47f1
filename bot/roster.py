"""The roster (专项组名册): read and write it as CSV or XLSX, and apply it to a workspace.

The office keeps its roster in Excel, so the file format is one an office worker can type
by hand. One row per task group, a header row first (row 1). Columns, Chinese header
first, English alternative second (either is accepted; extra columns such as 备注 are
ignored; column order is free):

==============  ===================  ========  ==================================================
header          English header       required  content
==============  ===================  ========  ==================================================
名称            name                 yes       the group's name, e.g. 就业援助组
代码            code                 yes       a short unique code, e.g. G06; the key that later
                                               imports match on, so renaming a group keeps it
序号            order                no        a whole number giving the order in reports;
                                               blank means the row's place in the file
责任单位        responsible unit     no        e.g. 区人社局
责任人          responsible person   no        e.g. 孙海涛 局长
成员单位        member units         no        several units separated by 、 or ; or , (half- or
                                               full-width), e.g. 区总工会、区妇联
工作职责        duties               no        free text; line breaks are kept
联络员          primary contact      no        ``@username`` or the numeric Telegram user id
备用联络员      deputy contact       no        the same, for the deputy
重点指标        indicators           no        see below
==============  ===================  ========  ==================================================

The indicators cell lists the group's weekly numbers, separated by ``;`` or ``；`` or line
breaks; each is ``名称(单位):目标`` where the unit in half- or full-width parentheses and
the ``:target`` (or ``：target``) are optional::

    服务人次(人次):5000; 志愿服务场次（场次）; 新增岗位(个)：200

CSV files may be UTF-8 with or without a byte-order mark. Excel on Chinese Windows saves
"CSV (逗号分隔)" in GB18030/GBK rather than UTF-8; such a file is decoded as GB18030 (a
superset of GBK) instead of being refused, since asking an office worker to find the right
"Save as" entry is the less friendly answer. Only bytes that are neither UTF-8 nor GB18030
are refused, with a message that says to save as "CSV UTF-8".

Reading validates the whole file and reports every problem at once, each with the row
number the user sees in the spreadsheet and the column name, so one round of corrections
is enough. Applying a roster happens in the caller's single unit of work: validation
comes before the first write, and a database error rolls the whole import back.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import audit, clock
from bot.i18n import translate
from bot.people import workspace_for_chat
from storage.models import (
    Contact,
    Indicator,
    IndicatorValue,
    Person,
    TaskGroup,
    Workspace,
)

# --- the data -----------------------------------------------------------------------------


@dataclass
class RosterIndicator:
    """One weekly number of a group: name, unit (may be empty) and optional target."""

    name: str
    unit: str = ""
    target: float | None = None


@dataclass
class RosterGroup:
    """One task group as written in the roster file (plain data, no database ids)."""

    name: str
    code: str
    order: int = 0
    responsible_unit: str = ""
    responsible_person: str = ""
    member_units: list[str] = field(default_factory=list)
    duties: str = ""
    primary_contact: str = ""
    deputy_contact: str = ""
    indicators: list[RosterIndicator] = field(default_factory=list)


@dataclass(frozen=True)
class RosterIssue:
    """One problem in a roster file; ``row`` is the spreadsheet row (header = 1).

    It keeps a catalog key and parameters rather than finished text, so the CLI and the
    bot can each show it in their user's language.
    """

    row: int | None
    column: str | None
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str = "zh-CN") -> str:
        """The explanation alone, e.g. ``与第2行重复``."""
        return translate(locale, self.key, **self.params)

    def describe(self, locale: str = "zh-CN") -> str:
        """One line for the user, e.g. ``第3行「代码」列：与第2行重复``."""
        text = self.message(locale)
        column = column_title(self.column, locale) if self.column else None
        if self.row is not None and column:
            return translate(
                locale, "roster.where.row_column", row=self.row, column=column, text=text
            )
        if self.row is not None:
            return translate(locale, "roster.where.row", row=self.row, text=text)
        if column:
            return translate(locale, "roster.where.column", column=column, text=text)
        return text


class RosterError(Exception):
    """A roster that cannot be imported; carries every issue found, not just the first."""

    def __init__(self, errors: list[RosterIssue]) -> None:
        self.errors = errors
        super().__init__("\n".join(issue.describe() for issue in errors))

    def lines(self, locale: str = "zh-CN") -> list[str]:
        return [issue.describe(locale) for issue in self.errors]


@dataclass
class ImportSummary:
    """What an import did, by group code, so the caller can report it in one line."""

    workspace_id: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    # Indicators dropped from the file but kept because weekly values refer to them.
    kept_indicators: list[str] = field(default_factory=list)

    def describe(self, locale: str = "zh-CN") -> str:
        text = translate(
            locale,
            "roster.import.summary",
            total=len(self.created) + len(self.updated) + len(self.unchanged),
            created=len(self.created),
            updated=len(self.updated),
            unchanged=len(self.unchanged),
            deactivated=len(self.deactivated),
        )
        if self.deactivated:
            codes = ", ".join(self.deactivated)
            text += translate(locale, "roster.import.deactivated", codes=codes)
        if self.kept_indicators:
            names = ", ".join(self.kept_indicators)
            text += translate(locale, "roster.import.kept_indicators", names=names)
        return text


# --- columns ------------------------------------------------------------------------------

# field name -> (Chinese header, English header); the order is the order files are written in.
COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("名称", "name"),
    "code": ("代码", "code"),
    "order": ("序号", "order"),
    "responsible_unit": ("责任单位", "responsible unit"),
    "responsible_person": ("责任人", "responsible person"),
    "member_units": ("成员单位", "member units"),
    "duties": ("工作职责", "duties"),
    "primary_contact": ("联络员", "primary contact"),
    "deputy_contact": ("备用联络员", "deputy contact"),
    "indicators": ("重点指标", "indicators"),
}
REQUIRED = ("name", "code")

# Longest accepted text per column, from the database columns (Text columns get a sane cap).
MAX_LENGTH = {
    "name": 200,
    "code": 32,
    "responsible_unit": 200,
    "responsible_person": 100,
    "member_units": 2000,
    "duties": 4000,
    "primary_contact": 64,
    "deputy_contact": 64,
}
MAX_INDICATOR_NAME = 100
MAX_INDICATOR_UNIT = 20

COLUMN_WIDTHS = {
    "name": 26,
    "code": 8,
    "order": 6,
    "responsible_unit": 18,
    "responsible_person": 16,
    "member_units": 34,
    "duties": 50,
    "primary_contact": 20,
    "deputy_contact": 20,
    "indicators": 44,
}

_USERNAME_RE = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
_MEMBER_SPLIT_RE = re.compile(r"[、;；,，\n]")
_INDICATOR_SPLIT_RE = re.compile(r"[;；\n]")
_INDICATOR_RE = re.compile(
    r"^(?P<name>[^()（）:：]+?)\s*(?:[(（](?P<unit>[^()（）:：]*)[)）])?\s*(?:[:：]\s*(?P<target>.*))?$"
)


def column_title(column: str, locale: str = "zh-CN") -> str:
    """The header a user sees for a field: Chinese in zh-CN, English in en."""
    chinese, english = COLUMNS.get(column, (column, column))
    return english if locale == "en" else chinese


def _header_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("_", " ").split()).lower()


_HEADER_LOOKUP = {
    _header_key(title): column for column, titles in COLUMNS.items() for title in titles
}


# --- small parsers ------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    """A finite number from a cell; full-width digits and thousands separators allowed.

    Not :func:`bot.parsing.parse_number`: a roster cell is a file's round trip (any float
    written back by :func:`format_number` must read the same), not a person's typing.
    """
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def format_number(value: float) -> str:
    """``5000`` rather than ``5000.0``; other values in the shortest form that reads back."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def parse_indicators(cell: str) -> list[RosterIndicator]:
    """Parse an indicators cell (format in the module docstring); raise :class:`RosterError`.

    The issues it raises carry no row or column; :func:`read_roster` adds them.
    """
    indicators: list[RosterIndicator] = []
    issues: list[RosterIssue] = []
    items = [item.strip() for item in _INDICATOR_SPLIT_RE.split(cell)]
    for index, item in enumerate((item for item in items if item), start=1):
        match = _INDICATOR_RE.match(item)
        if match is None or not match.group("name").strip():
            issues.append(
                RosterIssue(
                    None, None, "roster.error.bad_indicator", {"index": index, "item": item}
                )
            )
            continue
        target_text = match.group("target")
        target = None
        if target_text is not None and target_text.strip():
            target = parse_number(target_text)
            if target is None:
                issues.append(
                    RosterIssue(
                        None,
                        None,
                        "roster.error.bad_target",
                        {"index": index, "value": target_text.strip()},
                    )
                )
                continue
        unit = (match.group("unit") or "").strip()
        indicators.append(RosterIndicator(match.group("name").strip(), unit, target))
    if issues:
        raise RosterError(issues)
    return indicators


def format_indicators(indicators: Iterable[RosterIndicator]) -> str:
    """The inverse of :func:`parse_indicators`: ``名称(单位):目标; ...``."""
    parts = []
    for indicator in indicators:
        text = indicator.name
        if indicator.unit:
            text += f"({indicator.unit})"
        if indicator.target is not None:
            text += f":{format_number(indicator.target)}"
        parts.append(text)
    return "; ".join(parts)


def split_member_units(cell: str) -> list[str]:
    return [unit.strip() for unit in _MEMBER_SPLIT_RE.split(cell) if unit.strip()]


def normalize_contact(text: str) -> str:
    """Contacts as typed: blanks removed, full-width ＠ and digits made ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


def contact_is_valid(contact: str) -> bool:
    return not contact or contact.isdigit() or bool(_USERNAME_RE.match(contact))


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


def _csv_rows(path: Path) -> list[list[str]]:
    text = _decode_csv(path.read_bytes())
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


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise RosterError(
            [RosterIssue(None, None, "roster.error.unreadable", {"reason": str(error)})]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _file_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise RosterError(
            [
                RosterIssue(
                    None, None, "roster.error.unknown_extension", {"suffix": suffix or path.name}
                )
            ]
        )
    if not path.is_file():
        raise RosterError(
            [RosterIssue(None, None, "roster.error.file_not_found", {"path": str(path)})]
        )
    rows = _csv_rows(path) if suffix == ".csv" else _xlsx_rows(path)
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
    rows = _file_rows(Path(path))
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


# --- validation shared by files and code ------------------------------------------------


def _check_group(group: RosterGroup, row: int) -> list[RosterIssue]:
    issues: list[RosterIssue] = []
    for column in REQUIRED:
        if not getattr(group, column).strip():
            issues.append(RosterIssue(row, column, "roster.error.empty"))
    texts = {
        "name": group.name,
        "code": group.code,
        "responsible_unit": group.responsible_unit,
        "responsible_person": group.responsible_person,
        "member_units": "、".join(group.member_units),
        "duties": group.duties,
        "primary_contact": group.primary_contact,
        "deputy_contact": group.deputy_contact,
    }
    for column, text in texts.items():
        if len(text) > MAX_LENGTH[column]:
            issues.append(
                RosterIssue(row, column, "roster.error.too_long", {"limit": MAX_LENGTH[column]})
            )
    for column in ("primary_contact", "deputy_contact"):
        value = getattr(group, column)
        if len(value) <= MAX_LENGTH[column] and not contact_is_valid(value):
            issues.append(RosterIssue(row, column, "roster.error.bad_contact", {"value": value}))
    if group.primary_contact and group.primary_contact.lower() == group.deputy_contact.lower():
        issues.append(RosterIssue(row, "deputy_contact", "roster.error.same_contact"))
    issues.extend(_check_indicators(group.indicators, row))
    return issues


def _check_indicators(indicators: Sequence[RosterIndicator], row: int) -> list[RosterIssue]:
    issues: list[RosterIssue] = []
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.name in seen:
            issues.append(
                RosterIssue(
                    row, "indicators", "roster.error.duplicate_indicator", {"name": indicator.name}
                )
            )
        seen.add(indicator.name)
        if len(indicator.name) > MAX_INDICATOR_NAME or len(indicator.unit) > MAX_INDICATOR_UNIT:
            issues.append(
                RosterIssue(
                    row,
                    "indicators",
                    "roster.error.indicator_too_long",
                    {
                        "name": indicator.name[:20],
                        "name_limit": MAX_INDICATOR_NAME,
                        "unit_limit": MAX_INDICATOR_UNIT,
                    },
                )
            )
    return issues


def check_groups(
    groups: Sequence[RosterGroup], rows: Sequence[int] | None = None
) -> list[RosterIssue]:
    """Every problem of a roster that the file syntax alone cannot catch.

    ``rows`` are the spreadsheet rows of the groups; without them, group *i* is taken to
    be on row *i* + 2, where :func:`write_roster` would put it.
    """
    row_numbers = list(rows) if rows is not None else [i + 2 for i in range(len(groups))]
    issues: list[RosterIssue] = []
    if not groups:
        issues.append(RosterIssue(None, None, "roster.error.no_groups"))
    first_row_of_code: dict[str, int] = {}
    for group, row in zip(groups, row_numbers, strict=True):
        issues.extend(_check_group(group, row))
        code = group.code.strip()
        if code and code in first_row_of_code:
            issues.append(
                RosterIssue(
                    row, "code", "roster.error.duplicate_code", {"other": first_row_of_code[code]}
                )
            )
        first_row_of_code.setdefault(code, row)
    return issues


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


# --- the database -------------------------------------------------------------------------


def _contact_text(person: Person) -> str:
    if person.username:
        return f"@{person.username}"
    return str(person.telegram_user_id) if person.telegram_user_id is not None else ""


def roster_group_of(group: TaskGroup) -> RosterGroup:
    """The roster row of a stored group (indicators and contacts must be loaded)."""
    contacts = {contact.kind: _contact_text(contact.person) for contact in group.contacts}
    return RosterGroup(
        name=group.name,
        code=group.code,
        order=group.position,
        responsible_unit=group.responsible_unit,
        responsible_person=group.responsible_person,
        member_units=split_member_units(group.member_units),
        duties=group.duties,
        primary_contact=contacts.get("primary", ""),
        deputy_contact=contacts.get("deputy", ""),
        indicators=[
            RosterIndicator(i.name, i.unit, i.target)
            for i in sorted(group.indicators, key=lambda i: i.position)
        ],
    )


async def _stored_groups(session: AsyncSession, workspace_id: int) -> list[TaskGroup]:
    result = await session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace_id)
        .options(
            selectinload(TaskGroup.indicators),
            selectinload(TaskGroup.contacts).selectinload(Contact.person),
        )
        .order_by(TaskGroup.position, TaskGroup.code)
    )
    return list(result)


async def load_roster(session: AsyncSession, chat_id: int) -> list[RosterGroup]:
    """The active groups of the chat's workspace in report order (empty if none)."""
    workspace = await workspace_for_chat(session, chat_id)
    if workspace is None:
        return []
    return [roster_group_of(g) for g in await _stored_groups(session, workspace.id) if g.active]


class _People:
    """Finds or creates the Person for each contact, once per import."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cache: dict[str, Person] = {}

    async def get(self, contact: str) -> Person:
        key = contact.lower()
        if key not in self.cache:
            self.cache[key] = await self._find(contact) or self._create(contact)
        return self.cache[key]

    async def _find(self, contact: str) -> Person | None:
        if contact.isdigit():
            query = select(Person).where(Person.telegram_user_id == int(contact))
        else:
            query = select(Person).where(func.lower(Person.username) == contact[1:].lower())
        return (await self.session.scalars(query.order_by(Person.id).limit(1))).first()

    def _create(self, contact: str) -> Person:
        if contact.isdigit():
            person = Person(telegram_user_id=int(contact), display_name="")
        else:
            person = Person(username=contact[1:], display_name="")
        self.session.add(person)
        return person


def _same_fields(stored: RosterGroup, wanted: RosterGroup) -> bool:
    """Equal apart from contacts, which are compared as people (``@Ann`` is ``@ann``)."""
    ignore = {"primary_contact": "", "deputy_contact": ""}
    return {**stored.__dict__, **ignore} == {**wanted.__dict__, **ignore}


async def _indicator_has_values(session: AsyncSession, indicator: Indicator) -> bool:
    if indicator.id is None:
        return False
    return bool(
        await session.scalar(select(exists().where(IndicatorValue.indicator_id == indicator.id)))
    )


async def _apply_indicators(
    session: AsyncSession, group: TaskGroup, wanted: Sequence[RosterIndicator], kept: list[str]
) -> None:
    """Match indicators by name; drop the ones no longer listed unless values refer to them."""
    by_name = {indicator.name: indicator for indicator in group.indicators}
    for position, item in enumerate(wanted, start=1):
        indicator = by_name.pop(item.name, None)
        if indicator is None:
            indicator = Indicator(name=item.name)
            group.indicators.append(indicator)
        indicator.unit, indicator.target, indicator.position = item.unit, item.target, position
    for indicator in by_name.values():
        if await _indicator_has_values(session, indicator):
            indicator.position = len(wanted) + 1
            kept.append(f"{group.code}:{indicator.name}")
        else:
            group.indicators.remove(indicator)


async def _apply_contacts(group: TaskGroup, wanted: RosterGroup, people: _People) -> bool:
    """Make the group's contacts the wanted ones, reusing rows per person; True if changed."""
    desired: dict[int, tuple[str, Person]] = {}
    for kind, text in (("primary", wanted.primary_contact), ("deputy", wanted.deputy_contact)):
        if text:
            person = await people.get(text)
            desired.setdefault(id(person), (kind, person))
    current = {(c.kind, id(c.person)) for c in group.contacts}
    if current == {(kind, key) for key, (kind, _) in desired.items()}:
        return False
    existing = {id(contact.person): contact for contact in group.contacts}
    for key, (kind, person) in desired.items():
        contact = existing.pop(key, None)
        if contact is None:
            group.contacts.append(Contact(person=person, kind=kind))
        else:
            contact.kind = kind
    for contact in existing.values():
        group.contacts.remove(contact)
    return True


def _copy_fields(group: TaskGroup, wanted: RosterGroup) -> None:
    group.name = wanted.name
    group.position = wanted.order
    group.responsible_unit = wanted.responsible_unit
    group.responsible_person = wanted.responsible_person
    group.member_units = "、".join(wanted.member_units)
    group.duties = wanted.duties
    group.active = True


async def _ensure_workspace(session: AsyncSession, chat_id: int, title: str | None) -> Workspace:
    workspace = await workspace_for_chat(session, chat_id)
    if workspace is None:
        workspace = Workspace(
            chat_id=chat_id, title=title or "", created_at=clock.now(), settings={}
        )
        session.add(workspace)
        await session.flush()
    elif title is not None:
        workspace.title = title
    return workspace


async def apply_roster(
    session: AsyncSession,
    chat_id: int,
    groups: Sequence[RosterGroup],
    *,
    title: str | None = None,
    actor_id: int | None = None,
    action: str = "roster.import",
) -> ImportSummary:
    """Make the chat's workspace hold exactly ``groups`` as its active roster.

    Groups are matched by code and updated in place, so their ids (and the history that
    refers to them) survive a rename. Groups missing from the roster are deactivated, never
    deleted. Everything happens in ``session``; the caller's unit of work commits it.
    """
    issues = check_groups(groups)
    if issues:
        raise RosterError(issues)
    workspace = await _ensure_workspace(session, chat_id, title)
    stored = {group.code: group for group in await _stored_groups(session, workspace.id)}
    before = [asdict(roster_group_of(group)) for group in stored.values() if group.active]
    summary = ImportSummary(workspace_id=workspace.id)
    people = _People(session)
    for wanted in groups:
        await _apply_group(
            session, workspace, stored.pop(wanted.code, None), wanted, people, summary
        )
    for group in stored.values():
        if group.active:
            group.active = False
            summary.deactivated.append(group.code)
    _audit(session, workspace.id, summary, before, groups, actor_id, action)
    await session.flush()
    return summary


async def _apply_group(
    session: AsyncSession,
    workspace: Workspace,
    group: TaskGroup | None,
    wanted: RosterGroup,
    people: _People,
    summary: ImportSummary,
) -> None:
    if group is None:
        group = TaskGroup(workspace_id=workspace.id, code=wanted.code, indicators=[], contacts=[])
        session.add(group)
        _copy_fields(group, wanted)
        await _apply_indicators(session, group, wanted.indicators, summary.kept_indicators)
        await _apply_contacts(group, wanted, people)
        summary.created.append(wanted.code)
        return
    fields_same = group.active and _same_fields(roster_group_of(group), wanted)
    if not fields_same:
        _copy_fields(group, wanted)
        await _apply_indicators(session, group, wanted.indicators, summary.kept_indicators)
    contacts_changed = await _apply_contacts(group, wanted, people)
    (summary.unchanged if fields_same and not contacts_changed else summary.updated).append(
        wanted.code
    )


def _audit(
    session: AsyncSession,
    workspace_id: int,
    summary: ImportSummary,
    before: list[dict[str, Any]],
    groups: Sequence[RosterGroup],
    actor_id: int | None,
    action: str,
) -> None:
    """Who changed the roster (None: the operator's command line), with before and after."""
    audit.record(
        session,
        action=action,
        now=clock.now(),
        workspace_id=workspace_id,
        person_id=actor_id,
        before=before,
        after=[asdict(group) for group in groups],
        created=summary.created,
        updated=summary.updated,
        unchanged=len(summary.unchanged),
        deactivated=summary.deactivated,
        kept_indicators=summary.kept_indicators,
    )
