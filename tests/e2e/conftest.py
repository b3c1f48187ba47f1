"""End-to-end fixtures: the sandbox in a thread, the real bot as a ``lihui run`` process.

A scenario reads like the office's week::

    clock.set(THURSDAY_10)
    bot = await start_bot(db_url)
    await driver.send_text(zhang, zhang.id, "/submit")
    prompt = await driver.wait_for_message(zhang.id, contains="本周工作完成情况")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FileClock
from sandbox.driver import SandboxChat, SandboxDriver, SandboxUser
from sandbox.server import ThreadedSandbox
from tests.databases import migrated_sqlite_url
from tests.e2e.harness import BotProcess, bot_env
from tests.e2e.seed import GroupSpec, seed_office

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Week 48 of 2026 runs Monday 23 to Sunday 29 November; reports open Thursday 26th.
THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)

StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
def clock(tmp_path: Path) -> FileClock:
    clock = FileClock(tmp_path / "clock.txt")
    clock.set(THURSDAY_10)
    return clock


@dataclass
class Office:
    chat: SandboxChat
    zhang: SandboxUser  # contact of 就业援助组 (EMP)
    li: SandboxUser  # contact of 志愿服务组 (VOL) and 环境整治组 (ENV)
    wang: SandboxUser  # deputy of 就业援助组
    director: SandboxUser
    outsider: SandboxUser  # nobody's contact


GROUPS = [
    GroupSpec(
        "EMP",
        "就业援助组",
        [("zhang_wei", "primary"), ("wang_fang", "deputy")],
        [("服务人次", "人次"), ("新增岗位", "个")],
    ),
    GroupSpec("VOL", "志愿服务组", [("li_na", "primary")], [("志愿服务场次", "场次")]),
    GroupSpec("ENV", "环境整治组", [("li_na", "primary")]),
]


@pytest.fixture
async def office(driver: SandboxDriver) -> Office:
    zhang = await driver.create_user("张伟", username="zhang_wei", language_code="zh-hans")
    li = await driver.create_user("李娜", username="li_na", language_code="zh-hans")
    wang = await driver.create_user("王芳", username="wang_fang", language_code="zh-hans")
    director = await driver.create_user("赵主任", username="zhao_director", language_code="zh-hans")
    outsider = await driver.create_user("Outsider", username="someone_else", language_code="en")
    chat = await driver.create_group(
        "温暖二七领导小组办公室", members=[zhang.id, li.id, wang.id, director.id, outsider.id]
    )
    return Office(chat, zhang, li, wang, director, outsider)


@pytest.fixture
async def start_bot(
    sandbox: ThreadedSandbox, clock: FileClock, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start ``lihui run`` processes; every one is stopped, and its log checked, at the end."""
    started: list[BotProcess] = []

    async def start(
        database_url: str,
        extra_env: dict[str, str] | None = None,
        name: str = "bot",
        exec_: bool = False,
    ) -> BotProcess:
        env = bot_env(
            sandbox_api=sandbox.bot_api_base_url,
            token=sandbox.token,
            database_url=database_url,
            clock_file=clock.path,
            extra=extra_env,
        )
        process = BotProcess(env, tmp_path / f"{name}.log", exec_=exec_)
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
    for process in started:
        process.assert_clean_log()


@pytest.fixture
async def seeded_sqlite(office: Office, tmp_path: Path) -> str:
    url = await migrated_sqlite_url(tmp_path)
    await seed_office(url, office.chat.id, GROUPS, staff={"zhao_director": "director"})
    return url


@pytest.fixture
async def seeded_database(office: Office, database_url: str) -> str:
    """The office seeded once per backend (SQLite, and PostgreSQL when available)."""
    await seed_office(database_url, office.chat.id, GROUPS, staff={"zhao_director": "director"})
    return database_url
