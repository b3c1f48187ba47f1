"""/settings and /holiday: the director moves a step, the running schedule follows."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from storage.models import AuditLog, WorkdayOverride, Workspace
from tests.e2e.conftest import SHANGHAI, Office, StartBot
from tests.e2e.cycle import claims, office_began
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

QUIET = 4.0


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def test_the_director_moves_the_open_earlier_and_it_happens_then(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 26, 7, 50))
    await office_began(seeded_sqlite, at(11, 26, 7))
    director, zhang = Person(driver, office.director), Person(driver, office.zhang)
    await zhang.says("/start")
    await start_bot(seeded_sqlite)
    await zhang.reads("例会助手")

    await director.says("/settings")
    menu = await director.reads("每周流程设置")
    assert "开始填报：周四 09:00" in menu.text and "补发宽限：24 小时" in menu.text
    await director.presses("开始填报")
    menu = await driver.wait_for_edit(director.chat, menu, contains="请选择星期")
    await director.presses("周四")
    menu = await driver.wait_for_edit(director.chat, menu, contains="请选择几点")
    await director.presses("08")
    menu = await driver.wait_for_edit(director.chat, menu, contains="请选择时间")
    await director.presses("08:00")
    menu = await driver.wait_for_edit(director.chat, menu, contains="已保存")
    assert "开始填报：周四 08:00" in menu.text

    clock.set(at(11, 26, 8))  # the new time, an hour before the old one
    await zhang.reads("请填报2026年第48周", timeout=15)
    async with open_session(seeded_sqlite) as session:
        workspace = await session.scalar(select(Workspace))
        entries = list(await session.scalars(select(AuditLog)))
    assert workspace is not None
    assert workspace.settings["schedule"]["open"] == {"weekday": 4, "time": "08:00"}
    assert [(e.action, e.details["before"], e.details["after"]) for e in entries] == [
        ("settings.schedule.open", {}, {"weekday": 4, "time": "08:00"})
    ]
    clock.set(at(11, 26, 9, 1))  # the old time passes: nothing a second time
    await zhang.reads_nothing_more(within=QUIET)
    assert await claims(seeded_sqlite) == [("open", "2026-W48", "done")]


async def test_holiday_overrides_by_command_move_the_next_step(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 26, 10))
    await office_began(seeded_sqlite, at(11, 26, 9, 30))
    director, zhang = Person(driver, office.director), Person(driver, office.zhang)
    await zhang.says("/start")
    await start_bot(seeded_sqlite)
    await zhang.reads("例会助手")
    await director.says("/holiday 2026-11-27 休息日 本地安排")
    await director.reads("已保存")
    await director.says("/holiday 2026-13-01 休息日")
    await director.reads("不是有效的日期")
    await director.says("/holiday")
    listing = await director.reads("节假日调整")
    assert "2026-11-27 休息日 本地安排" in listing.text
    # Friday 27th is now a rest day: the week's reminder moves back to Thursday 12:00.
    clock.set(at(11, 26, 12))
    await zhang.reads("还没有提交", timeout=15)
    async with open_session(seeded_sqlite) as session:
        [override] = list(await session.scalars(select(WorkdayOverride)))
    assert override.is_workday is False and override.note == "本地安排"


async def test_settings_are_refused_to_a_contact_and_asked_in_private(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/settings")
    await zhang.reads("没有权限")  # the access policy's refusal (settings.manage)
    await driver.send_text(office.director, office.chat.id, "/settings@lihui_test_bot")
    await driver.wait_for_message(office.chat.id, contains="请在与我的私聊中修改设置")
