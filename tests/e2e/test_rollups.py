"""The month and the half year through the sandbox: /assess for the director and not for a
member; a good practice marked with /highlight shows in that month's summary."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sandbox.driver import SandboxDriver
from storage.models import AuditLog, GoodPractice, PublishedAssessment, TaskGroup, Workspace
from tests.databases import migrated_sqlite_url
from tests.e2e.conftest import GROUPS, Office, StartBot
from tests.e2e.scenario import Person, report_the_short_way
from tests.e2e.seed import open_session, seed_office

pytestmark = pytest.mark.e2e

ROLES = {"zhao_director": "director", "someone_else": "member"}
JUNE = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
async def office_with_member(office: Office, tmp_path: Path) -> str:
    """The usual office, with the outsider made a plain member of it."""
    url = await migrated_sqlite_url(tmp_path)
    await seed_office(url, office.chat.id, GROUPS, staff=ROLES)
    async with open_session(url) as session:  # the roster has been there since June
        await session.execute(update(TaskGroup).values(created_at=JUNE))
    return url


async def test_assess_answers_the_director_and_refuses_a_member(
    driver: SandboxDriver, office: Office, office_with_member: str, start_bot: StartBot
) -> None:
    await start_bot(office_with_member)
    director = Person(driver, office.director)
    await director.says("/assess")
    answer = await director.reads("专项组考核结果")
    assert "2026年下半年" in answer.text
    for group in ("就业援助组", "志愿服务组", "环境整治组"):
        assert group in answer.text
    # Thursday of week 48: weeks 27 to 47 are past their deadline, and nobody reported
    assert "按时报送 0/21周" in answer.text and "评分规则" in answer.text
    assert answer.button_texts == ["📌 发布考核结果"]

    await director.says("/adjust 2026-H2 emp +2 承办全区现场观摩会")
    adjusted = await director.reads("已记录")
    assert "就业援助组" in adjusted.text and "+2" in adjusted.text
    await director.says("/adjust 2026-H2 EMP +9 再加")
    await director.reads("超出范围")  # 2 + 9 > 10
    await director.says("/adjust 2026-H2 EMP 很多 理由")
    await director.reads("不是有效的分值")

    await director.presses("📌 发布考核结果")
    await director.reads("考核结果已发布")
    async with open_session(office_with_member) as session:
        [published] = list(await session.scalars(select(PublishedAssessment)))
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        workspace.settings = {"rubric": {"on_time": 100, "decisions": 0}}  # a new rubric
    assert published.window_key == "2026-H2"
    await director.says("/assess")
    stored = await director.reads("专项组考核结果")
    assert "已于2026-11-26发布" in stored.text and "按时报送 0/21周" in stored.text
    assert "按时报送40分" in stored.text  # the rubric as published, not the new one
    assert "就业援助组：+2.0分，理由：承办全区现场观摩会" in stored.text
    assert "计算得分0.0，加减分+2.0" in stored.text
    assert stored.button_texts == []

    bot = (await driver.bot_info())["user"]["username"]
    await driver.send_text(office.outsider, office.chat.id, f"/assess@{bot}")
    # the member's client is in English, so the refusal is too
    refusal = await driver.wait_for_message(office.chat.id, contains="you may not do that")
    assert "assessment" not in refusal.text.lower()
    member = Person(driver, office.outsider)
    await member.says("/assess")
    await member.reads("not the director or staff of any office")


async def test_a_good_practice_marked_appears_in_the_months_summary(
    driver: SandboxDriver, office: Office, office_with_member: str, start_bot: StartBot
) -> None:
    await start_bot(office_with_member)
    zhang = Person(driver, office.zhang)
    await report_the_short_way(zhang, "开设“家门口就业”招聘点3个。走访企业15家", "继续走访企业")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    await zhang.reads("已提交")

    director = Person(driver, office.director)
    await director.says("/highlight 社区“家门口就业”招聘点")
    choose = await director.reads("请选择专项组")
    assert choose.button_texts == ["就业援助组"]  # the only group with a report so far
    await director.presses("就业援助组")
    await driver.wait_for_edit(director.chat, choose, contains="请选择周报")
    await director.presses("2026年第48周")
    passages = await driver.wait_for_edit(director.chat, choose, contains="其中一段")
    assert "开设“家门口就业”招聘点3个。" in passages.button_texts
    await director.presses("开设“家门口就业”招聘点3个。")
    await driver.wait_for_edit(director.chat, choose, contains="已标记为好的做法")

    await director.says("/monthly 2026-11")
    chart = await director.reads("2026年11月工作总结", timeout=20)  # the chart's caption
    # W45–W47 due for three groups, and 就业援助组 has reported W48 before its deadline
    assert "本月应报10周次，已报1周次" in chart.text
    summary = await director.reads("四、好的做法经验", timeout=20)
    assert "社区“家门口就业”招聘点" in summary.text
    assert "就业援助组（第48周）：开设“家门口就业”招聘点3个。" in summary.text

    async with open_session(office_with_member) as session:
        [mark] = list(await session.scalars(select(GoodPractice)))
        actions = list(await session.scalars(select(AuditLog.action)))
    assert mark.status == "marked" and mark.passage == "开设“家门口就业”招聘点3个。"
    assert "highlight.mark" in actions

    # withdrawn, it leaves the summary
    await director.presses("撤销标记")
    await director.reads("已撤销好的做法")
    await director.says("/monthly 2026-11")
    again = await director.reads("四、好的做法经验", timeout=20)
    assert "家门口就业" not in again.text and "本月暂无标记的好的做法" in again.text

    # the same from /report: the button under the week's reports, then the title
    await director.says("/report")
    status = await director.reads("填报情况", timeout=20)
    assert status.button_texts == ["⭐ 就业援助组：标为好的做法"]
    await director.presses("⭐ 就业援助组：标为好的做法")
    await director.reads("请在1小时内发送 /highlight 标题")
    await director.says("/highlight 企业走访全覆盖")
    passages = await director.reads("其中一段")
    await director.presses("整篇周报")
    await driver.wait_for_edit(director.chat, passages, contains="已标记为好的做法")
    await director.says("/monthly 2026-11")
    third = await director.reads("四、好的做法经验", timeout=20)
    assert (
        "1. 企业走访全覆盖" in third.text
        and "开设“家门口就业”招聘点3个。走访企业15家" in third.text
    )
