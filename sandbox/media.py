"""Photos and documents: storing uploads and describing them as PhotoSize / Document.

Why: the bot sends charts (photos) and reports (documents) and reads what users upload, so
uploads must round-trip byte for byte: a multipart upload, the PhotoSize/Document in the
Message, ``getFile`` and ``GET /file/bot<token>/<file_path>`` must all agree. Like
Telegram, a "photo" that is not a readable image is refused.
"""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

from sandbox.errors import bad_request
from sandbox.state import StoredFile, World
from sandbox.upload import UploadedFile

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # what a bot may upload (sendDocument)
# What a bot may download (getFile): larger files are refused, as Telegram refuses them.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# A user may upload up to 2 GB in Telegram; the sandbox keeps files in memory and takes
# them base64 in a JSON body (sandbox.server's request limit), so it stops at 64 MB: above
# the bot's 50 MB and getFile's 20 MB, so that both limits can be seen, and far from 2 GB.
MAX_USER_DOCUMENT_BYTES = 64 * 1024 * 1024
WRONG_FILE = "wrong file identifier/HTTP URL specified"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG, read from its header; None if not an image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def existing_file(world: World, file_id: str) -> StoredFile:
    """A file sent earlier, re-sent by its file_id; URLs cannot be fetched offline."""
    stored = world.files.get(file_id)
    if stored is not None:
        return stored
    if file_id.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    raise bad_request(WRONG_FILE)


def store_photo(world: World, value: UploadedFile | str) -> StoredFile:
    if isinstance(value, str):
        return existing_file(world, value)
    if len(value.data) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    size = image_size(value.data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    return world.store_file(value.data, "photos", "jpg", width=size[0], height=size[1])


def store_document(
    world: World, value: UploadedFile | str, limit: int = MAX_DOCUMENT_BYTES
) -> StoredFile:
    """A document sent by the bot (``limit`` the Bot API's 50 MB) or by a user (larger)."""
    if isinstance(value, str):
        return existing_file(world, value)
    if not value.data:
        raise bad_request("file must be non-empty")
    if len(value.data) > limit:
        raise bad_request("file is too big")
    name = value.filename or "document"
    mime = value.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    return world.store_file(value.data, "documents", extension, file_name=name, mime_type=mime)


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width or 1,
            "height": stored.height or 1,
            "file_size": len(stored.data),
        }
    ]


def document(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data
