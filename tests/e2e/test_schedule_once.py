"""Exactly once: restarts, a second instance, a second ``jobs run``; catch-up and skips."""

from __future__ import annotations

import subprocess
from datetime import datetime

import pytest

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from sandbox.server import ThreadedSandbox
from tests.e2e.conftest import SHANGHAI, Office, StartBot
from tests.e2e.cycle import claims, deliveries, office_began
from tests.e2e.harness import bot_env, lihui_executable
from tests.e2e.scenario import Person

pytestmark = [pytest.mark.e2e, pytest.mark.long]

QUIET = 4.0


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def jobs_run(
    sandbox: ThreadedSandbox, database_url: str, clock: FileClock, *args: str
) -> subprocess.CompletedProcess[str]:
    env = bot_env(
        sandbox_api=sandbox.bot_api_base_url,
        token=sandbox.token,
        database_url=database_url,
        clock_file=clock.path,
    )
    return subprocess.run(
        [lihui_executable(), "jobs", "run", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_a_step_missed_while_down_runs_once_when_the_bot_is_back(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 27, 11))  # Friday 11:00, an hour before the reminder
    await office_began(seeded_sqlite, at(11, 27, 10))
    zhang = Person(driver, office.zhang)
    await zhang.says("/start")
    bot = await start_bot(seeded_sqlite)
    await zhang.reads("例会助手")
    bot.stop()

    clock.set(at(11, 27, 14))  # back at 14:00: the 12:00 reminder is two hours late
    bot.start()
    await zhang.reads("的周进展还没有提交", timeout=15)
    note = await driver.wait_for_message(office.chat.id, contains="尚未提交", timeout=15)
    assert "（3个）" in note.text
    bot.stop()
    bot.start()  # and once more: the claim holds, nothing is repeated
    await zhang.reads_nothing_more(within=QUIET)
    await driver.expect_no_message(office.chat.id, within=0.1)
    assert await claims(seeded_sqlite) == [("remind", "2026-W48", "done")]


async def test_stopped_for_three_days_the_missed_steps_are_reported_as_skipped(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 26, 8))  # Thursday 08:00
    await office_began(seeded_sqlite, at(11, 25, 12))
    zhang = Person(driver, office.zhang)
    await zhang.says("/start")
    bot = await start_bot(seeded_sqlite)
    await zhang.reads("例会助手")
    bot.stop()

    clock.set(at(11, 29, 12))  # Sunday noon: open, reminder and deadline all > 24 h ago
    bot.start()
    note = await driver.wait_for_message(office.chat.id, contains="错过了以下步骤", timeout=15)
    assert "24 小时宽限期" in note.text
    for step in ("开始填报（11月26日（周四）09:00）", "填报提醒（11月27日（周五）12:00）"):
        assert step in note.text
    assert "填报截止（11月27日（周五）18:00）" in note.text
    assert "\n" not in note.text  # one line
    await zhang.reads_nothing_more(within=QUIET)
    await driver.expect_no_message(office.chat.id, within=0.1)
    assert await claims(seeded_sqlite) == [
        ("open", "2026-W48", "skipped"),
        ("remind", "2026-W48", "skipped"),
        ("deadline", "2026-W48", "skipped"),
    ]


async def test_two_instances_at_the_same_moment_post_once(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 27, 17, 59))
    await office_began(seeded_database, at(11, 27, 12, 30))
    zhang = Person(driver, office.zhang)
    await zhang.says("/start")
    await start_bot(seeded_database, name="first")
    await zhang.reads("例会助手")
    await start_bot(seeded_database, name="second")
    clock.set(at(11, 27, 18))  # both tick on the deadline within the same seconds
    await driver.wait_for_message(office.chat.id, contains="填报已截止", timeout=15)
    await driver.expect_no_message(office.chat.id, within=QUIET)
    assert await claims(seeded_database) == [("deadline", "2026-W48", "done")]
    [delivery] = await deliveries(seeded_database)
    assert delivery.status == "sent" and delivery.attempts == 1


