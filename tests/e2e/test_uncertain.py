"""A prompt that may not have arrived: the director is told, sends it again once, or not.

The bot is SIGKILLed while the sandbox drops every connection of its send to one contact
(the bot retries, the delivery stays ``sending``); the next start records it ``uncertain``
and, as designed, does not send it again. The director's ``/report`` then says so, with
重新发送 and 不必重发.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FileClock
from sandbox.driver import SandboxDriver, SandboxMessage, SandboxUser
from storage.models import Delivery, Membership, Person, Workspace
from tests.e2e.conftest import SHANGHAI, Office, StartBot
from tests.e2e.cycle import claims, deliveries, office_began
from tests.e2e.harness import BotProcess
from tests.e2e.seed import open_session

pytestmark = [pytest.mark.e2e, pytest.mark.long]

OPEN = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
PROMPT = "请填报2026年第48周"
NOTICE = "可能未送达"


async def prompts_for(driver: SandboxDriver, user: SandboxUser, group: str) -> int:
    """How many open prompts for ``group`` the contact has (the sandbox's messages)."""
    return sum(
        1
        for m in await driver.messages(user.id)
        if m.from_bot and PROMPT in m.text and group in m.text
    )


async def killed_while_sending_to(
    driver: SandboxDriver, bot: BotProcess, url: str, user: SandboxUser
) -> None:
    """Wait until the bot is (re)trying its send to ``user``, which the sandbox keeps
    dropping, then SIGKILL it: the send was in flight, and nothing reached the contact."""
    deadline = time.monotonic() + 60
    while not any(d.chat_id == user.id and d.status == "sending" for d in await deliveries(url)):
        assert time.monotonic() < deadline, "the send to the held contact did not start"
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # a retry or two into the dropped connections
    bot.kill()
    await driver.clear_faults()


async def hold(driver: SandboxDriver, user: SandboxUser) -> None:
    await driver.inject_fault(kind="drop", method="sendMessage", times=1000, chat_id=user.id)


async def open_done(url: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while await claims(url) != [("open", "2026-W48", "done")]:
        assert time.monotonic() < deadline, await claims(url)
        await asyncio.sleep(0.3)


async def started_office(
    driver: SandboxDriver, office: Office, url: str, start_bot: StartBot, clock: FileClock
) -> BotProcess:
    """Thursday 08:59: the contacts and the director have started the bot."""
    clock.set(OPEN - timedelta(minutes=1))
    await office_began(url, OPEN - timedelta(hours=1))
    bot = await start_bot(url)
    for user in (office.zhang, office.li, office.director):
        await driver.send_text(user, user.id, "/start")
        await driver.wait_for_message(user.id, contains="例会助手", timeout=30)
    return bot


async def all_prompts_sent(url: str, timeout: float = 10.0) -> list[Delivery]:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        rows = [d for d in await deliveries(url) if d.kind == "prompt"]
        if {d.status for d in rows} == {"sent"}:
            return rows
        assert time.monotonic() < deadline, [(d.chat_id, d.status) for d in rows]
        await asyncio.sleep(0.2)


def callback_data(message: SandboxMessage, label: str) -> str:
    markup: dict[str, Any] = message.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.short()}")


async def report(driver: SandboxDriver, person: SandboxUser) -> None:
    """/report in private, up to its last regular message (the chart with its buttons)."""
    await driver.mark_seen(person.id)
    await driver.send_text(person, person.id, "/report")
    await driver.wait_for_message(person.id, contains="填报情况", timeout=60)
    await driver.wait_for_message(
        person.id, where=lambda m: "📢 发布通报" in m.button_texts, timeout=60
    )


async def press(
    driver: SandboxDriver, user: SandboxUser, message: SandboxMessage, data: str
) -> str:
    """Send a button's data (it may no longer show: a double tap); the toast it got."""
    query = await driver.press_data(user, user.id, message, data)
    return str((await driver.wait_for_callback_answer(query, timeout=30)).get("text", ""))


async def add_staff(driver: SandboxDriver, url: str) -> SandboxUser:
    qian = await driver.create_user("钱干事", username="qian_staff", language_code="zh-hans")
    async with open_session(url) as session:
        workspace = await session.scalar(select(Workspace.id))
        person = Person(username="qian_staff", display_name="qian_staff")
        session.add(person)
        await session.flush()
        session.add(Membership(workspace_id=workspace, person_id=person.id, role="staff"))
    return qian


async def test_the_director_sends_again_what_a_kill_left_uncertain_and_each_arrives_once(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    url = seeded_database
    qian = await add_staff(driver, url)
    bot = await started_office(driver, office, url, start_bot, clock)
    # 09:00 the prompts go out: 张伟 (就业援助组) first, then 李娜 (志愿服务组, 环境整治组).
    await hold(driver, office.zhang)
    clock.set(OPEN)
    await killed_while_sending_to(driver, bot, url, office.zhang)
    # The next start leaves 张伟's prompt alone and goes on with 李娜's: killed again.
    await hold(driver, office.li)
    bot.start()
    await killed_while_sending_to(driver, bot, url, office.li)
    bot.start()
    await open_done(url)
    assert "was being sent when the bot stopped" in bot.log()
    assert await prompts_for(driver, office.zhang, "就业援助组") == 0
    assert await prompts_for(driver, office.li, "志愿服务组") == 0
    assert await prompts_for(driver, office.li, "环境整治组") == 1
    assert {d.status for d in await deliveries(url)} == {"sent", "uncertain"}

    # Half an hour later (no other instance can still be sending them) the director asks.
    clock.set(OPEN + timedelta(minutes=30))
    await driver.send_text(qian, qian.id, "/start")
    await report(driver, office.director)
    notice = await driver.wait_for_message(office.director.id, contains=NOTICE, timeout=30)
    assert "2条定时消息可能未送达" in notice.text and "张伟、李娜" in notice.text
    assert notice.button_texts == ["重新发送", "不必重发"]
    await report(driver, qian)  # staff see it too, and may press their own copy
    staff_notice = await driver.wait_for_message(qian.id, contains=NOTICE, timeout=30)

    resend = callback_data(notice, "重新发送")
    assert await press(driver, office.director, notice, resend) == (
        "已重新发送2条定时消息：张伟、李娜。"
    )
    await driver.wait_for_edit(office.director.id, notice, contains="已重新发送2条")
    # Out within seconds (the scheduler sweeps soon after a press, not only every 30 s).
    await driver.wait_for_message(office.zhang.id, contains="就业援助组", timeout=10)
    await driver.wait_for_message(office.li.id, contains="志愿服务组", timeout=10)
    await all_prompts_sent(url)  # recorded too: a kill now leaves nothing in flight
    bot.kill()
    bot.start()

    # After the restart: a double tap, the staff's press of their copy; nothing more is sent.
    assert await press(driver, office.director, notice, resend) == "这些消息已处理过，未再发送。"
    staff_resend = callback_data(staff_notice, "重新发送")
    assert await press(driver, qian, staff_notice, staff_resend) == "这些消息已处理过，未再发送。"
    await asyncio.sleep(4)  # two ticks and a sweep: time for anything wrongly requeued
    assert await prompts_for(driver, office.zhang, "就业援助组") == 1
    assert await prompts_for(driver, office.li, "志愿服务组") == 1
    assert await prompts_for(driver, office.li, "环境整治组") == 1
    rows = await all_prompts_sent(url, timeout=0)
    assert sum("sent again on request" in d.last_error for d in rows) == 2

    await report(driver, office.director)  # the next /report has nothing to say about it
    await driver.expect_no_message(office.director.id, within=2.0)


async def test_no_need_to_resend_dismisses_them_unsent(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    url = seeded_database
    bot = await started_office(driver, office, url, start_bot, clock)
    await hold(driver, office.zhang)
    clock.set(OPEN)
    await killed_while_sending_to(driver, bot, url, office.zhang)
    bot.start()
    await open_done(url)
    clock.set(OPEN + timedelta(minutes=30))
    await driver.mark_seen(office.zhang.id)
    await report(driver, office.director)
    notice = await driver.wait_for_message(office.director.id, contains=NOTICE, timeout=30)
    assert "1条定时消息可能未送达" in notice.text and "张伟" in notice.text
    await driver.press_button(office.director, office.director.id, "不必重发", notice)
    await driver.wait_for_edit(office.director.id, notice, contains="已确认不必重发1条")
    dismiss = callback_data(notice, "不必重发")
    assert await press(driver, office.director, notice, dismiss) == "这些消息已处理过，未再发送。"
    await driver.expect_no_message(office.zhang.id, within=4.0)  # past a sweep: not sent
    async with open_session(url) as session:
        status = await session.scalar(
            select(Delivery.status).where(Delivery.chat_id == office.zhang.id)
        )
    assert status == "dismissed"
    await report(driver, office.director)
    await driver.expect_no_message(office.director.id, within=2.0)
