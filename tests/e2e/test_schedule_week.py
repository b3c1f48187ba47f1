"""The week runs by itself: the clock moves, the bot prompts, reminds and closes on time.

The bot's clock is the file clock (``LIHUI_CLOCK_FILE``); the scenario moves it to each
step's minute and checks what was posted, where, and that nothing came before its time.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from tests.e2e.conftest import SHANGHAI, Office, StartBot
from tests.e2e.cycle import claims, deliveries, office_began
from tests.e2e.scenario import Person

pytestmark = [pytest.mark.e2e, pytest.mark.long]

QUIET = 4.0  # seconds to be sure a tick (every 2 s) had its chance and said nothing


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def test_a_normal_week_posts_each_step_once_where_it_belongs(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 25, 20))  # Wednesday evening
    await office_began(seeded_database, at(11, 25, 12))
    zhang, wang = Person(driver, office.zhang), Person(driver, office.wang)
    chat = office.chat.id
    await zhang.says("/start")  # zhang has a private chat with the bot; li and wang not
    await driver.send_text(office.li, chat, "/help@lihui_test_bot")  # li is known by id
    await start_bot(seeded_database)
    await zhang.reads("例会助手")
    await driver.wait_for_message(chat, contains="命令")
    await driver.expect_no_message(chat, within=QUIET)
    await zhang.reads_nothing_more(within=0.1)

    clock.set(at(11, 26, 9))  # Thursday 09:00: open
    prompt = await zhang.reads("请填报2026年第48周", timeout=15)
    assert "就业援助组" in prompt.text and "11月27日（周五）18:00" in prompt.text
    assert prompt.button_texts == ["开始填报"]
    unreached = await driver.wait_for_message(chat, contains="还没有与我开始私聊", timeout=15)
    assert "李娜" in unreached.text and "志愿服务组" in unreached.text
    assert "环境整治组" in unreached.text and "就业援助组" not in unreached.text
    assert unreached.button_texts == ["志愿服务组 · 开始填报", "环境整治组 · 开始填报"]
    links = [b["url"] for row in unreached.raw["reply_markup"]["inline_keyboard"] for b in row]
    assert all(link.startswith("https://t.me/lihui_test_bot?start=") for link in links)

    await zhang.presses("开始填报")
    await zhang.reads("本周工作完成情况")
    await report_the_short_way_from_the_first_answer(zhang)
    await zhang.reads("已提交")
    await driver.mark_seen(zhang.chat)

    clock.set(at(11, 27, 12))  # Friday 12:00: only the groups that have not reported
    office_note = await driver.wait_for_message(chat, contains="尚未提交", timeout=15)
    assert "（2个）：志愿服务组、环境整治组" in office_note.text
    await zhang.reads_nothing_more(within=QUIET)
    await wang.reads_nothing_more(within=0.1)  # deputy of a group that did report

    clock.set(at(11, 27, 18))  # Friday 18:00: the final count
    closed = await driver.wait_for_message(chat, contains="填报已截止", timeout=15)
    assert "应报 3 个专项组，已提交 1 个，免报 0 个" in closed.text
    assert "未提交：志愿服务组、环境整治组" in closed.text and "迟报" in closed.text

    clock.set(at(11, 30, 9, 30))  # Monday: summary and agenda (reports may not be merged)
    await _wait_for_claims(seeded_database, {"summary", "agenda"})
    await driver.mark_seen(chat)
    await driver.expect_no_message(chat, within=QUIET)  # nothing sent twice on later ticks
    await zhang.reads_nothing_more(within=0.1)

    steps = await claims(seeded_database)
    assert sorted((s, k) for s, k, _ in steps) == [
        ("agenda", "2026-W48"),
        ("deadline", "2026-W48"),
        ("open", "2026-W48"),
        ("remind", "2026-W48"),
        ("summary", "2026-W48"),
    ]
    assert {status for _, _, status in steps} == {"done"}
    rows = await deliveries(seeded_database)
    monday = [d for d in rows if d.dedupe_key.startswith(("summary:", "agenda:"))]
    # The Monday posts come from the reports package: the bulletin and the agenda in the
    # office chat (chart, text, Word; text, Word), each once.
    assert {d.chat_id for d in monday} == {chat} and {d.status for d in monday} == {"sent"}
    assert {d.dedupe_key.split(":")[0] for d in monday} == {"summary", "agenda"}
    rows = [d for d in rows if d not in monday]
    by_status = sorted((d.kind, d.status) for d in rows)
    # open: zhang's prompt sent, li's two refused (403) then named in the office chat;
    # remind: li twice refused, one office note; deadline: one office note.
    opened = [("prompt", "sent"), ("prompt", "failed"), ("prompt", "failed"), ("office", "sent")]
    reminded = [("reminder", "failed"), ("reminder", "failed"), ("office", "sent")]
    assert by_status == sorted([*opened, *reminded, ("office", "sent")])
    sent = [d for d in rows if d.status == "sent"]
    assert all(d.sent_at is not None and d.attempts == 1 for d in sent)


async def report_the_short_way_from_the_first_answer(zhang: Person) -> None:
    await zhang.says("按时完成")
    await zhang.reads("服务人次")
    await zhang.presses("跳过全部指标")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    await zhang.reads("本周有新的问题")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("继续")
    await zhang.reads("工作照片")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")


async def _wait_for_claims(database_url: str, steps: set[str], timeout: float = 15.0) -> None:  # noqa: ASYNC109
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = {s for s, _, status in await claims(database_url) if status == "done"}
        if steps <= done:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"steps {steps} not done: {await claims(database_url)}")


async def test_a_holiday_week_moves_the_steps_to_working_days(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    # National Day 2026: 1-7 October off, Saturday 10 October a make-up working day.
    clock.set(at(9, 29, 20))
    await office_began(seeded_sqlite, at(9, 29, 12))
    zhang = Person(driver, office.zhang)
    chat = office.chat.id
    await zhang.says("/start")
    await start_bot(seeded_sqlite)
    await zhang.reads("例会助手")

    clock.set(at(9, 30, 9))  # Wednesday 30 September: week 40 opens before the holiday
    prompt = await zhang.reads("请填报2026年第40周", timeout=15)
    assert "9月30日（周三）18:00" in prompt.text  # and closes the same evening
    await driver.wait_for_message(chat, contains="还没有与我开始私聊", timeout=15)
    clock.set(at(9, 30, 12))
    reminder = await zhang.reads("的周进展还没有提交", timeout=15)
    assert "2026年第40周" in reminder.text
    clock.set(at(9, 30, 18))
    closed = await driver.wait_for_message(chat, contains="填报已截止", timeout=15)
    assert "2026年第40周" in closed.text

    clock.set(at(10, 1, 9, 1))  # Thursday 1 October, the holiday: nothing
    await zhang.reads_nothing_more(within=QUIET)
    clock.set(at(10, 2, 18, 1))
    await zhang.reads_nothing_more(within=QUIET)

    clock.set(at(10, 5, 9, 1))  # Monday 5 October: summary and agenda are not moved
    await _wait_for_claims(seeded_sqlite, {"summary", "agenda"})

    clock.set(at(10, 8, 9))  # Thursday 8 October: week 41 opens as usual
    prompt = await zhang.reads("请填报2026年第41周", timeout=15)
    assert "10月9日（周五）18:00" in prompt.text
    clock.set(at(10, 9, 12))
    reminder = await zhang.reads("的周进展还没有提交", timeout=15)
    assert "2026年第41周" in reminder.text
    await zhang.reads_nothing_more(within=QUIET)
    assert sorted((s, k) for s, k, _ in await claims(seeded_sqlite)) == [
        ("agenda", "2026-W40"),
        ("deadline", "2026-W40"),
        ("monthly", "2026-09"),
        ("open", "2026-W40"),
        ("open", "2026-W41"),
        ("remind", "2026-W40"),
        ("remind", "2026-W41"),
        ("summary", "2026-W40"),
    ]
