"""getUpdates semantics, webhooks with a secret, load balancing and duplicate delivery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict

from sandbox.driver import SandboxDriver, SandboxUser
from sandbox.server import ThreadedSandbox
from sandbox.webhook import SECRET_HEADER


async def test_offset_confirms_earlier_updates(bot: telegram.Bot, driver: SandboxDriver) -> None:
    user = await driver.create_user("甲")
    for text in ("one", "two", "three"):
        await driver.send_text(user, user.id, text)
    updates = await bot.get_updates()
    assert [u.message.text for u in updates] == ["one", "two", "three"]
    ids = [u.update_id for u in updates]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [u.message.text for u in await bot.get_updates(limit=1)] == ["one"]
    assert [u.message.text for u in await bot.get_updates(offset=ids[1])] == ["two", "three"]
    # The offset confirmed "one": it never comes back.
    assert [u.message.text for u in await bot.get_updates()] == ["two", "three"]
    assert await bot.get_updates(offset=ids[2] + 1) == ()


async def test_long_poll_returns_when_an_update_arrives(
    bot: telegram.Bot, driver: SandboxDriver
) -> None:
    user = await driver.create_user("乙")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await driver.send_text(user, user.id, "wake up")
    updates = await asyncio.wait_for(poll, 3)
    assert updates[0].message.text == "wake up"


async def test_long_poll_times_out_empty(api: httpx.AsyncClient) -> None:
    response = await api.post("getUpdates", data={"timeout": "1"})
    assert response.json() == {"ok": True, "result": []}


async def test_second_poller_makes_the_first_fail_with_409(
    bot: telegram.Bot, sandbox: ThreadedSandbox
) -> None:
    """Two running instances of one bot: the older long poll is terminated."""
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with telegram.Bot(sandbox.token, base_url=sandbox.bot_api_base_url) as other:
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_allowed_updates_filters_new_updates(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await bot.get_updates(offset=-1)
    (last,) = await bot.get_updates(offset=-1)
    await bot.get_updates(offset=last.update_id + 1, allowed_updates=["callback_query"])
    await bot.send_message(
        alice.id,
        "choose",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("A", callback_data="a")]]
        ),
    )
    await driver.send_text(alice, alice.id, "ignored text")
    await driver.press_button(alice, alice.id, "A")
    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates] == ["a"]


@dataclass
class Receiver:
    """A tiny webhook endpoint recording what Telegram (the sandbox) posts to it."""

    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.secrets.append(request.headers.get(SECRET_HEADER))
        self.received.append(json.loads(await request.text()))
        self.arrived.set()
        return web.Response(status=self.status)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receivers() -> AsyncIterator[list[Receiver]]:
    made: list[Receiver] = []
    runners: list[web.AppRunner] = []
    for _ in range(2):
        receiver = Receiver()
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        receiver.url = f"http://127.0.0.1:{port}/hook"
        made.append(receiver)
        runners.append(runner)
    yield made
    for runner in runners:
        await runner.cleanup()


async def test_webhook_delivery_with_secret(
    bot: telegram.Bot, driver: SandboxDriver, receivers: list[Receiver]
) -> None:
    hook = receivers[0]
    assert await bot.set_webhook(hook.url, secret_token="s3cret-token")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    user = await driver.create_user("丙")
    await driver.send_text(user, user.id, "via webhook")
    await hook.wait_for(1)
    assert hook.received[0]["message"]["text"] == "via webhook"
    assert hook.secrets == ["s3cret-token"]
    info = await bot.get_webhook_info()
    assert info.url == hook.url and info.pending_update_count == 0
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_failed_delivery_is_retried_and_reported(
    bot: telegram.Bot, driver: SandboxDriver, receivers: list[Receiver]
) -> None:
    hook = receivers[0]
    hook.status = 500
    await bot.set_webhook(hook.url)
    user = await driver.create_user("丁")
    await driver.send_text(user, user.id, "retry me")
    await hook.wait_for(1)
    await asyncio.sleep(0.1)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None and "500" in info.last_error_message
    hook.status = 200
    await hook.wait_for(2)
    assert hook.received[0] == hook.received[1]
    await asyncio.sleep(0.1)
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_round_robin_targets_and_redelivery(
    bot: telegram.Bot, driver: SandboxDriver, receivers: list[Receiver]
) -> None:
    first, second = receivers
    await bot.set_webhook("https://lihui.example.org/telegram", secret_token="abc")
    await driver.set_webhook_targets([first.url, second.url])
    user = await driver.create_user("戊")
    for number in range(4):
        await driver.send_text(user, user.id, f"m{number}")
        await (first if number % 2 == 0 else second).wait_for(number // 2 + 1)
    assert [u["message"]["text"] for u in first.received] == ["m0", "m2"]
    assert [u["message"]["text"] for u in second.received] == ["m1", "m3"]
    # Telegram may deliver an update twice, here to the other instance: same update_id.
    await driver.redeliver(second.received[0]["update_id"])
    await first.wait_for(3)
    assert first.received[2] == second.received[0]
    assert set(first.secrets + second.secrets) == {"abc"}


async def test_drop_pending_updates(bot: telegram.Bot, driver: SandboxDriver) -> None:
    user = await driver.create_user("己")
    await driver.send_text(user, user.id, "old")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_reset_keeps_update_ids_increasing(bot: telegram.Bot, driver: SandboxDriver) -> None:
    """A bot that keeps running across a reset must not see update ids go backwards."""
    user = await driver.create_user("庚")
    await driver.send_text(user, user.id, "before")
    (before,) = await bot.get_updates()
    await driver.reset()
    user = await driver.create_user("辛")
    await driver.send_text(user, user.id, "after")
    (after,) = await bot.get_updates(offset=before.update_id + 1)
    assert after.update_id > before.update_id


async def test_setting_a_webhook_ends_a_running_long_poll(
    bot: telegram.Bot, sandbox: ThreadedSandbox
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with telegram.Bot(sandbox.token, base_url=sandbox.bot_api_base_url) as other:
        await other.set_webhook("https://lihui.example.org/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await asyncio.wait_for(poll, 3)
