"""The bot as a user first meets it: /start, /help, and what it does with the unexpected."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sandbox.driver import SandboxDriver, shared_tls
from sandbox.server import ThreadedSandbox
from tests.e2e.conftest import Office, StartBot

pytestmark = pytest.mark.e2e


async def test_start_and_help_in_private_in_chinese(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    # Executed, not forked (tests/e2e/harness.py): one test of each start from nothing.
    await start_bot(seeded_sqlite, exec_=True)
    zhang = office.zhang
    await driver.send_text(zhang, zhang.id, "/start")
    welcome = await driver.wait_for_message(zhang.id, contains="例会助手")
    assert "就业援助组" in welcome.text  # the roster named him by @username; now he is bound

    await driver.send_text(zhang, zhang.id, "/help")
    help_text = (await driver.wait_for_message(zhang.id, contains="可用命令")).text
    for command in ("/submit", "/mystatus", "/cancel", "/help"):
        assert command in help_text


async def test_help_in_the_office_chat_addressed_to_the_bot(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    bot = (await driver.bot_info())["user"]["username"]
    await driver.send_text(office.zhang, office.chat.id, f"/help@{bot}")
    reply = await driver.wait_for_message(office.chat.id, contains="可用命令")
    assert f"/submit@{bot}" in reply.text
    assert "/mystatus" not in reply.text  # private-chat commands are not offered in the group


async def test_unregistered_group_is_told_how_to_register(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    other = await driver.create_group("别的群", members=[office.outsider.id])
    bot = (await driver.bot_info())["user"]["username"]
    await driver.send_text(office.outsider, other.id, f"/help@{bot}")
    reply = await driver.wait_for_message(other.id, contains=str(other.id))
    assert "lihui roster import" in reply.text


async def test_english_user_gets_english(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    outsider = office.outsider
    await driver.send_text(outsider, outsider.id, "/start")
    reply = await driver.wait_for_message(outsider.id, contains="lihui")
    assert "not a contact" in reply.text


async def test_unknown_command_and_stray_text_get_a_hint(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = office.zhang
    await driver.send_text(zhang, zhang.id, "/nonsense")
    assert "/help" in (await driver.wait_for_message(zhang.id, contains="没有这个命令")).text
    await driver.send_text(zhang, zhang.id, "你好 <b>&amp;")
    await driver.wait_for_message(zhang.id, contains="/submit")
    # In the group, a bare unknown command may be for another bot: silence is right.
    await driver.send_text(zhang, office.chat.id, "/nonsense")
    await driver.expect_no_message(office.chat.id, within=1.0)


async def test_command_menus_are_registered_in_chinese_and_english(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    commands = await driver.commands()
    text = str(commands)
    assert "填报本周工作进展" in text
    assert "Report this week's progress" in text


async def test_the_command_menus_are_registered_in_both_languages(
    sandbox: ThreadedSandbox, seeded_sqlite: str, start_bot: StartBot
) -> None:
    """Registered while the first poll waits (they do not hold up the first update), but
    registered: Chinese by default, English for English clients, private and group menus."""
    await start_bot(seeded_sqlite)
    url = f"{sandbox.bot_api_base_url}{sandbox.token}/getMyCommands"

    async def menu(scope: str, language: str = "") -> list[str]:
        body = {"scope": {"type": scope}, "language_code": language}
        async with httpx.AsyncClient(verify=shared_tls()) as client:
            for _ in range(100):
                commands = (await client.post(url, json=body)).json()["result"]
                if commands:
                    return [c["description"] for c in commands]
                await asyncio.sleep(0.1)
        return []

    private = await menu("all_private_chats")
    assert any("填报" in text for text in private)
    assert any("report" in text.lower() for text in await menu("all_private_chats", "en"))
    assert await menu("all_group_chats")
    assert await menu("all_group_chats", "en")
