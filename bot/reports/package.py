"""Byte-stable Office files: the same content gives the same ``.docx`` / ``.xlsx`` bytes.

python-docx and openpyxl write each zip entry with the current time, so two renderings of
the same bulletin differ in their bytes though not in their content. Re-packing with one
fixed time (the document's own date) makes a republished bulletin the very same file,
which is what "stored as it was" promises and what a test can check with ``==``.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time

ZIP_EPOCH = datetime(1980, 1, 1)  # the earliest time a zip entry can carry

# What XML 1.0 cannot carry at all: C0 controls but tab, newline and return; lone
# surrogates; U+FFFE and U+FFFF. lxml refuses them, so one pasted control character
# would cost the office its whole document.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PAGE_BREAKS = re.compile("[\x0b\x0c]")  # vertical tab, form feed: Excel's line breaks


def xml_text(text: str) -> str:
    """``text`` as XML can hold it: line-break controls become newlines, and any other
    character XML forbids becomes U+FFFD, visibly, rather than vanishing."""
    return _NOT_XML.sub("\ufffd", _PAGE_BREAKS.sub("\n", text))


def stable_zip(data: bytes, moment: date | datetime) -> bytes:
    """``data`` (a zip) with every entry stamped ``moment``, in the same order."""
    when = moment if isinstance(moment, datetime) else datetime.combine(moment, time())
    when = max(when.replace(tzinfo=None), ZIP_EPOCH)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():  # [Content_Types].xml stays first, as readers expect
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return output.getvalue()
