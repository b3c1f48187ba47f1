"""Flood limits, injected faults, and file upload and download."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import telegram
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from sandbox.driver import SandboxDriver, SandboxUser, shared_tls
from sandbox.flood import FloodLimits
from sandbox.samples import png_bytes
from sandbox.server import ThreadedSandbox

# PTB 22 warns that RetryAfter.retry_after will become a timedelta; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_private_chat_allows_a_short_burst_then_one_per_second() -> None:
    clock = FakeClock()
    limits = FloodLimits(clock=clock)
    for _ in range(3):
        limits.check(1, 42, is_group=False)
    with pytest.raises(Exception, match="retry after 1") as caught:
        limits.check(1, 42, is_group=False)
    assert caught.value.retry_after == 1  # type: ignore[attr-defined]
    clock.now += 1.0
    limits.check(1, 42, is_group=False)
    limits.check(1, 43, is_group=False)  # another chat has its own bucket


def test_group_allows_twenty_a_minute() -> None:
    clock = FakeClock()
    limits = FloodLimits(clock=clock)
    for _ in range(20):
        limits.check(1, -100, is_group=True)
    with pytest.raises(Exception, match="Too Many Requests: retry after 3"):
        limits.check(1, -100, is_group=True)
    clock.now += 3.0
    limits.check(1, -100, is_group=True)


def test_thirty_a_second_in_all() -> None:
    clock = FakeClock()
    limits = FloodLimits(clock=clock)
    for chat in range(30):
        limits.check(1, chat, is_group=False)
    with pytest.raises(Exception, match="retry after 1"):
        limits.check(1, 999, is_group=False)


def test_a_normal_conversation_never_trips_the_limit() -> None:
    clock = FakeClock()
    limits = FloodLimits(clock=clock)
    for _ in range(50):  # two replies to each user message, one message every 2 seconds
        limits.check(1, 42, is_group=False)
        limits.check(1, 42, is_group=False)
        clock.now += 2.0


async def test_flood_limit_through_the_bot_api(
    bot: telegram.Bot, driver: SandboxDriver, api: httpx.AsyncClient, alice: SandboxUser
) -> None:
    await driver.set_flood_limits(True)
    for number in range(3):
        await bot.send_message(alice.id, f"burst {number}")
    response = await api.post("sendMessage", data={"chat_id": alice.id, "text": "too fast"})
    assert response.status_code == 429
    body = response.json()
    assert body["error_code"] == 429
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"] == {"retry_after": 1}
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "still too fast")
    assert caught.value.retry_after == 1
    await asyncio.sleep(1.05)
    await bot.send_message(alice.id, "after waiting")


async def test_injected_bad_gateway(bot: telegram.Bot, driver: SandboxDriver) -> None:
    await driver.inject_fault("error", method="getMe", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()
    assert (await bot.get_me()).is_bot


async def test_injected_retry_after(bot: telegram.Bot, driver: SandboxDriver) -> None:
    await driver.inject_fault("retry_after", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter):
        await bot.send_message(1, "x")


async def test_injected_dropped_connection(
    sandbox: ThreadedSandbox, api: httpx.AsyncClient, driver: SandboxDriver
) -> None:
    await driver.inject_fault("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await api.post("getMe")
    assert (await api.post("getMe")).status_code == 200


async def test_injected_delay(api: httpx.AsyncClient, driver: SandboxDriver) -> None:
    await driver.inject_fault("delay", method="getMe", delay=0.4)
    started = time.monotonic()
    assert (await api.post("getMe")).status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(httpx.ReadTimeout):
        await driver.inject_fault("delay", delay=1.0)
        await api.post("getMe", timeout=0.2)
    await driver.clear_faults()


async def test_slow_answer_is_a_ptb_timeout(
    sandbox: ThreadedSandbox, driver: SandboxDriver
) -> None:
    await driver.inject_fault("delay", method="sendMessage", delay=1.0)
    async with telegram.Bot(sandbox.token, base_url=sandbox.bot_api_base_url) as client:
        with pytest.raises(TimedOut):
            await client.send_message(1, "x", read_timeout=0.2)


async def test_photo_upload_getfile_and_download(
    bot: telegram.Bot, alice: SandboxUser, sandbox: ThreadedSandbox
) -> None:
    image = png_bytes(4, 3)
    sent = await bot.send_photo(alice.id, image, caption="图表")
    (size,) = sent.photo
    assert (size.width, size.height) == (4, 3)
    assert sent.caption == "图表"
    file = await bot.get_file(size.file_id)
    assert file.file_path is not None and file.file_size == len(image)
    assert bytes(await file.download_as_bytearray()) == image
    # PTB expands file_path into the download URL: /file/bot<token>/<file_path>
    assert file.file_path.startswith(f"{sandbox.file_base_url}{sandbox.token}/photos/")
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        assert (await client.get(file.file_path)).content == image
    resent = await bot.send_photo(alice.id, size.file_id)
    assert resent.photo[0].file_id == size.file_id


async def test_document_upload_roundtrip(bot: telegram.Bot, alice: SandboxUser) -> None:
    content = "周报,完成率\n甲,80%\n".encode()
    sent = await bot.send_document(alice.id, content, filename="周报.csv", caption="本周")
    assert sent.document.file_name == "周报.csv"
    assert sent.document.mime_type == "text/csv"
    file = await sent.document.get_file()
    assert bytes(await file.download_as_bytearray()) == content


async def test_media_group_with_attachments(bot: telegram.Bot, alice: SandboxUser) -> None:
    media = [
        telegram.InputMediaPhoto(png_bytes(2, 2), caption="一"),
        telegram.InputMediaPhoto(png_bytes(5, 5)),
    ]
    sent = await bot.send_media_group(alice.id, media)
    assert len(sent) == 2
    assert sent[0].media_group_id == sent[1].media_group_id is not None
    assert sent[0].caption == "一" and sent[1].photo[0].width == 5


async def test_photo_that_is_not_an_image_is_refused(bot: telegram.Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(alice.id, b"not an image")
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(alice.id, "AgACunknown")


async def test_user_uploads_reach_the_bot(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    image = png_bytes(6, 6)
    await driver.send_photo(alice, alice.id, image, caption="现场照片")
    await driver.send_document(alice, alice.id, b"a,b\n", "data.csv")
    updates = await bot.get_updates()
    photo_message, document_message = updates[-2].message, updates[-1].message
    assert photo_message.caption == "现场照片"
    photo_file = await photo_message.photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()) == image
    assert document_message.document.file_name == "data.csv"
