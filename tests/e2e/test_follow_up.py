"""Problems and decisions followed up week after week through the dialog."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from storage.models import Decision, Problem, StatusChange, TaskGroup
from storage.models import Period as PeriodRow
from tests.e2e.conftest import SHANGHAI, THURSDAY_10, Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

LAST_THURSDAY = datetime(2026, 11, 19, 10, 0, tzinfo=SHANGHAI)  # week 47


async def add_decision(database_url: str, text: str) -> None:
    """What /decide (a later issue) records after the meeting of week 47."""
    async with open_session(database_url) as session:
        group = await session.scalar(select(TaskGroup).where(TaskGroup.code == "EMP"))
        period = await session.scalar(select(PeriodRow).where(PeriodRow.key == "2026-W47"))
        assert group is not None and period is not None
        session.add(
            Decision(
                workspace_id=group.workspace_id,
                group_id=group.id,
                text=text,
                due_on=date(2026, 12, 4),
                status="open",
                decided_period_id=period.id,
                created_at=THURSDAY_10,
            )
        )


async def test_last_weeks_problem_and_decision_are_followed_up_and_closed(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(LAST_THURSDAY)
    bot = await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("第47周工作")
    await zhang.reads("服务人次")
    await zhang.presses("跳过全部指标")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("滞后")
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    await zhang.reads("本周有新的问题")
    await zhang.presses("➕ 添加问题")
    await zhang.reads("请描述问题")
    await zhang.says("用工信息发布渠道不畅")
    await zhang.reads("是否提交例会研究")
    await zhang.presses("暂不提交")
    await zhang.reads("还有其他问题吗")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("疏通渠道")
    await zhang.reads("工作照片")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    await zhang.reads("已提交")
    await add_decision(seeded_sqlite, "两周内完成用工信息平台对接")

    clock.set(THURSDAY_10)  # a week later
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("第48周工作")
    await zhang.reads("服务人次")
    await zhang.presses("跳过全部指标")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    decision = await zhang.reads("跟踪事项（1/2）")
    assert "两周内完成用工信息平台对接" in decision.text and "2026-12-04" in decision.text
    await zhang.presses("推进中")
    await zhang.reads("请简要说明进展")
    await zhang.says("已完成接口联调")
    problem = await zhang.reads("跟踪事项（2/2）")
    assert "用工信息发布渠道不畅" in problem.text
    await zhang.presses("已解决")
    await zhang.reads("请简要说明进展")
    await zhang.presses("无需说明")
    await zhang.reads("本周有新的问题")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("上线平台")
    await zhang.reads("工作照片")
    await zhang.presses("完成")
    preview = await zhang.reads("预览")
    assert "两周内完成用工信息平台对接：推进中（已完成接口联调）" in preview.text
    assert "用工信息发布渠道不畅：已解决" in preview.text
    await zhang.presses("✅ 提交")
    await zhang.reads("已提交")

    async with open_session(seeded_sqlite) as session:
        problem_row = await session.scalar(select(Problem))
        decision_row = await session.scalar(select(Decision))
        changes = list(await session.scalars(select(StatusChange).order_by(StatusChange.id)))
    assert problem_row is not None and problem_row.status == "resolved"
    assert problem_row.resolved_at is not None
    assert decision_row is not None and decision_row.status == "in_progress"
    assert [c.status for c in changes] == ["open", "in_progress", "resolved"]
    assert changes[1].note == "已完成接口联调"
    bot.assert_clean_log()


async def test_back_goes_to_the_previous_question(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成情况")
    await zhang.reads("服务人次")
    await zhang.says("10")
    await zhang.reads("新增岗位")
    await zhang.says("2")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("« 上一步")
    back = await zhang.reads("服务人次")
    assert "当前内容：10" in back.text  # what was answered is shown, and kept
    await zhang.presses("« 上一步")
    await zhang.reads("本周工作完成情况")
    await zhang.presses("保持不变")
    await zhang.reads("服务人次")
