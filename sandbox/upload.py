"""A file part received in a multipart request (``InputFile`` in the Bot API)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UploadedFile:
    """Bytes sent by the bot, with the name and media type the client gave them."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None
