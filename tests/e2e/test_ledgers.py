"""The decision and problem ledgers through the sandbox: /decide, /decisions, /problems.

A week of the office: at Monday's meeting the director records a decision; on Thursday the
owner group's contact is asked to follow it up; the director closes it, and it is gone
from the ledger the next agenda reads. Members read the ledgers and change nothing.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from bot.clock import FileClock
from bot.ledgers import open_decisions
from bot.periods import parse_period
from bot.reporting import period_row
from sandbox.driver import SandboxDriver, SandboxMessage
from storage.models import (
    AuditLog,
    Decision,
    Membership,
    Person,
    Problem,
    StatusChange,
    TaskGroup,
    Workspace,
)
from storage.models import Period as PeriodRow
from tests.e2e.access_world import snapshot
from tests.e2e.conftest import SHANGHAI, THURSDAY_10, Office, StartBot
from tests.e2e.scenario import Person as Actor
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

MONDAY_MEETING = datetime(2026, 11, 30, 10, 30, tzinfo=SHANGHAI)  # week 49; reports are W48
NEXT_THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
DECISION = "两周内完成<b>用工</b>平台对接 & 测试"


def data_of(message: SandboxMessage, label: str) -> str:
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.short()}")


async def rows(database_url: str, model: type) -> list:  # type: ignore[type-arg]
    async with open_session(database_url) as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def grant(database_url: str, username: str, role: str) -> None:
    async with open_session(database_url) as session:
        workspace = await session.scalar(select(Workspace))
        person = await session.scalar(select(Person).where(Person.username == username))
        assert workspace is not None and person is not None
        session.add(Membership(workspace_id=workspace.id, person_id=person.id, role=role))


async def director_records_a_decision(driver: SandboxDriver, director: Actor) -> None:
    await director.says("/decide")
    await director.reads("请输入例会议定的事项")
    await director.says(DECISION)
    groups = await director.reads("请选择责任专项组")
    assert "<b>用工</b>" in groups.text  # shown as typed, not as markup
    await director.presses("就业援助组")
    await director.reads("请输入完成时限")
    await director.says("尽快")
    await director.reads("不是一个明确的日期")
    await director.says("11月20日")
    await director.reads("已经过去了")
    await director.says("12月15日")
    confirm = await director.reads("请确认议定事项")
    assert DECISION in confirm.text and "2026-12-15" in confirm.text
    assert not [e for e in confirm.entities if e["type"] == "bold" and e["offset"] > 10]
    await director.presses("✅ 确认记录")
    await director.reads("已记录")


async def test_a_decision_is_recorded_followed_up_and_closed(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(MONDAY_MEETING)
    await start_bot(seeded_database)
    director = Actor(driver, office.director)
    await director_records_a_decision(driver, director)
    [decision] = await rows(seeded_database, Decision)
    assert decision.text == DECISION and decision.due_on == date(2026, 12, 15)
    assert decision.status == "open" and decision.created_by_id is not None
    async with open_session(seeded_database) as session:
        decided = await session.get(PeriodRow, decision.decided_period_id)
        assert decided is not None and decided.key == "2026-W48"
    assert [c.status for c in await rows(seeded_database, StatusChange)] == ["open"]
    assert [a.action for a in await rows(seeded_database, AuditLog)] == ["decision.create"]

    clock.set(NEXT_THURSDAY)  # the owner group's next report asks about it
    zhang = Actor(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("第49周工作")
    await zhang.reads("服务人次")
    await zhang.presses("跳过全部指标")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    follow_up = await zhang.reads("跟踪事项")
    assert f"议定事项：{DECISION}" in follow_up.text and "2026-12-15" in follow_up.text

    await director.says("/decisions")
    ledger = await director.reads("议定事项台账")
    assert DECISION in ledger.text and "就业援助组" in ledger.text and "已逾期" not in ledger.text
    close = data_of(ledger, "销号 1")
    await director.presses("销号 1")
    await director.reads("请填写销号说明")
    await director.says("已完成对接")
    await director.reads("已销号")
    again = await driver.press_data(office.director, director.chat, ledger.id, close)
    assert "已经销号" in (await driver.wait_for_callback_answer(again))["text"]

    [decision] = await rows(seeded_database, Decision)
    assert decision.status == "done" and decision.closed_at is not None
    changes = await rows(seeded_database, StatusChange)
    assert [(c.status, c.note) for c in changes] == [("open", ""), ("done", "已完成对接")]
    audit = [a.action for a in await rows(seeded_database, AuditLog)]
    assert audit == ["decision.create", "decision.close"]
    async with open_session(seeded_database) as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        week = await period_row(session, workspace, parse_period("2026-W49"))
        assert await open_decisions(session, workspace, week) == []
    await director.says("/decisions")
    assert "目前没有未销号的议定事项" in (await director.reads("议定事项台账")).text


async def add_problem(database_url: str, text: str, week: str, group_code: str = "EMP") -> int:
    async with open_session(database_url) as session:
        workspace = await session.scalar(select(Workspace))
        group = await session.scalar(select(TaskGroup).where(TaskGroup.code == group_code))
        assert workspace is not None and group is not None
        period = await period_row(session, workspace, parse_period(week))
        problem = Problem(
            workspace_id=workspace.id,
            group_id=group.id,
            text=text,
            status="open",
            opened_period_id=period.id,
            created_at=THURSDAY_10,
        )
        session.add(problem)
        await session.flush()
        return problem.id


async def test_problems_members_read_managers_change_once_strangers_are_refused(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    recent = await add_problem(seeded_sqlite, "场地不足 <i>急</i>", "2026-W48", "VOL")
    old = await add_problem(seeded_sqlite, "用工信息发布渠道不畅", "2026-W45")
    await grant(seeded_sqlite, "li_na", "member")
    await start_bot(seeded_sqlite)

    li = Actor(driver, office.li)  # a member: reads, no buttons
    await li.says("/problems")
    page = await li.reads("存在问题台账")
    assert page.text.index("用工信息发布渠道不畅") < page.text.index("场地不足 <i>急</i>")
    assert "🔴" in page.text and "已持续4周" in page.text and "已持续1周" in page.text
    assert page.buttons == []
    forged = await driver.press_data(office.li, li.chat, page.id, f"pr:{old}:r:0")
    assert "没有权限进行这项操作" in (await driver.wait_for_callback_answer(forged))["text"]
    await li.says("/decisions")
    await li.reads("目前没有未销号的议定事项")

    outsider = Actor(driver, office.outsider)
    await outsider.says("/problems")
    await outsider.reads("you may not do that")
    await outsider.says("/decide")
    await outsider.reads("you may not do that")

    director = Actor(driver, office.director)
    await director.says("/problems")
    ledger = await director.reads("存在问题台账")
    resolve = data_of(ledger, "✅ 解决 1")
    assert resolve == f"pr:{old}:r:0"
    await director.presses("✅ 解决 1")
    page = await driver.wait_for_edit(director.chat, ledger, contains="未解决 1 项")
    assert "用工信息发布渠道不畅" not in page.text
    twice = await driver.press_data(office.director, director.chat, ledger.id, resolve)
    assert "无需重复" in (await driver.wait_for_callback_answer(twice))["text"]
    await director.presses("📌 提交例会 1")
    flagged = await driver.wait_for_edit(director.chat, ledger, contains="已提交例会")
    assert "取消提交 1" in flagged.button_texts
    flag = f"pr:{recent}:f:0"
    twice = await driver.press_data(office.director, director.chat, ledger.id, flag)
    assert "无需重复" in (await driver.wait_for_callback_answer(twice))["text"]

    problems = {p.id: p for p in await rows(seeded_sqlite, Problem)}
    assert problems[old].status == "resolved" and problems[old].resolved_at is not None
    assert problems[recent].to_meeting and problems[recent].status == "open"
    changes = [(c.problem_id, c.status) for c in await rows(seeded_sqlite, StatusChange)]
    assert changes == [(old, "resolved"), (recent, "flagged")]
    audit = [(a.action, a.details["problem_id"]) for a in await rows(seeded_sqlite, AuditLog)]
    assert audit == [("problem.resolve", old), ("problem.flag", recent)]


async def test_reading_the_ledgers_changes_nothing_not_even_the_weeks_row(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    # A week no one has reported in yet: reading its ledgers used to create its row.
    await grant(seeded_sqlite, "li_na", "member")
    await start_bot(seeded_sqlite)
    before = await snapshot(seeded_sqlite)
    assert before["period"] == []
    for person in (Actor(driver, office.li), Actor(driver, office.director)):
        await person.says("/problems")
        await person.reads("目前没有未解决的问题")
        await person.says("/decisions")
        await person.reads("目前没有未销号的议定事项")
    assert await snapshot(seeded_sqlite) == before


async def test_decide_in_the_office_chat_points_to_the_private_chat(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    bot = (await driver.bot_info())["user"]["username"]
    await driver.send_text(office.zhang, office.chat.id, f"/decide@{bot}")
    await driver.wait_for_message(office.chat.id, contains="没有权限进行这项操作")
    await driver.send_text(office.director, office.chat.id, f"/decide@{bot}")
    offer = await driver.wait_for_message(office.chat.id, contains="私聊")
    [[button]] = offer.reply_markup["inline_keyboard"]
    token = re.fullmatch(rf"https://t\.me/{bot}\?start=([A-Za-z0-9_-]+)", button["url"])
    assert token
    director = Actor(driver, office.director)
    await director.says(f"/start {token.group(1)}")
    await director.reads("请输入例会议定的事项")
    await director.says("/cancel")
    await director.reads("已取消")
    async with open_session(seeded_sqlite) as session:
        assert await session.scalar(select(func.count()).select_from(Decision)) == 0


async def test_a_decide_dialog_survives_a_restart_and_gives_text_back_to_the_report(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await grant(seeded_sqlite, "zhang_wei", "staff")  # a contact who is also office staff
    bot = await start_bot(seeded_sqlite)
    zhang = Actor(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("/decide")
    await zhang.reads("请输入例会议定的事项")
    await zhang.says("下周前完成场地协调")
    await zhang.reads("请选择责任专项组")
    bot.kill()
    bot.start()
    await zhang.presses("志愿服务组")
    await zhang.reads("请输入完成时限")
    await zhang.presses("不设时限")
    await zhang.reads("请确认议定事项")
    await zhang.presses("✅ 确认记录")
    await zhang.reads("已记录")
    await zhang.says("/submit")  # back to the report, where it was
    await zhang.reads("本周工作完成情况")
    await zhang.says("本周完成情况")
    await zhang.reads("服务人次")
    [decision] = await rows(seeded_sqlite, Decision)
    assert decision.text == "下周前完成场地协调" and decision.due_on is None


async def test_twice_pressed_buttons_record_once_and_pages_turn_in_place(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    for n in range(12):
        await add_problem(seeded_sqlite, f"问题{n:02d}", "2026-W48")
    await start_bot(seeded_sqlite)
    director = Actor(driver, office.director)
    await director.says("/decide")
    await director.reads("请输入例会议定的事项")
    await director.says("完成场地协调")
    await director.reads("请选择责任专项组")
    await director.presses("环境整治组")
    await director.reads("请输入完成时限")
    await director.says("下周五")
    confirm = await director.reads("请确认议定事项")
    assert "2026-12-04" in confirm.text  # Thursday 26 November: next week's Friday
    record = data_of(confirm, "✅ 确认记录")
    await director.presses("✅ 确认记录")
    await director.reads("已记录")
    again = await driver.press_data(office.director, director.chat, confirm.id, record)
    assert "已失效" in (await driver.wait_for_callback_answer(again))["text"]
    assert len(await rows(seeded_sqlite, Decision)) == 1

    await director.says("/problems")
    first = await director.reads("存在问题台账")
    assert "（第1/2页）" in first.text and "问题09" in first.text and "问题10" not in first.text
    await director.presses("›")
    second = await driver.wait_for_edit(director.chat, first, contains="（第2/2页）")
    assert "问题10" in second.text and "问题09" not in second.text
    assert "✅ 解决 11" in second.button_texts and "✅ 解决 1" not in second.button_texts
    await director.presses("‹")
    await driver.wait_for_edit(director.chat, first, contains="（第1/2页）")


async def test_rights_are_looked_up_again_before_a_decision_is_closed(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await grant(seeded_sqlite, "li_na", "staff")
    await start_bot(seeded_sqlite)
    li = Actor(driver, office.li)
    await li.says("/decide")
    await li.reads("请输入例会议定的事项")
    await li.says("完善志愿者台账")
    await li.reads("请选择责任专项组")
    await li.presses("志愿服务组")
    await li.reads("请输入完成时限")
    await li.says("月底")
    await li.reads("2026-11-30")
    await li.presses("✅ 确认记录")
    await li.reads("已记录")
    await li.says("/decisions")
    await li.reads("议定事项台账")
    await li.presses("销号 1")
    await li.reads("请填写销号说明")
    async with open_session(seeded_sqlite) as session:  # the director takes the role away
        membership = await session.scalar(select(Membership))
        assert membership is not None and membership.role == "director"
        li_membership = await session.scalar(select(Membership).where(Membership.role == "staff"))
        assert li_membership is not None
        li_membership.role = "member"
    await li.presses("无需说明")
    await li.reads("没有权限进行这项操作")
    [decision] = await rows(seeded_sqlite, Decision)
    assert decision.status == "open" and decision.closed_at is None
    await li.says("/decide")
    await li.reads("没有权限进行这项操作")
    outsider = Actor(driver, office.outsider)
    await outsider.says("/decisions")
    await outsider.reads("you may not do that")
