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

The package, by concern: :mod:`~bot.roster.model` (the data, columns, cell parsers and the
checks), :mod:`~bot.roster.reading`, :mod:`~bot.roster.writing`, :mod:`~bot.roster.applying`
(the database), :mod:`~bot.roster.preview` (what an import would change), and
:mod:`~bot.roster.upload` (a file sent in the chat: is it taken, and its groups), and
:mod:`~bot.roster.chat` (/roster, the preview's pending import, 确认导入). The main public
names are re-exported here, so callers import from :mod:`bot.roster`.
"""

from __future__ import annotations

from bot.roster.applying import apply_roster, load_roster, roster_group_of
from bot.roster.model import (
    COLUMN_WIDTHS,
    COLUMNS,
    MAX_INDICATOR_NAME,
    MAX_INDICATOR_UNIT,
    MAX_LENGTH,
    REQUIRED,
    ImportSummary,
    RosterError,
    RosterGroup,
    RosterIndicator,
    RosterIssue,
    check_groups,
    column_title,
    contact_is_valid,
    format_indicators,
    format_number,
    normalize_contact,
    parse_indicators,
    parse_number,
    split_member_units,
)
from bot.roster.reading import read_roster, read_roster_bytes
from bot.roster.writing import roster_xlsx, write_roster

__all__ = [
    "COLUMNS",
    "COLUMN_WIDTHS",
    "MAX_INDICATOR_NAME",
    "MAX_INDICATOR_UNIT",
    "MAX_LENGTH",
    "REQUIRED",
    "ImportSummary",
    "RosterError",
    "RosterGroup",
    "RosterIndicator",
    "RosterIssue",
    "apply_roster",
    "check_groups",
    "column_title",
    "contact_is_valid",
    "format_indicators",
    "format_number",
    "load_roster",
    "normalize_contact",
    "parse_indicators",
    "parse_number",
    "read_roster",
    "read_roster_bytes",
    "roster_group_of",
    "roster_xlsx",
    "split_member_units",
    "write_roster",
]
