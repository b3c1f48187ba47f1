"""Files users send, as Telegram treats them: the download limit, the upload limit, the
download route's token, and the media type a client declares."""

from __future__ import annotations

import httpx
import pytest
import telegram
from telegram.error import BadRequest

from sandbox.driver import SandboxDriver, SandboxError, SandboxUser, shared_tls
from sandbox.media import MAX_DOCUMENT_BYTES, MAX_DOWNLOAD_BYTES, MAX_USER_DOCUMENT_BYTES
from sandbox.server import ThreadedSandbox

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _sent_document(bot: telegram.Bot) -> telegram.Document:
    updates = await bot.get_updates()
    message = updates[-1].message
    assert message is not None and message.document is not None
    return message.document


async def test_get_file_refuses_a_file_over_20_mb(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await driver.send_document(alice, alice.id, b"x" * (MAX_DOWNLOAD_BYTES + 1), "big.bin")
    document = await _sent_document(bot)
    assert document.file_size == MAX_DOWNLOAD_BYTES + 1
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await bot.get_file(document.file_id)


async def test_a_file_of_exactly_20_mb_downloads(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    data = b"y" * MAX_DOWNLOAD_BYTES
    await driver.send_document(alice, alice.id, data, "edge.bin")
    file = await (await _sent_document(bot)).get_file()
    assert bytes(await file.download_as_bytearray()) == data


async def test_users_upload_more_than_a_bot_may_send_but_not_without_limit(
    driver: SandboxDriver, alice: SandboxUser
) -> None:
    assert MAX_USER_DOCUMENT_BYTES > MAX_DOCUMENT_BYTES > MAX_DOWNLOAD_BYTES
    with pytest.raises(SandboxError, match="too big"):
        await driver.send_document(alice, alice.id, b"z" * (MAX_USER_DOCUMENT_BYTES + 1), "h.bin")


async def test_download_with_an_unknown_bot_token_is_404(
    sandbox: ThreadedSandbox, bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await driver.send_document(alice, alice.id, b"a,b\n", "data.csv")
    file = await (await _sent_document(bot)).get_file()
    assert file.file_path is not None
    path = file.file_path.split(f"{sandbox.token}/", 1)[1]
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        good = await client.get(f"{sandbox.file_base_url}{sandbox.token}/{path}")
        forged = await client.get(f"{sandbox.file_base_url}999999:unknownSecret/{path}")
    assert good.status_code == 200 and good.content == b"a,b\n"
    assert forged.status_code == 404


async def test_send_document_declares_a_mime_type_or_has_it_guessed(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await driver.send_document(alice, alice.id, b"PK\x03\x04", "名册", mime_type=XLSX_MIME)
    assert (await _sent_document(bot)).mime_type == XLSX_MIME
    await driver.send_document(alice, alice.id, b"a,b\n", "名册.csv")
    assert (await _sent_document(bot)).mime_type == "text/csv"
