"""A fan-out that meets a misbehaving Telegram, or a SIGKILL: every prompt, none twice."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import FileClock
from sandbox.driver import SandboxDriver, SandboxUser
from tests.databases import migrated_sqlite_url
from tests.e2e.conftest import SHANGHAI, StartBot
from tests.e2e.cycle import claims, deliveries, office_began
from tests.e2e.seed import GroupSpec, seed_office

pytestmark = pytest.mark.e2e

CONTACTS = 12
PROMPT = "请填报2026年第48周"
OPEN = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)


async def big_office(driver: SandboxDriver, database_url: str) -> tuple[int, list[SandboxUser]]:
    """Twelve groups, each with its own contact who has started the bot."""
    users = [
        await driver.create_user(f"联络员{i:02d}", username=f"contact_{i:02d}", language_code="zh")
        for i in range(CONTACTS)
    ]
    chat = await driver.create_group("办公室", members=[u.id for u in users])
    groups = [
        GroupSpec(f"G{i:02d}", f"第{i + 1}专项组", [(f"contact_{i:02d}", "primary")])
        for i in range(CONTACTS)
    ]
    await seed_office(database_url, chat.id, groups)
    await office_began(database_url, datetime(2026, 11, 26, 8, 0, tzinfo=SHANGHAI))
    for user in users:
        await driver.send_text(user, user.id, "/start")
    return chat.id, users


async def greeted(driver: SandboxDriver, users: list[SandboxUser]) -> None:
    for user in users:
        await driver.wait_for_message(user.id, contains="例会助手", timeout=30)


async def prompts(driver: SandboxDriver, users: list[SandboxUser]) -> Counter[int]:
    found: Counter[int] = Counter()
    for user in users:
        for message in await driver.messages(user.id):
            if message.from_bot and PROMPT in message.text:
                found[user.id] += 1
    return found


async def until_claim_done(database_url: str, timeout: float = 90.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await claims(database_url) == [("open", "2026-W48", "done")]:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"the open step did not finish: {await claims(database_url)}")


async def test_a_fan_out_through_429_5xx_and_dropped_connections_delivers_each_once(
    driver: SandboxDriver, tmp_path: Path, start_bot: StartBot, clock: FileClock
) -> None:
    clock.set(datetime(2026, 11, 26, 8, 59, tzinfo=SHANGHAI))
    url = await migrated_sqlite_url(tmp_path)
    _, users = await big_office(driver, url)
    await start_bot(url)
    await greeted(driver, users)
    await driver.inject_fault(method="sendMessage", kind="retry_after", retry_after=1, times=2)
    await driver.inject_fault(method="sendMessage", kind="error", status=502, times=3)
    await driver.inject_fault(method="sendMessage", kind="drop", times=2)
    await driver.inject_fault(
        method="sendMessage", kind="error", status=500, description="Internal Server Error"
    )
    clock.set(OPEN)
    await until_claim_done(url)
    assert await prompts(driver, users) == Counter({u.id: 1 for u in users})
    rows = [d for d in await deliveries(url) if d.kind == "prompt"]
    assert len(rows) == CONTACTS and {d.status for d in rows} == {"sent"}
    retried = [d for d in rows if d.attempts > 1]
    assert retried, "the faults should have cost some deliveries a retry"
    assert all("retried" in d.last_error for d in retried)
    # A dropped connection is recorded as a possible duplicate: no Bot API call can tell
    # whether Telegram had accepted the message before the connection broke.
    assert any(d.last_error.startswith("possible duplicate") for d in retried)


async def test_a_chat_held_by_retry_after_does_not_hold_up_the_rest_of_the_office(
    driver: SandboxDriver, tmp_path: Path, start_bot: StartBot, clock: FileClock
) -> None:
    """Telegram hands out waits of 30 s and more during a fan-out. The office's first
    contact is held: the eleven after them get their prompts first (they used to wait in
    line behind the held chat), and the held one gets theirs once, when the wait is over."""
    clock.set(datetime(2026, 11, 26, 8, 59, tzinfo=SHANGHAI))
    url = await migrated_sqlite_url(tmp_path)
    _, users = await big_office(driver, url)
    await start_bot(url)
    await greeted(driver, users)
    held, others = users[0], users[1:]  # G00's prompt is the first the step sends
    await driver.inject_fault(
        method="sendMessage", kind="retry_after", retry_after=6, chat_id=held.id
    )
    clock.set(OPEN)
    deadline = time.monotonic() + 60
    while sum((await prompts(driver, others)).values()) < len(others):
        assert time.monotonic() < deadline, await prompts(driver, others)
        await asyncio.sleep(0.1)
    assert (await prompts(driver, [held]))[held.id] == 0, "the others waited for the held chat"
    await until_claim_done(url)
    assert await prompts(driver, users) == Counter({u.id: 1 for u in users})
    row = next(d for d in await deliveries(url) if d.kind == "prompt" and d.chat_id == held.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.last_error.startswith("retried: sendMessage") and "Flood control" in row.last_error


async def test_killed_half_way_through_a_fan_out_the_rest_get_their_prompt_once(
    driver: SandboxDriver, tmp_path: Path, start_bot: StartBot, clock: FileClock
) -> None:
    clock.set(datetime(2026, 11, 26, 8, 59, tzinfo=SHANGHAI))
    url = await migrated_sqlite_url(tmp_path)
    _, users = await big_office(driver, url)
    bot = await start_bot(url)
    await greeted(driver, users)
    # Every prompt takes a second at the sandbox: the kill lands in the middle.
    await driver.inject_fault(method="sendMessage", kind="delay", delay=1.0, times=CONTACTS)
    clock.set(OPEN)
    deadline = time.monotonic() + 60
    while sum((await prompts(driver, users)).values()) < 4:
        assert time.monotonic() < deadline, "the fan-out did not start"
        await asyncio.sleep(0.1)
    bot.kill()
    before = await prompts(driver, users)
    assert 4 <= sum(before.values()) < CONTACTS
    await driver.clear_faults()
    bot.start()
    await until_claim_done(url)
    after = await prompts(driver, users)
    assert all(count <= 1 for count in after.values()), after  # nobody got a second one
    rows = {d.chat_id: d for d in await deliveries(url) if d.kind == "prompt"}
    uncertain = {chat for chat, d in rows.items() if d.status == "uncertain"}
    assert {d.status for d in rows.values()} <= {"sent", "uncertain"}
    assert len(uncertain) <= 1  # at most the one being sent at the kill
    missing = {u.id for u in users if after[u.id] == 0}
    assert missing <= uncertain  # whoever has no prompt is recorded as uncertain, not lost
    assert sum(after.values()) + len(missing) == CONTACTS
    assert "was being sent when the bot stopped" in bot.log() or not uncertain