async def test_jobs_run_twice_sends_once(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    sandbox: ThreadedSandbox,
    clock: FileClock,
) -> None:
    clock.set(at(11, 30, 12))
    chat = str(office.chat.id)
    first = jobs_run(sandbox, seeded_sqlite, clock, "deadline", "--chat", chat)
    assert first.returncode == 0, first.stderr
    assert (
        "已执行步骤 deadline" in first.stdout and "发送 1 条，重试 0 条，放弃 0 条" in first.stdout
    )
    closed = await driver.wait_for_message(office.chat.id, contains="填报已截止")
    assert "2026年第48周" in closed.text
    again = jobs_run(sandbox, seeded_sqlite, clock, "deadline", "--chat", chat)
    assert again.returncode == 0, again.stderr
    assert "已执行过，未重复发送" in again.stdout and "发送 0 条" in again.stdout
    # As if at an earlier time: the week before is a period of its own.
    earlier = jobs_run(
        sandbox, seeded_sqlite, clock, "deadline", "--chat", chat, "--at", "2026-11-20T18:30"
    )
    assert earlier.returncode == 0, earlier.stderr
    previous = await driver.wait_for_message(office.chat.id, contains="填报已截止")
    assert "2026年第47周" in previous.text
    await driver.expect_no_message(office.chat.id, within=0.5)
    assert [(s, k) for s, k, _ in await claims(seeded_sqlite)] == [
        ("deadline", "2026-W48"),
        ("deadline", "2026-W47"),
    ]


async def test_jobs_run_summary_again_publishes_nothing_more(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    sandbox: ThreadedSandbox,
    clock: FileClock,
    start_bot: StartBot,
) -> None:
    clock.set(at(11, 30, 8))
    await office_began(seeded_database, at(11, 29, 12))
    await start_bot(seeded_database, name="first")
    await start_bot(seeded_database, name="second")
    clock.set(at(11, 30, 8, 30))
    await driver.wait_for_message(office.chat.id, contains="通报", timeout=30)
    await _settle(driver, office.chat.id)
    posted = [m for m in await driver.messages(office.chat.id) if m.from_bot]
    # Monday 08:30: one bulletin (chart with caption, text, Word), not one per instance.
    summary = [m for m in posted if "photo" in m.raw or "document" in m.raw]
    assert ["photo" in m.raw for m in summary].count(True) == 1, [m.short() for m in posted]
    assert ["document" in m.raw for m in summary].count(True) == 1, [m.short() for m in posted]
    count = len(posted)
    again = jobs_run(sandbox, seeded_database, clock, "summary", "--chat", str(office.chat.id))
    assert again.returncode == 0, again.stderr
    await driver.expect_no_message(office.chat.id, within=QUIET)
    assert len([m for m in await driver.messages(office.chat.id) if m.from_bot]) == count


async def test_a_bulletin_missed_over_monday_morning_is_posted_once_at_start(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(at(11, 30, 7))
    await office_began(seeded_sqlite, at(11, 29, 12))
    bot = await start_bot(seeded_sqlite)
    bot.stop()
    clock.set(at(11, 30, 10))
    bot.start()
    await driver.wait_for_message(office.chat.id, contains="通报", timeout=30)
    await _settle(driver, office.chat.id)
    bot.stop()
    bot.start()
    await driver.expect_no_message(office.chat.id, within=QUIET)
    assert ("summary", "2026-W48", "done") in await claims(seeded_sqlite)


async def _settle(driver: SandboxDriver, chat_id: int) -> None:
    """Wait until the chat has been quiet for a few seconds; mark all of it seen."""
    import asyncio

    previous = -1
    while True:
        count = len(await driver.messages(chat_id))
        if count == previous:
            break
        previous = count
        await asyncio.sleep(QUIET)
    await driver.mark_seen(chat_id)
