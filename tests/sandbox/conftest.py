"""Fixtures for the sandbox's own tests (the server and driver come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram.request import HTTPXRequest

from sandbox.driver import SandboxDriver, SandboxUser, shared_tls
from sandbox.server import ThreadedSandbox


@pytest.fixture
async def bot(sandbox: ThreadedSandbox) -> AsyncIterator[telegram.Bot]:
    """python-telegram-bot's own client, pointed at the sandbox: the protocol's best judge."""
    client = telegram.Bot(
        sandbox.token,
        base_url=sandbox.bot_api_base_url,
        base_file_url=sandbox.file_base_url,
        request=HTTPXRequest(httpx_kwargs={"verify": shared_tls()}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": shared_tls()}),
    )
    async with client:
        yield client


@pytest.fixture
async def api(sandbox: ThreadedSandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client on ``/bot<token>/``, to check the wire format itself."""
    base = f"{sandbox.bot_api_base_url}{sandbox.token}/"
    async with httpx.AsyncClient(base_url=base, timeout=30, verify=shared_tls()) as client:
        yield client


@pytest.fixture
async def alice(driver: SandboxDriver) -> SandboxUser:
    """A user who has started the bot (so the bot may write to her)."""
    user = await driver.create_user("王", "丽", username="wang_li", language_code="zh-hans")
    await driver.send_text(user, user.id, "/start")
    return user
