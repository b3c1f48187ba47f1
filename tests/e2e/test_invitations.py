"""A new office's contacts find the bot: the invitations in the office chat, a contact who
opens their group's link and confirms, an outsider who opens one, and the director's
checklist filling as they do (refreshed by a button, in place).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from sandbox.driver import SandboxDriver, SandboxMessage
from storage.models import AuditLog, Contact, DeepLink, Membership, TaskGroup, Workspace
from storage.models import Person as PersonRow
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def bot_name(driver: SandboxDriver) -> str:
    return str((await driver.bot_info())["user"]["username"])


def invitation_tokens(message: SandboxMessage, bot: str) -> dict[str, str]:
    """Button label ("1. 就业援助组") → the deep link's token, for every button."""
    tokens = {}
    for row in message.reply_markup["inline_keyboard"]:
        for button in row:
            found = re.fullmatch(rf"https://t\.me/{bot}\?start=([A-Za-z0-9_-]+)", button["url"])
            assert found, button
            tokens[button["text"]] = found.group(1)
    return tokens


async def workspace_id(database_url: str) -> int:
    async with open_session(database_url) as session:
        found = await session.scalar(select(Workspace.id))
    assert found is not None
    return found


async def group_id(database_url: str, code: str) -> int:
    async with open_session(database_url) as session:
        found = await session.scalar(select(TaskGroup.id).where(TaskGroup.code == code))
    assert found is not None
    return found


async def count(database_url: str, model: type, **where: object) -> int:
    async with open_session(database_url) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def name_learned(database_url: str, username: str, name: str) -> None:
    """Until the bot has written down ``name`` for the roster's @username.

    Zhang created the office chat and added the bot, so the bot learns his name from that
    my_chat_member update, handled concurrently with the director's first command: without
    this wait the checklist shows him by name or by @username as the race falls.
    """
    deadline = asyncio.get_running_loop().time() + 10.0
    while asyncio.get_running_loop().time() < deadline:
        async with open_session(database_url) as session:
            known = await session.scalar(
                select(PersonRow.display_name).where(PersonRow.username == username)
            )
        if known == name:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never learned @{username}'s name ({known!r})")


async def test_invitations_reach_the_contacts_and_the_checklist_fills(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_database)
    await name_learned(seeded_database, "zhang_wei", "张伟")
    bot = await bot_name(driver)
    director = Person(driver, office.director)
    await director.says("/invite")

    # The office chat: one message, one link per group, in the roster's order.
    invitation = await driver.wait_for_message(office.chat.id, contains="请各专项组联络员")
    assert "1. 就业援助组：@zhang_wei、@wang_fang" in invitation.text
    tokens = invitation_tokens(invitation, bot)
    assert list(tokens) == ["1. 就业援助组", "2. 志愿服务组", "3. 环境整治组"]
    assert len(set(tokens.values())) == 3
    await director.reads("已在「温暖二七领导小组办公室」群中发出")
    checklist = await director.reads("联络员打开情况")
    assert "已打开 0/3 人，已确认 0 人" in checklist.text
    assert "⬜ 张伟 @zhang_wei（联络员）：未打开" in checklist.text
    assert "⬜ @wang_fang（副联络员）：未打开" in checklist.text
    # A contact of two groups is listed under each, and counted once.
    assert checklist.text.count("⬜ @li_na（联络员）：未打开") == 2

    # Zhang opens his group's link: asked to confirm, confirms, is told what comes next.
    zhang = Person(driver, office.zhang)
    await zhang.says(f"/start {tokens['1. 就业援助组']}")
    ask = await zhang.reads("请确认")
    assert "「就业援助组」" in ask.text and "联络员" in ask.text
    await zhang.presses("是的，我是该组联络员")
    confirmed = await driver.wait_for_edit(zhang.chat, ask, contains="已确认")
    assert "/submit" in confirmed.text and not confirmed.reply_markup

    # The outsider (an English client) opens a link: not theirs, and told whom to ask.
    outsider = Person(driver, office.outsider)
    await outsider.says(f"/start {tokens['2. 志愿服务组']}")
    refusal = await outsider.reads("This link is for the contacts of")
    assert "赵主任" in refusal.text and not refusal.reply_markup
    # Li, a contact of other groups, opens the employment group's link: not hers either.
    li = Person(driver, office.li)
    await li.says(f"/start {tokens['1. 就业援助组']}")
    await li.reads("此链接供「就业援助组」的联络员使用")

    # 刷新: the same message, edited in place, shows who opened and who confirmed.
    pressed = await driver.press_button(office.director, director.chat, "刷新", checklist)
    refreshed = await driver.wait_for_edit(director.chat, checklist, contains="已确认 1 人")
    assert (await driver.wait_for_callback_answer(pressed))["text"] == "已刷新"
    assert "已打开 2/3 人" in refreshed.text  # zhang confirmed, li opened
    assert "✅ 张伟 @zhang_wei（联络员）：已确认" in refreshed.text
    assert "🔵 李娜 @li_na（联络员）：已打开，未确认" in refreshed.text
    assert "⬜ @wang_fang（副联络员）：未打开" in refreshed.text
    # Pressed again: nothing changes, the press is answered all the same.
    again = await driver.press_button(office.director, director.chat, "刷新", checklist)
    assert (await driver.wait_for_callback_answer(again))["text"] == "已刷新"
    # Someone without the right sends the refresh (a forged press in the office chat).
    forged = await driver.forge_callback(
        office.wang, office.chat.id, f"iv:r:{await workspace_id(seeded_database)}", invitation
    )
    assert (await driver.wait_for_callback_answer(forged))["text"] == "没有权限"
    now_there = {m.id: m for m in await driver.messages(office.chat.id)}
    assert now_there[invitation.id].version == invitation.version  # not turned into a checklist

    # Re-sent after a roster change: the same links, none minted again.
    await director.says("/invite")
    resent = await driver.wait_for_message(office.chat.id, contains="请各专项组联络员")
    assert invitation_tokens(resent, bot) == tokens
    assert await count(seeded_database, DeepLink, purpose="invite") == 3


