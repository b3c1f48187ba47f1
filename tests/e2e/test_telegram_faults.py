"""Telegram misbehaving: 5xx, dropped connections, flood waits. Nothing said is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sandbox.driver import SandboxDriver
from storage.models import Submission
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "status": 502, "description": "Bad Gateway"},
        {"kind": "drop"},
        {"kind": "retry_after", "retry_after": 1},
    ],
    ids=["502", "dropped-connection", "429"],
)
async def test_a_reply_survives_a_failing_send(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    fault: dict[str, object],
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await driver.inject_fault(method="sendMessage", times=2, **fault)  # type: ignore[arg-type]
    await zhang.says("故障期间的回答")
    await zhang.reads("服务人次", timeout=20)
    async with open_session(seeded_sqlite) as session:
        submission = await session.scalar(select(Submission))
    assert submission is not None and submission.done_text == "故障期间的回答"


async def test_getupdates_failing_for_a_while_loses_no_update(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await driver.inject_fault(method="getUpdates", times=3, kind="error", status=502)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况", timeout=30)


async def test_the_dialog_runs_within_telegrams_flood_limits(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await driver.set_flood_limits(True)
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成")
    await zhang.reads("服务人次")
    await zhang.presses("跳过全部指标")
    await zhang.reads("本周工作总体进展如何", timeout=20)
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比", timeout=20)
