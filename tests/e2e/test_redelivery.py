"""Updates the flood budget drops, and updates Telegram delivers twice.

A dropped press still gets its toast, a dropped text one notice per dry spell; a contact
who pastes a report in three messages and presses at once is not dropped with the default
budget; and a redelivered update (same update id, here after a kill -9 and a restart)
changes nothing, even one the budget had dropped the first time.
"""

from __future__ import annotations

import asyncio

import pytest

from sandbox.driver import SandboxDriver, SandboxMessage
from tests.e2e.conftest import Office, StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.scenario import Person, report_the_short_way, tiny_png

pytestmark = pytest.mark.e2e
DEFAULT_BUDGET = {"LIHUI_FLOOD_BURST": "", "LIHUI_FLOOD_PER_SECOND": ""}


async def bot_messages(driver: SandboxDriver, chat: int) -> list[tuple[int, int, str]]:
    return [(m.id, m.version, m.text) for m in await driver.messages(chat) if m.from_bot]


async def at_first_step(
    driver: SandboxDriver, office: Office, database_url: str, start_bot: StartBot
) -> tuple[BotProcess, Person, SandboxMessage]:
    """The bot with its real budget, and Zhang at the dialog's first question."""
    bot = await start_bot(database_url, DEFAULT_BUDGET)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    return bot, zhang, await zhang.reads("本周工作完成情况")


async def test_a_dropped_press_is_answered_and_a_dropped_burst_told_once(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    bot, zhang, prompt = await at_first_step(driver, office, seeded_sqlite, start_bot)
    for number in range(40):  # far more than a person sends: the budget runs dry
        await zhang.says(f"第{number}段")
    query = await driver.press_data(zhang.user, zhang.chat, prompt.id, "r:1:back")
    answer = await driver.wait_for_callback_answer(query)
    assert "操作太频繁" in answer["text"]  # the spinner stops, and says why
    await asyncio.sleep(1.0)
    notices = [m for m in await driver.messages(zhang.chat) if m.from_bot and "太快" in m.text]
    assert len(notices) == 1  # one notice for the whole burst, not one per message
    assert "dropped: over budget" in bot.log()


async def test_a_report_pasted_in_three_messages_and_a_press_are_all_taken(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    bot, zhang, _ = await at_first_step(driver, office, seeded_sqlite, start_bot)
    await driver.mark_seen(zhang.chat)
    for part in ("一、走访企业12家", "二、举办招聘会1场", "三、新增岗位30个"):
        await zhang.says(part)  # one long report, split by the client, at machine speed
    await zhang.reads("三、新增岗位30个")  # each part answered, the last one too
    query = await zhang.presses("跳过全部指标")
    await zhang.reads("本周工作总体进展如何")
    assert "操作太频繁" not in (await driver.wait_for_callback_answer(query)).get("text", "")
    assert "dropped: over budget" not in bot.log()


async def test_a_redelivered_press_and_album_change_nothing_even_when_first_dropped(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    # A budget that the dialog's steps and an album of three use up: the album's last photo
    # and the press are dropped.
    budget = {"LIHUI_FLOOD_BURST": "10", "LIHUI_FLOOD_PER_SECOND": "0.01"}
    bot = await start_bot(seeded_sqlite, budget)
    zhang = Person(driver, office.zhang)
    await report_the_short_way(zhang, "完成了走访", "继续走访")
    for seed in range(3):
        await driver.send_photo(zhang.user, zhang.chat, tiny_png(seed), media_group_id="album")
    await asyncio.sleep(1.0)
    query = await zhang.presses("完成")
    answer = await driver.wait_for_callback_answer(query)
    assert "操作太频繁" in answer["text"]  # dropped, and told so
    await asyncio.sleep(1.0)  # the dropped updates' marks are written (handlers/dropped.py)
    before = await bot_messages(driver, zhang.chat)
    history = (await driver.updates())["recent"]
    bot.kill()
    for update in history:  # Telegram delivers all of them again
        await driver.redeliver(update["update_id"])
    bot.start()
    await asyncio.sleep(2.0)
    assert (await driver.bot_info())["pending_update_count"] == 0
    assert await bot_messages(driver, zhang.chat) == before  # no edit, no new message
    await driver.mark_seen(zhang.chat)
    await zhang.presses("完成")  # pressed again (the restart forgave the budget): it acts
    await zhang.reads("周进展（预览）")