async def test_confirming_survives_a_crash_and_twice_is_once(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    bot_process = await start_bot(seeded_database)
    bot = await bot_name(driver)
    await driver.send_text(office.director, office.chat.id, f"/invite@{bot}")
    invitation = await driver.wait_for_message(office.chat.id, contains="请各专项组联络员")
    # The director never wrote to the bot privately: told how to get the checklist there.
    await driver.wait_for_message(office.chat.id, contains="请先私聊我")
    token = invitation_tokens(invitation, bot)["1. 就业援助组"]

    wang = Person(driver, office.wang)
    await wang.says(f"/start {token}")
    ask = await wang.reads("请确认")
    assert "副联络员" in ask.text
    bot_process.kill()  # SIGKILL between opening the link and confirming
    bot_process.start()
    await wang.presses("是的，我是该组联络员")
    await driver.wait_for_edit(wang.chat, ask, contains="已确认：您是「就业援助组」的副联络员")
    emp = await group_id(seeded_database, "EMP")
    # The same press again (a double tap), and the link opened again: confirmed once.
    repeat = await driver.press_data(office.wang, wang.chat, ask, f"iv:y:{emp}")
    await driver.wait_for_callback_answer(repeat)
    await wang.says(f"/start {token}")
    await wang.reads("已确认：您是「就业援助组」的副联络员")
    assert await count(seeded_database, AuditLog, action="invite.confirmed") == 1

    # A forged answer for a group that is not the person's changes nothing.
    vol = await group_id(seeded_database, "VOL")
    forged = await driver.press_data(office.wang, wang.chat, ask, f"iv:y:{vol}")
    assert (await driver.wait_for_callback_answer(forged))["text"] == "没有权限"
    assert await count(seeded_database, AuditLog, action="invite.confirmed") == 1

    # The director, now in the private chat, sees the deputy as confirmed.
    director = Person(driver, office.director)
    await director.says("/invite")
    checklist = await director.reads("联络员打开情况")
    assert "✅ 王芳 @wang_fang（副联络员）：已确认" in checklist.text
    assert "已打开 1/3 人，已确认 1 人" in checklist.text


async def test_a_director_of_two_offices_chooses_which_to_invite_for(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    second = await driver.create_group("第二办公室", members=[office.director.id, office.li.id])
    async with open_session(seeded_database) as session:
        director = await session.scalar(
            select(PersonRow).where(PersonRow.username == "zhao_director")
        )
        li = await session.scalar(select(PersonRow).where(PersonRow.username == "li_na"))
        assert director is not None and li is not None
        other = Workspace(chat_id=second.id, title="第二办公室", settings={}, created_at=NOW)
        session.add(other)
        await session.flush()
        group = TaskGroup(workspace_id=other.id, code="SAFE", name="安全生产组", position=1)
        group.contacts = [Contact(person_id=li.id, kind="primary")]
        session.add_all(
            [group, Membership(workspace_id=other.id, person_id=director.id, role="director")]
        )
    await start_bot(seeded_database)
    zhao = Person(driver, office.director)
    await zhao.says("/invite")
    await zhao.reads("这条命令要在哪个办公室执行")
    await zhao.presses("第二办公室")
    invitation = await driver.wait_for_message(second.id, contains="请各专项组联络员")
    assert "1. 安全生产组：@li_na" in invitation.text and "就业援助组" not in invitation.text
    checklist = await zhao.reads("联络员打开情况（第二办公室）")
    assert "已打开 0/1 人" in checklist.text
    await driver.expect_no_message(office.chat.id, within=0.5)  # the first office: nothing


async def test_without_the_office_chat_nothing_is_posted_and_the_director_is_told(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_database)
    zhao = Person(driver, office.director)
    await zhao.says("/start")
    await zhao.reads("例会助手")
    bot_id = (await driver.bot_info())["user"]["id"]
    await driver.set_member(office.chat.id, bot_id, "kicked", by=office.director)
    await zhao.reads("我已被移出办公室群")
    await zhao.says("/invite")
    await zhao.reads("我目前不在办公室群中")
    assert await count(seeded_database, DeepLink, purpose="invite") == 0


async def test_invitations_sent_by_staff_give_the_director_a_checklist_too(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    qian = await driver.create_user("钱干事", username="qian_staff", language_code="zh-hans")
    async with open_session(seeded_database) as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        staff = PersonRow(username="qian_staff", display_name="qian_staff")
        session.add(staff)
        await session.flush()
        session.add(Membership(workspace_id=workspace.id, person_id=staff.id, role="staff"))
    await start_bot(seeded_database)
    zhao, clerk = Person(driver, office.director), Person(driver, qian)
    await zhao.says("/start")  # the director has opened the bot: a private copy can reach him
    await zhao.reads("例会助手")
    await clerk.says("/invite")
    await driver.wait_for_message(office.chat.id, contains="请各专项组联络员")
    own = await clerk.reads("联络员打开情况")
    copy = await zhao.reads("联络员打开情况")
    assert copy.text == own.text and "已打开 0/3 人" in copy.text
    pressed = await driver.press_button(office.director, zhao.chat, "刷新", copy)
    assert (await driver.wait_for_callback_answer(pressed))["text"] == "已刷新"
