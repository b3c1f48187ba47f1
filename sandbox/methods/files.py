"""getFile: where to download a stored file (``/file/bot<token>/<file_path>``)."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.media import MAX_DOWNLOAD_BYTES
from sandbox.methods import Call, method


@method("getFile")
async def get_file(call: Call) -> dict[str, Any]:
    stored = call.world.files.get(call.get("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD_BYTES:  # Telegram lets bots download up to 20 MB
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
