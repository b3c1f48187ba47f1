"""Defects found when the dialog was tried with hostile and unusual input (issues 7 and 9).

Each scenario is the way the defect was met; the bot's log must stay free of errors
(checked by the ``start_bot`` fixture), and the saved report shows what was kept.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sandbox.driver import SandboxDriver, SandboxMessage
from storage.models import DialogState, IndicatorValue, Submission
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person, report_the_short_way, tiny_png
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e


def data_of(message: SandboxMessage, label: str) -> str:
    """The callback data behind a button, as a client that still shows it would send it."""
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.short()}")


async def the_submission(database_url: str) -> Submission:
    async with open_session(database_url) as session:
        submission = await session.scalar(select(Submission))
    assert submission is not None
    return submission


async def test_other_group_button_shows_the_group_menu_and_back(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    li = Person(driver, office.li)
    await li.says("/submit")
    await li.reads("请选择要填报的专项组")
    await li.presses("环境整治组")
    await li.reads("本周工作完成情况")
    await li.presses("换一个专项组")
    menu = await li.reads("请选择要填报的专项组")
    assert menu.button_texts == ["志愿服务组", "📝 环境整治组", "« 上一步"]
    await li.presses("« 上一步")
    back = await li.reads("本周工作完成情况")
    assert "环境整治组" in back.text
    await li.presses("换一个专项组")
    await li.reads("请选择要填报的专项组")
    await li.says("/cancel")  # paused at the menu, then back by /submit
    await li.reads("已暂停")
    await li.says("/submit")
    await li.reads("请选择要填报的专项组")
    await li.presses("📝 环境整治组")
    await li.reads("本周工作完成情况")
    await li.says("清理卫生死角 12 处")
    await li.reads("本周工作总体进展如何")
    await li.says("/submit")
    await li.reads("请选择要填报的专项组")
    await li.presses("志愿服务组")
    other = await li.reads("本周工作完成情况")
    assert "志愿服务组" in other.text
    await li.says("组织志愿服务 3 场")
    await li.reads("志愿服务场次")


async def test_a_double_tap_on_a_group_button_acts_once(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    li = Person(driver, office.li)
    await li.says("/submit")
    menu = await li.reads("请选择要填报的专项组")
    data = data_of(menu, "环境整治组")
    assert data.startswith("s:") and data.count(":") == 2
    await li.presses("环境整治组")
    await li.reads("开始填报")
    await li.reads("本周工作完成情况")
    # The second tap of the double tap, sent before the client saw the menu closed.
    second = await driver.press_data(office.li, li.chat, menu.id, data)
    answer = await driver.wait_for_callback_answer(second)
    assert "已失效" in answer["text"]
    await li.reads_nothing_more(within=1.5)
    [closed] = [m for m in await driver.messages(li.chat) if m.id == menu.id]
    assert closed.version == 2  # edited once, not twice


async def test_forged_callback_data_is_stale_and_raises_nothing(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await report_the_short_way(zhang, done="完成情况", plan="计划")
    await zhang.presses("完成")
    preview = await zhang.reads("预览")
    version = data_of(preview, "✏️ 修改").split(":")[1]
    await zhang.presses("✏️ 修改")
    menu = await zhang.reads("要修改哪一部分")
    assert "跟踪事项" not in menu.button_texts  # nothing to follow up this week
    current = data_of(menu, "返回预览").split(":")[1]
    assert current != version
    await driver.mark_seen(zhang.chat)
    forged = [
        "s:²",
        "s:²:1",
        f"s:{current}:²",
        "r:²:keep",
        "r:٣:keep",
        f"r:{current}:e:followups",  # the entry the menu does not offer
        f"r:{current}:e:nonsense",
        f"r:{current}:",
        "r::",
        "s:99999999999999999999:1",
    ]
    for data in forged:
        query = await driver.press_data(office.zhang, zhang.chat, menu.id, data)
        answer = await driver.wait_for_callback_answer(query)
        assert "已失效" in answer["text"], data
    await zhang.reads_nothing_more(within=0.5)
    await zhang.presses("返回预览")  # the real buttons still work
    await zhang.reads("预览")


async def test_a_text_of_invisible_fillers_is_refused_as_empty(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    for blank in ("\u3164", "\u115f\u1160", "\uffa0 \u2800", "\u3164\u200b\u2060"):
        await zhang.says(blank)
        await zhang.reads("内容不能为空")
    await zhang.says("\u3164走访企业 15 家\u3164")
    await zhang.reads("服务人次")
    assert (await the_submission(seeded_sqlite)).done_text == "走访企业 15 家"


async def test_an_album_is_answered_once(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await report_the_short_way(zhang, done="完成情况", plan="计划")
    await driver.mark_seen(zhang.chat)
    for seed in (1, 2, 3):
        await driver.send_photo(office.zhang, zhang.chat, tiny_png(seed), media_group_id="album1")
    # One prompt for the album; by the time it is read it may already count all three.
    prompt = await zhang.reads("已收到")
    if "已收到 3 张" not in prompt.text:
        await driver.wait_for_edit(zhang.chat, prompt, contains="已收到 3 张")
    await zhang.reads_nothing_more(within=1.5)
    assert len((await the_submission(seeded_sqlite)).photos) == 3
    await zhang.sends_photo(4)  # a single photo afterwards gets its own answer
    await zhang.reads("已收到 4 张")
    await zhang.presses("完成")
    await zhang.reads("照片：4 张")


async def test_a_reply_to_an_old_prompt_is_not_the_answer_to_the_current_one(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    done_prompt = await zhang.reads("本周工作完成情况")
    await zhang.says("第一次的完成情况")
    current = await zhang.reads("服务人次")
    # Meant as a correction of the first answer, sent as a reply to the first question.
    await driver.reply(office.zhang, zhang.chat, done_prompt, "更正后的完成情况")
    await zhang.reads("之前的一条提问")
    submission = await the_submission(seeded_sqlite)
    assert submission.done_text == "第一次的完成情况"
    async with open_session(seeded_sqlite) as session:
        assert not list(await session.scalars(select(IndicatorValue)))
        state = await session.scalar(select(DialogState))
        assert state is not None and state.step == "indicators"
    asked_again = (await driver.messages(zhang.chat))[-1]
    assert asked_again.id != current.id
    await driver.reply(office.zhang, zhang.chat, asked_again, "300")  # the current prompt
    await zhang.reads("新增岗位")


async def test_dropping_changes_keeps_what_was_typed_for_each_indicator(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成情况")
    await zhang.reads("服务人次")
    await zhang.says("1,200人次")
    await zhang.reads("新增岗位")
    await zhang.says("１.５万")
    await zhang.reads("本周工作总体进展如何")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    await zhang.reads("本周有新的问题")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("计划")
    await zhang.reads("工作照片")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    await zhang.reads("第1版")
    await zhang.says("/submit")
    await zhang.reads("可以修改后重新提交")
    await zhang.reads("预览")
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
    async with open_session(seeded_sqlite) as session:
        rows = list(await session.scalars(select(IndicatorValue).order_by(IndicatorValue.value)))
    assert [(r.value, r.raw_text) for r in rows] == [(1200, "1,200人次"), (15000, "１.５万")]


async def test_preview_sections_are_numbered_without_a_gap_and_headings_stay_bold(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成情况")
    await zhang.reads("服务人次")
    await zhang.presses("跳过全部指标")
    status = await zhang.reads("本周工作总体进展如何")
    bold = [e for e in status.entities if e["type"] == "bold"]
    assert bold, status.raw
    await zhang.presses("正常推进")
    closed = await driver.wait_for_edit(zhang.chat, status, contains="✓ 正常推进")
    assert [e for e in closed.entities if e["type"] == "bold"] == bold
    assert not closed.buttons
    await zhang.reads("完成百分比")
    await zhang.presses("跳过")
    await zhang.reads("本周有新的问题")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("计划")
    await zhang.reads("工作照片")
    await zhang.presses("完成")
    preview = await zhang.reads("预览")
    headings = [line[:2] for line in preview.text.splitlines() if line[1:2] == "、"]
    assert headings == ["一、", "二、", "三、", "四、", "五、"]
    assert "存在问题" in preview.text.split("四、")[1].split("\n")[0]
