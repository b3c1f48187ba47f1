"""A roster file sent in the chat: whether it is one, whether it is taken, and its groups.

:func:`read_upload` decides everything about the file before the update's unit of work
opens (as :func:`bot.paste.docx.read_report` does for a Word report): the handler only
fetches the bytes, and neither the download nor the parse holds the database. A file is
refused in one line when it is over :data:`MAX_BYTES`, of another kind, or a workbook with
macros or formulas (a formula's value is whatever Excel last cached, or nothing if another
program wrote the file: the import would take numbers nobody typed). A file that is taken
but wrong gets the importer's row-precise issues (:class:`~bot.roster.model.RosterError`).
"""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.roster.model import RosterError, RosterGroup, RosterIssue
from bot.roster.reading import read_roster_bytes

MAX_BYTES = 1024 * 1024
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMES = frozenset({"text/csv", "text/comma-separated-values", "application/csv"})
SPREADSHEET_MIMES = CSV_MIMES | {
    XLSX_MIME,
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.ms-excel",
}
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".csv")
# A formula cell is an <f> element in a worksheet's XML (with or without a namespace prefix).
_FORMULA = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s/>]")


@dataclass(frozen=True)
class Upload:
    """A sent roster file's groups, its issues, or the catalog key of the line refusing it."""

    groups: list[RosterGroup] = field(default_factory=list)
    issues: list[RosterIssue] = field(default_factory=list)
    refusal: str = ""


TOO_BIG = Upload(refusal="roster.upload.too_big")
WRONG_TYPE = Upload(refusal="roster.upload.wrong_type")
MACROS = Upload(refusal="roster.upload.macros")
FORMULAS = Upload(refusal="roster.upload.formulas")


def is_spreadsheet(file_name: str | None, mime_type: str | None) -> bool:
    """Whether a sent file looks like a roster (a spreadsheet or CSV) rather than a report:
    the handler routes it here. Being taken is decided later, by :func:`read_upload`."""
    name = (file_name or "").lower()
    return name.endswith(SPREADSHEET_SUFFIXES) or (mime_type or "").lower() in SPREADSHEET_MIMES


def kind_of(file_name: str | None, mime_type: str | None) -> str | None:
    """``.xlsx`` or ``.csv`` when the file is one the importer reads; None otherwise.

    The name decides when it has a suffix; a name without one falls back to the type the
    client declared.
    """
    name = (file_name or "").lower()
    if "." in name.rsplit("/", 1)[-1]:
        suffix = "." + name.rsplit(".", 1)[-1]
        return suffix if suffix in (".xlsx", ".csv") else None
    mime = (mime_type or "").lower()
    if mime == XLSX_MIME:
        return ".xlsx"
    return ".csv" if mime in CSV_MIMES else None


def is_macro_file(file_name: str | None, mime_type: str | None) -> bool:
    name = (file_name or "").lower()
    return name.endswith((".xlsm", ".xltm")) or "macroenabled" in (mime_type or "").lower()


def workbook_refusal(data: bytes) -> Upload | None:
    """MACROS or FORMULAS for a workbook that has them; None for a plain one (or for bytes
    that are no workbook at all: the reader says that, as the CLI importer does)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with archive:
        names = archive.namelist()
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return MACROS
        content_types = _read(archive, "[Content_Types].xml")
        if b"macroEnabled" in content_types or b"vbaProject" in content_types:
            return MACROS
        for name in names:
            sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            if sheet and _FORMULA.search(_read(archive, name)):
                return FORMULAS
    return None


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, at most a little over the file limit (a zip bomb stops there)."""
    try:
        with archive.open(name) as member:
            return member.read(8 * MAX_BYTES)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
        return b""


def parse_upload(kind: str, data: bytes) -> Upload:
    """The groups of a file already fetched (``kind`` from :func:`kind_of`)."""
    if len(data) > MAX_BYTES:  # the declared size is the sender's word, not the file's
        return TOO_BIG
    if kind == ".xlsx":
        refused = workbook_refusal(data)
        if refused is not None:
            return refused
    try:
        return Upload(groups=read_roster_bytes(f"upload{kind}", data))
    except RosterError as error:
        return Upload(issues=error.errors)


async def read_upload(
    file_name: str | None,
    mime_type: str | None,
    size: int | None,
    fetch: Callable[[], Awaitable[bytes]],
) -> Upload:
    """A sent file's groups or issues, fetched only once its name and declared size allow."""
    if is_macro_file(file_name, mime_type):
        return MACROS
    kind = kind_of(file_name, mime_type)
    if kind is None:
        return WRONG_TYPE
    if (size or 0) > MAX_BYTES:
        return TOO_BIG
    data = await fetch()
    return await asyncio.to_thread(parse_upload, kind, data)  # openpyxl is slow on big files
