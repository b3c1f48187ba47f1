"""The weekly report dialog (填报), end to end through the sandbox over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from storage.models import IndicatorValue, Problem, Submission, SubmissionRevision
from storage.models import Period as PeriodRow
from tests.e2e.conftest import SATURDAY_10, Office, StartBot
from tests.e2e.scenario import Person, report_the_short_way
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e


async def submission_rows(database_url: str) -> list[Submission]:
    async with open_session(database_url) as session:
        rows = list(await session.scalars(select(Submission).order_by(Submission.id)))
    return rows


async def count(database_url: str, model: type) -> int:
    async with open_session(database_url) as session:
        total = await session.scalar(select(func.count()).select_from(model))
    return int(total or 0)


async def report_a_full_week(zhang: Person) -> None:
    """Every step once, with the awkward inputs people really type."""
    await zhang.says("/submit")
    await zhang.reads("开始填报")
    await zhang.reads("本周工作完成情况")
    await zhang.says("举办<b>招聘会</b> 2 场 & 走访企业 15 家 🎉")
    await zhang.reads("服务人次")
    await zhang.says("很多")
    refusal = await zhang.reads("不是一个数字")
    assert "服务人次" in refusal.text  # the same message asks again
    await zhang.says("1,200人次")
    await zhang.reads("新增岗位")
    await zhang.says("１.５万")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.says("６０％")
    await zhang.reads("本周有新的问题")
    await zhang.presses("➕ 添加问题")
    await zhang.reads("请描述问题")
    await zhang.says("招聘会场地不足")
    await zhang.reads("是否提交例会研究")
    await zhang.presses("提交例会研究")
    await zhang.reads("还有其他问题吗")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("筹备春季招聘月活动")
    await zhang.reads("工作照片")
    await zhang.sends_photo(1)
    await zhang.reads("已收到 1 张")
    await zhang.presses("完成")


async def test_a_contact_reports_a_full_week(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    bot = await start_bot(seeded_database)
    zhang = Person(driver, office.zhang)
    await report_a_full_week(zhang)
    preview = await zhang.reads("预览")
    # What he typed comes back literally: HTML-looking text is escaped, not interpreted.
    assert "举办<b>招聘会</b> 2 场 & 走访企业 15 家 🎉" in preview.text
    assert "服务人次：1,200 人次" in preview.text
    assert "新增岗位：15,000 个" in preview.text
    assert "招聘会场地不足（提交例会研究）" in preview.text
    assert "60%" in preview.text
    await zhang.presses("✅ 提交")
    done = await zhang.reads("已提交")
    assert "第1版" in done.text and "迟报" not in done.text

    [submission] = await submission_rows(seeded_database)
    assert submission.state == "submitted" and not submission.late
    assert submission.done_text == "举办<b>招聘会</b> 2 场 & 走访企业 15 家 🎉"
    assert submission.progress_status == "on_track" and submission.percent == 60
    assert len(submission.photos) == 1
    assert await count(seeded_database, IndicatorValue) == 2
    assert await count(seeded_database, SubmissionRevision) == 1
    assert await count(seeded_database, Problem) == 1
    bot.assert_clean_log()


async def test_killed_mid_dialog_the_contact_continues_and_nothing_is_lost(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    bot = await start_bot(seeded_database, exec_=True)  # executed: tests/e2e/harness.py
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成了三场培训")
    await zhang.reads("服务人次")
    await zhang.says("300")
    await zhang.reads("新增岗位")
    bot.kill()  # SIGKILL between two answers
    bot.start()
    await zhang.says("20")  # the answer to the question asked before the crash
    await zhang.reads("本周工作总体进展如何")
    bot.kill()
    await zhang.presses("滞后")  # pressed while the bot is down: Telegram keeps the update
    bot.start()
    await zhang.reads("完成百分比")
    [submission] = await submission_rows(seeded_database)
    assert submission.done_text == "完成了三场培训"
    assert submission.progress_status == "delayed"
    assert await count(seeded_database, IndicatorValue) == 2


async def test_late_report_is_accepted_and_marked(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    clock.set(SATURDAY_10)  # after Friday 18:00
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("已过截止时间")
    await zhang.says("本周完成情况")
    await zhang.reads("服务人次")
    await zhang.presses("跳过")
    await zhang.reads("新增岗位")
    await zhang.presses("跳过")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("受阻")
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    await zhang.reads("本周有新的问题")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("下周计划")
    await zhang.reads("工作照片")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    assert "迟报" in (await zhang.reads("已提交")).text
    await zhang.says("/mystatus")
    assert "迟报" in (await zhang.reads("我负责的专项组")).text
    [submission] = await submission_rows(seeded_sqlite)
    assert submission.late


async def test_a_contact_serving_two_groups_chooses_one(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    li = Person(driver, office.li)
    await li.says("/submit")
    menu = await li.reads("请选择要填报的专项组")
    assert menu.button_texts == ["志愿服务组", "环境整治组"]
    await li.presses("环境整治组")
    prompt = await li.reads("本周工作完成情况")
    assert "环境整治组" in prompt.text
    await li.says("清理卫生死角 12 处")
    # 环境整治组 has no indicators: straight on to the status
    await li.reads("本周工作总体进展如何")
    await li.says("/mystatus")
    status = await li.reads("我负责的专项组")
    assert "志愿服务组" in status.text and "草稿" in status.text and "未填报" in status.text


async def test_a_deputy_reports_and_the_report_records_who(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    wang = Person(driver, office.wang)
    await report_the_short_way(wang, done="代为填报：完成岗位对接", plan="继续对接")
    await wang.presses("完成")
    await wang.reads("预览")
    await wang.presses("✅ 提交")
    await wang.reads("已提交")
    [submission] = await submission_rows(seeded_sqlite)
    async with open_session(seeded_sqlite) as session:
        from storage.models import Person as PersonRow

        deputy = await session.scalar(select(PersonRow).where(PersonRow.username == "wang_fang"))
    assert deputy is not None and submission.submitted_by_id == deputy.id


async def test_a_revision_is_kept_beside_the_first_version(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await report_a_full_week(zhang)
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    await zhang.reads("第1版")
    await zhang.says("/submit")
    await zhang.reads("已提交。可以修改后重新提交")
    await zhang.reads("预览")
    await zhang.presses("✏️ 修改")
    await zhang.reads("要修改哪一部分")
    await zhang.presses("下周计划")
    await zhang.reads("下周重点工作")
    await zhang.says("筹备春季招聘月，联系 30 家企业")
    preview = await zhang.reads("预览")
    assert "联系 30 家企业" in preview.text
    await zhang.presses("✅ 提交修改")
    assert "第2版" in (await zhang.reads("已提交修改")).text
    async with open_session(seeded_sqlite) as session:
        revisions = list(
            await session.scalars(select(SubmissionRevision).order_by(SubmissionRevision.number))
        )
    assert [r.content["plan_text"] for r in revisions] == [
        "筹备春季招聘月活动",
        "筹备春季招聘月，联系 30 家企业",
    ]


async def test_dropped_changes_restore_the_submitted_version_until_the_agenda_locks_it(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await report_the_short_way(zhang, done="第一版完成情况", plan="第一版计划")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    await zhang.reads("第1版")

    await zhang.says("/submit")
    await zhang.reads("可以修改后重新提交")
    await zhang.presses("✏️ 修改")
    await zhang.reads("要修改哪一部分")
    await zhang.presses("重点指标")
    await zhang.reads("服务人次")
    await zhang.says("999")
    await zhang.reads("新增岗位")
    await zhang.presses("跳过")
    await zhang.reads("预览")
    await zhang.presses("↩️ 放弃本次修改")
    await zhang.reads("恢复为已提交的版本？")
    await zhang.presses("确定放弃")
    await zhang.reads("已恢复")
    [submission] = await submission_rows(seeded_sqlite)
    assert submission.state == "submitted" and submission.done_text == "第一版完成情况"
    assert await count(seeded_sqlite, IndicatorValue) == 0
    assert await count(seeded_sqlite, SubmissionRevision) == 1

    # The agenda is compiled (a later issue's job): from now on the report is locked.
    async with open_session(seeded_sqlite) as session:
        period = await session.scalar(select(PeriodRow))
        assert period is not None
        period.agenda_compiled_at = period.deadline_at
    await zhang.says("/submit")
    await zhang.reads("议程已汇编")
