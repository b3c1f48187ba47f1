"""Several bot instances behind a load balancer, one database: one dialog, no state lost."""

from __future__ import annotations

import socket

import httpx
import pytest
from sqlalchemy import select

from sandbox.driver import SandboxDriver, shared_tls
from storage.models import IndicatorValue, Submission
from tests.e2e.conftest import GROUPS, Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session, seed_office

pytestmark = pytest.mark.e2e

SECRET = "webhook-secret-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_env(port: int) -> dict[str, str]:
    return {
        # The public URL Telegram is told about; the sandbox's balancer stands in for it.
        "LIHUI_WEBHOOK_URL": "https://lihui.example.gov.cn/telegram/hook",
        "LIHUI_WEBHOOK_SECRET": SECRET,
        "LIHUI_WEBHOOK_LISTEN": "127.0.0.1",
        "LIHUI_WEBHOOK_PORT": str(port),
        "LIHUI_LOG_LEVEL": "DEBUG",
    }


async def test_two_webhook_instances_serve_one_dialog_alternately(
    driver: SandboxDriver, office: Office, database_url: str, start_bot: StartBot
) -> None:
    await seed_office(database_url, office.chat.id, GROUPS)
    ports = [free_port(), free_port()]
    bots = [
        await start_bot(database_url, webhook_env(port), name=f"instance{i}")
        for i, port in enumerate(ports)
    ]
    await driver.set_webhook_targets([f"http://127.0.0.1:{p}/telegram/hook" for p in ports])

    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("两个实例轮流处理")
    await zhang.reads("服务人次")
    await zhang.says("100")
    await zhang.reads("新增岗位")
    await zhang.says("5")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.says("50")
    await zhang.reads("本周有新的问题")

    handled = [bot.log().count("webhook update") for bot in bots]
    assert all(count >= 2 for count in handled), handled  # both instances took part

    async with open_session(database_url) as session:
        submission = await session.scalar(select(Submission))
        values = sorted(v.value for v in await session.scalars(select(IndicatorValue)))
    assert submission is not None and submission.done_text == "两个实例轮流处理"
    assert submission.progress_status == "on_track" and submission.percent == 50
    assert values == [5, 100]


async def test_webhook_refuses_a_call_without_the_secret(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    port = free_port()
    await start_bot(seeded_sqlite, webhook_env(port))
    url = f"http://127.0.0.1:{port}/telegram/hook"
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        forged = await client.post(url, json={"update_id": 1})
        assert forged.status_code == 403
        wrong = await client.post(
            url, json={"update_id": 1}, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        assert wrong.status_code == 403
