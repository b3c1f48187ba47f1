"""Sample media for scenarios: a valid PNG built in memory.

Why: the sandbox, like Telegram, refuses a "photo" it cannot read as an image, so tests
and the demo need real image bytes without shipping binary files.
"""

from __future__ import annotations

import struct
import zlib


def png_bytes(width: int = 3, height: int = 2, rgb: tuple[int, int, int] = (16, 32, 48)) -> bytes:
    """A valid, tiny, single-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
