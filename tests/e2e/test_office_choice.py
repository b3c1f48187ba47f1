"""A director of two offices says which office a private command is for, once.

The first /report in private asks, with a button per office; the choice runs the report in
the office chosen and is remembered, so /monthly goes there without asking; /office asks
again. A director of one office is never asked. A restart between the question and the
press loses nothing, and a second press of the same button runs nothing twice.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.i18n import translate
from sandbox.driver import SandboxDriver, SandboxMessage, SandboxUser
from storage.models import OfficeQuestion, Person, Workspace
from tests.e2e.conftest import GROUPS, Office, StartBot
from tests.e2e.scenario import Person as Actor
from tests.e2e.seed import GroupSpec, open_session, seed_office

pytestmark = pytest.mark.e2e

FIRST = "温暖二七领导小组办公室"
SECOND = "幸福金水领导小组办公室"
# The second office's own groups: its report names them, the first office's does not.
SECOND_GROUPS = [GroupSpec("SAF", "安全生产组", [("qian_contact", "primary")])]


def zh(key: str) -> str:
    """The catalog message in Chinese, cut before its first placeholder or tag (to match
    on the text as the chat shows it)."""
    return re.split(r"[{<]", translate("zh-CN", key), maxsplit=1)[0]


@pytest.fixture
async def two_offices(driver: SandboxDriver, office: Office, database_url: str) -> SandboxUser:
    """The usual office, and a second one whose director is the same 赵主任; returns the
    director of the first office only (孙主任)."""
    sun = await driver.create_user("孙主任", username="sun_director", language_code="zh-hans")
    second = await driver.create_group(SECOND, members=[office.director.id, sun.id])
    roles = {"zhao_director": "director", "sun_director": "staff"}
    await seed_office(database_url, office.chat.id, GROUPS, staff=roles, title=FIRST)
    await seed_office(
        database_url, second.id, SECOND_GROUPS, staff={"zhao_director": "director"}, title=SECOND
    )
    return sun


async def answer_to(driver: SandboxDriver, actor: Actor, command: str, last: str) -> str:
    """Everything the bot says to ``command``, up to the message containing ``last``."""
    before = max((m.id for m in await driver.messages(actor.chat)), default=0)
    await actor.says(command)
    await actor.reads(last)
    await driver.mark_seen(actor.chat)
    return "\n".join(m.text for m in await driver.messages(actor.chat, after=before) if m.from_bot)


async def remembered(database_url: str, username: str) -> str | None:
    async with open_session(database_url) as session:
        person = await session.scalar(select(Person).where(Person.username == username))
        assert person is not None
        workspace = await session.get(Workspace, person.office_id) if person.office_id else None
        return workspace.title if workspace else None


async def test_a_director_of_two_offices_chooses_once_and_can_change(
    driver: SandboxDriver,
    office: Office,
    two_offices: SandboxUser,
    database_url: str,
    start_bot: StartBot,
) -> None:
    await start_bot(database_url)
    zhao = Actor(driver, office.director)
    await zhao.says("/report")
    question = await zhao.reads(zh("access.office.ask"))
    assert question.button_texts == [FIRST, SECOND]
    await zhao.presses(SECOND)
    chosen = await driver.wait_for_edit(zhao.chat, question, contains=zh("access.office.chosen"))
    assert SECOND in chosen.text and "/office" in chosen.text and chosen.buttons == []
    report = await zhao.reads("应报")
    assert "安全生产组" in report.text and "就业援助组" not in report.text
    assert await remembered(database_url, "zhao_director") == SECOND
    await driver.mark_seen(zhao.chat)

    # Remembered: no question, the second office's month.
    monthly = await answer_to(driver, zhao, "/monthly", "月度工作总结（Word）")
    assert zh("access.office.ask") not in monthly
    assert "安全生产组" in monthly and "就业援助组" not in monthly

    await zhao.says("/office")
    current = await zhao.reads(zh("access.office.current"))
    assert SECOND in current.text and current.button_texts == [FIRST, SECOND]
    await zhao.presses(FIRST)
    await driver.wait_for_edit(zhao.chat, current, contains=zh("access.office.chosen"))
    assert await remembered(database_url, "zhao_director") == FIRST
    await zhao.says("/report")
    again = await zhao.reads("应报")
    assert "就业援助组" in again.text and "安全生产组" not in again.text


async def test_a_director_of_one_office_is_never_asked(
    driver: SandboxDriver,
    office: Office,
    two_offices: SandboxUser,
    database_url: str,
    start_bot: StartBot,
) -> None:
    await start_bot(database_url)
    sun = Actor(driver, two_offices)
    await sun.says("/report")
    report = await sun.reads("应报")
    assert "就业援助组" in report.text
    await sun.says("/office")
    await sun.reads(zh("access.office.only"))
    async with open_session(database_url) as session:
        assert await session.scalar(select(func.count()).select_from(OfficeQuestion)) == 0


async def test_the_question_survives_a_kill_and_runs_once(
    driver: SandboxDriver,
    office: Office,
    two_offices: SandboxUser,
    database_url: str,
    start_bot: StartBot,
) -> None:
    bot = await start_bot(database_url)
    zhao = Actor(driver, office.director)
    await zhao.says("/monthly 2026-11")
    question = await zhao.reads(zh("access.office.ask"))
    bot.kill()  # SIGKILL between the question and the press
    bot.start()
    second = await zhao.presses(SECOND)
    await zhao.reads("月度工作总结（Word）")
    await driver.mark_seen(zhao.chat)
    answer = await driver.wait_for_callback_answer(second)
    assert answer is not None and SECOND in answer.get("text", "")
    # The same button again (a double tap, the keyboard already gone): a short answer only.
    again = await driver.press_data(zhao.user, zhao.chat, question, question_data(question, 1))
    answer = await driver.wait_for_callback_answer(again)
    assert answer is not None and answer.get("text") == zh("access.office.answered")
    await zhao.reads_nothing_more()
    # Another person sending the director's question's data (a forged client, under a
    # message of their own chat): not theirs, nothing runs.
    sun = Actor(driver, two_offices)
    await sun.says("/office")
    await sun.reads(zh("access.office.only"))
    forged = await driver.forge_callback(sun.user, sun.chat, question_data(question, 1))
    answer = await driver.wait_for_callback_answer(forged)
    assert answer is not None and answer.get("text") == zh("access.office.not_yours")
    await sun.reads_nothing_more()
    await zhao.reads_nothing_more()


def question_data(question: SandboxMessage, row: int) -> str:
    """The callback data of the question's ``row``-th office button, as first sent."""
    markup = question.reply_markup
    assert markup is not None
    return str(markup["inline_keyboard"][row][0]["callback_data"])
