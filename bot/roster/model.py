"""The roster's data, its columns, the cell parsers, and the checks shared by files and code."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import translate

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
