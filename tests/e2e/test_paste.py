"""A weekly report pasted as it is written (issue 18), end to end through the sandbox."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from docx import Document
from sqlalchemy import select

from bot.periods import parse_period
from bot.reporting import period_row
from sandbox.driver import SandboxDriver
from storage.models import FollowUp, IndicatorValue, Problem, Submission, TaskGroup, Workspace
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

WEEK = """就业援助组第48周工作情况汇报
一、本周工作完成情况
1.举办招聘会2场，服务群众５００人次；
2、走访企业37户，新增岗位1,200个。
二、存在的问题
1.招聘会场地仍然不足
2.企业用工信息更新不及时
三、下步打算
①筹备春季招聘月活动；
②继续走访企业。"""


async def open_problem(database_url: str, text: str) -> None:
    """A problem the group raised some weeks ago and that is still open."""
    async with open_session(database_url) as session:
        group = await session.scalar(select(TaskGroup).where(TaskGroup.code == "EMP"))
        assert group is not None
        workspace = await session.get(Workspace, group.workspace_id)
        assert workspace is not None
        period = await period_row(session, workspace, parse_period("2026-W45"))
        session.add(
            Problem(
                workspace_id=group.workspace_id,
                group_id=group.id,
                text=text,
                status="open",
                opened_period_id=period.id,
                created_at=datetime(2026, 11, 5, tzinfo=UTC),
            )
        )


async def the_report(database_url: str) -> Submission:
    async with open_session(database_url) as session:
        [submission] = list(await session.scalars(select(Submission)))
        await session.refresh(submission, ["indicator_values", "follow_ups", "revisions"])
    return submission


async def test_a_pasted_week_is_previewed_and_submitted_in_one_press(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    await open_problem(seeded_database, "招聘会场地不足")
    await start_bot(seeded_database)
    zhang = Person(driver, office.zhang)
    await zhang.says(WEEK)  # no /submit first
    asked = await zhang.reads("已按您发来的周报整理")
    assert "完成情况 2 条，新问题 1 条，跟踪事项 1 条，下周计划 2 条，识别出指标 2 项" in asked.text
    assert "本周工作总体进展如何" in asked.text  # the one thing the text did not say
    await zhang.presses("正常推进")
    preview = await zhang.reads("预览")
    assert "举办招聘会2场，服务群众５００人次\n走访企业37户，新增岗位1,200个" in preview.text
    assert "服务人次：500 人次" in preview.text and "新增岗位：1,200 个" in preview.text
    assert "企业用工信息更新不及时" in preview.text
    assert "筹备春季招聘月活动\n继续走访企业" in preview.text
    assert "就业援助组第48周工作情况汇报" not in preview.text  # the title line is dropped
    assert preview.text.count("招聘会场地仍然不足") == 1  # as the old problem's follow-up
    await zhang.presses("✅ 提交")
    done = await zhang.reads("已提交")
    assert "第1版" in done.text
    submission = await the_report(seeded_database)
    assert submission.state == "submitted" and submission.progress_status == "on_track"
    assert [p["text"] for p in submission.new_problems] == ["企业用工信息更新不及时"]
    assert sorted(v.value for v in submission.indicator_values) == [500, 1200]
    [follow_up] = submission.follow_ups
    assert (follow_up.outcome, follow_up.note) == ("needs_coordination", "招聘会场地仍然不足")
    async with open_session(seeded_database) as session:
        problems = sorted(p.text for p in await session.scalars(select(Problem)))
    assert problems == ["企业用工信息更新不及时", "招聘会场地不足"]  # one new, the old not again


async def test_a_paste_mid_dialog_is_read_as_the_whole_report(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_database)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成了三场培训")
    await zhang.reads("服务人次")  # a number is asked; the paste is not taken as one
    await zhang.says(WEEK.replace("走访企业37户", "走访企业37户，各项工作正常推进"))
    preview = await zhang.reads("预览")
    assert "已按您发来的周报整理" in preview.text
    assert "完成了三场培训" not in preview.text
    assert "不是一个数字" not in preview.text
    assert "正常推进" in preview.text
    await zhang.presses("✅ 提交")
    await zhang.reads("已提交")
    submission = await the_report(seeded_database)
    assert (
        submission.done_text
        == "举办招聘会2场，服务群众５００人次\n走访企业37户，各项工作正常推进，新增岗位1,200个"
    )


async def test_a_paste_in_two_pieces_survives_a_restart_between_them_and_before_the_press(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    bot = await start_bot(seeded_database)
    zhang = Person(driver, office.zhang)
    first, second = WEEK.split("三、下步打算")
    await zhang.says(first.replace("走访企业37户", "走访企业37户，进度滞后"))
    preview = await zhang.reads("预览")
    assert "筹备春季招聘月活动" not in preview.text
    bot.kill()  # SIGKILL between the two pieces
    bot.start()
    await zhang.says("三、下步打算" + second)
    joined = await zhang.reads("筹备春季招聘月活动")
    assert "举办招聘会2场" in joined.text and "滞后" in joined.text  # the whole, read again
    bot.kill()
    await zhang.presses("✅ 提交")  # pressed while the bot is down: Telegram keeps it
    bot.start()
    await zhang.reads("已提交")
    submission = await the_report(seeded_database)
    assert submission.plan_text == "筹备春季招聘月活动\n继续走访企业"
    assert submission.done_text is not None and "走访企业37户" in submission.done_text
    assert len(submission.new_problems) == 2
    assert len(submission.revisions) == 1


async def test_a_text_without_headings_is_offered_whole_and_nothing_is_lost(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_database)
    zhang = Person(driver, office.zhang)
    text = (
        "本周举办招聘会2场，服务群众500人次，走访企业37户。\n"
        "下周继续走访企业，筹备招聘月。\n目前场地不足。"
    )
    await zhang.says(text)
    offer = await zhang.reads("无法自动拆分")
    assert offer.button_texts == ["全文作为本周完成情况", "按步骤填报"]
    await zhang.presses("全文作为本周完成情况")
    await zhang.reads("服务人次")  # the dialog goes on after 本周完成情况
    submission = await the_report(seeded_database)
    assert submission.done_text == text


async def test_a_word_file_is_read_like_a_paste_and_other_files_are_refused(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_database)
    zhang = Person(driver, office.zhang)
    document = Document()
    for line in WEEK.replace("走访企业37户", "走访企业37户，正常推进").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    await driver.send_document(office.zhang, zhang.chat, buffer.getvalue(), "第48周周报.docx")
    preview = await zhang.reads("预览")
    assert "服务人次：500 人次" in preview.text
    assert "招聘会场地仍然不足" in preview.text  # no open problem: a new one
    await driver.send_document(office.zhang, zhang.chat, b"%PDF-1.4", "周报.pdf")
    await zhang.reads("只能读取 Word")
    await driver.send_document(office.zhang, zhang.chat, b"not a zip", "坏文件.docx")
    await zhang.reads("无法读取")
    await driver.send_document(office.zhang, zhang.chat, b"0" * (2 * 1024 * 1024 + 1), "大.docx")
    await zhang.reads("超过 2 MB")
    async with open_session(seeded_database) as session:
        values = list(await session.scalars(select(IndicatorValue)))
        follow_ups = list(await session.scalars(select(FollowUp)))
    assert sorted(v.value for v in values) == [500, 1200] and follow_ups == []
