"""The text of a weekly report sent as a Word (.docx) file, read by python-docx.

Paragraphs in order, one per line, as the contact would have pasted them; tables are read
row by row (cells joined with "；"), since some offices put their figures in one. A file
that is not a readable .docx raises :class:`NotAReport`, answered with one line.
"""

from __future__ import annotations

import io
import zipfile

MAX_BYTES = 2 * 1024 * 1024
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NotAReport(ValueError):
    """The file is not a .docx that python-docx can read."""


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
