"""The office chat changes under the bot: removed and re-added, upgraded to a supergroup."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from storage.models import AuditLog, Workspace
from tests.databases import migrated_sqlite_url
from tests.e2e.conftest import GROUPS, SHANGHAI, Office, StartBot
from tests.e2e.cycle import deliveries, office_began
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session, seed_office

pytestmark = pytest.mark.e2e

QUIET = 4.0


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


async def test_removed_from_the_office_chat_it_stops_posting_there_and_resumes_when_back(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 27, 10))
    await office_began(seeded_sqlite, at(11, 27, 9))
    director, zhang = Person(driver, office.director), Person(driver, office.zhang)
    await director.says("/start")
    await zhang.says("/start")
    await start_bot(seeded_sqlite)
    await director.reads("例会助手")
    await zhang.reads("例会助手")
    bot_id = (await driver.bot_info())["user"]["id"]

    await driver.set_member(office.chat.id, bot_id, "kicked", by=office.director)
    notice = await director.reads("我已被移出办公室群")
    assert "温暖二七领导小组办公室" in notice.text
    clock.set(at(11, 27, 12))  # the reminder: privately yes, in the office chat no
    await zhang.reads("还没有提交", timeout=15)
    await driver.expect_no_message(office.chat.id, within=QUIET)
    assert [d.kind for d in await deliveries(seeded_sqlite)].count("office") == 0

    await driver.set_member(office.chat.id, bot_id, "member", by=office.director)
    await director.reads("我已重新加入办公室群")
    clock.set(at(11, 27, 18))
    await driver.wait_for_message(office.chat.id, contains="填报已截止", timeout=15)
    async with open_session(seeded_sqlite) as session:
        actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["workspace.office_chat_active", "workspace.office_chat_active"]


async def test_a_group_upgraded_to_a_supergroup_keeps_its_workspace(
    driver: SandboxDriver,
    office: Office,
    tmp_path: Path,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    members = [office.zhang.id, office.li.id, office.wang.id, office.director.id]
    basic = await driver.create_group("温暖二七办公室（普通群）", members=members, basic=True)
    url = await migrated_sqlite_url(tmp_path)
    await seed_office(url, basic.id, GROUPS, staff={"zhao_director": "director"})
    clock.set(at(11, 27, 17))
    await office_began(url, at(11, 27, 9))
    await start_bot(url)
    upgraded = await driver.migrate_group(basic.id, by=office.director)
    for _ in range(100):
        async with open_session(url) as session:
            chat_id = await session.scalar(select(Workspace.chat_id))
        if chat_id == upgraded.id:
            break
        await asyncio.sleep(0.1)
    assert chat_id == upgraded.id
    clock.set(at(11, 27, 18))
    closed = await driver.wait_for_message(upgraded.id, contains="填报已截止", timeout=15)
    assert "应报 3 个专项组" in closed.text
