"""People are served side by side, each one in order, and a crash mid-flight loses nothing.

Causality rather than timing: a chat held by Telegram's ``retry_after`` must not delay
another person, so the other person's answer arrives while the first reply is still held.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from sandbox.driver import SandboxDriver
from storage.models import IndicatorValue, Submission
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import GroupSpec, open_session, seed_office

pytestmark = pytest.mark.e2e


async def wait_until_used(driver: SandboxDriver, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Until every armed fault has been met by the bot (polling the sandbox)."""
    for _ in range(int(timeout / 0.05)):
        if not await driver.armed_faults():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never met the armed fault")


async def test_a_chat_under_retry_after_does_not_hold_up_another_person(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang, li = Person(driver, office.zhang), Person(driver, office.li)
    await driver.inject_fault(
        kind="retry_after", method="sendMessage", retry_after=5, chat_id=zhang.chat
    )
    await zhang.says("/help")
    await wait_until_used(driver)  # zhang's reply is now held for 5 s
    await li.says("/help")
    await li.reads("/submit")
    held = [m for m in await driver.messages(zhang.chat) if m.from_bot]
    assert held == [], "the other person's answer waited for the held chat"
    await zhang.reads("/submit", timeout=30)  # and the held reply still arrives


async def test_one_persons_rapid_messages_are_answered_in_order(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    for text in ("连续发送的完成情况", "120", "7"):  # typed without waiting for answers
        await zhang.says(text)
    await zhang.reads("本周工作总体进展如何", timeout=20)
    texts = [m.text for m in await driver.messages(zhang.chat) if m.from_bot]
    asked = [next(i for i, t in enumerate(texts) if key in t) for key in ("服务人次", "新增岗位")]
    assert asked == sorted(asked)
    async with open_session(seeded_sqlite) as session:
        submission = await session.scalar(select(Submission))
        values = list(await session.scalars(select(IndicatorValue.value)))
    assert submission is not None and submission.done_text == "连续发送的完成情况"
    assert sorted(values) == [7, 120]


CREW = [f"crew{i}" for i in range(6)]


async def test_killed_with_updates_in_flight_nothing_is_lost_or_doubled(
    driver: SandboxDriver, office: Office, database_url: str, start_bot: StartBot
) -> None:
    groups = [GroupSpec(f"G{i}", f"第{i}组", [(name, "primary")]) for i, name in enumerate(CREW)]
    await seed_office(database_url, office.chat.id, groups)
    people = [
        Person(driver, await driver.create_user(name, username=name, language_code="zh-hans"))
        for name in CREW
    ]
    bot = await start_bot(database_url)
    for person in people:
        await person.says("/submit")
    for person in people:
        await person.reads("本周工作完成情况", timeout=20)
    for person in people:
        await person.says(f"{person.user.id} 的完成情况")
    bot.kill()  # with some of these answers fetched, some handled, some not yet seen
    bot.start()
    for person in people:  # each person goes on where they were (the answer counted once)
        await person.says("/submit")
        await person.reads("本周工作总体进展如何", timeout=30)
    async with open_session(database_url) as session:
        rows = list(await session.scalars(select(Submission)))
        count = await session.scalar(select(func.count()).select_from(Submission))
    assert count == len(people)
    assert sorted(r.done_text or "" for r in rows) == sorted(
        f"{p.user.id} 的完成情况" for p in people
    )
