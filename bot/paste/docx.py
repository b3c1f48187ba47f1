"""The text of a weekly report sent as a Word (.docx) file, read by python-docx.

Paragraphs in order, one per line, as the contact would have pasted them; tables are read
row by row (cells joined with "；"), since some offices put their figures in one.

:func:`read_report` decides everything about a file a contact sent: whether it is taken,
and if not, which one-line refusal answers it. The handler only fetches its bytes, and
does so before the update's unit of work: a download and a parse must never hold the
database (on SQLite, its write lock) while they run.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MAX_BYTES = 2 * 1024 * 1024
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NotAReport(ValueError):
    """The file is not a .docx that python-docx can read."""


@dataclass(frozen=True)
class Read:
    """A file's report text, or the catalog key of the line that refuses it."""

    text: str = ""
    refusal: str = ""


WRONG_TYPE = Read(refusal="paste.docx.wrong_type")
TOO_BIG = Read(refusal="paste.docx.too_big")
UNREADABLE = Read(refusal="paste.docx.unreadable")


async def read_report(
    file_name: str | None,
    mime_type: str | None,
    size: int | None,
    fetch: Callable[[], Awaitable[bytes]],
) -> Read:
    """The text of a sent file, fetched only once its name and declared size allow it."""
    if not is_docx(file_name, mime_type):
        return WRONG_TYPE
    if (size or 0) > MAX_BYTES:
        return TOO_BIG
    data = await fetch()
    if len(data) > MAX_BYTES:  # the declared size is the sender's word, not the file's
        return TOO_BIG
    try:
        text = await asyncio.to_thread(docx_text, data)  # python-docx is slow on big files
    except NotAReport:
        return UNREADABLE
    return Read(text=text) if text.strip() else UNREADABLE


def is_docx(file_name: str | None, mime_type: str | None) -> bool:
    return (file_name or "").lower().endswith(".docx") or mime_type == DOCX_MIME


def docx_text(data: bytes) -> str:
    from docx import Document  # imported when a file comes, not at every start
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as error:
        raise NotAReport(str(error)) from error  # lxml's XMLSyntaxError is a SyntaxError
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append("；".join(dict.fromkeys(cells)))
    return "\n".join(line for line in lines if line.strip())
