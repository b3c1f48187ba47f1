"""Every prompt of the dialog tried with wrong, repeated and stale input.

Each case gets a short, clear answer; none changes saved data it should not; the bot's
log stays free of errors (checked by the ``start_bot`` fixture at the end of each test).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from sandbox.driver import SandboxDriver
from storage.models import IndicatorValue, Submission
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person, report_the_short_way, tiny_png
from tests.e2e.seed import exempt, open_session

pytestmark = pytest.mark.e2e


async def saved(database_url: str) -> tuple[Submission | None, list[float]]:
    async with open_session(database_url) as session:
        submission = await session.scalar(select(Submission))
        values = sorted(v.value for v in await session.scalars(select(IndicatorValue)))
    return submission, values


async def test_wrong_input_at_every_kind_of_prompt_gets_a_clear_answer(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says(" \u3000 \u200b ")
    await zhang.reads("内容不能为空")
    await zhang.says("字" * 2001)
    assert "2001" in (await zhang.reads("内容过长")).text
    await zhang.sends_photo()
    await zhang.reads("现在不需要照片")
    await driver.send_document(office.zhang, zhang.chat, b"%PDF-1.4", "report.pdf")
    await zhang.reads("只能读取 Word")  # a .docx would be read as a pasted report (issue 18)
    await zhang.says("本周完成情况")
    await zhang.reads("服务人次")
    for wrong in ("很多", "300-500", "-5"):
        await zhang.says(wrong)
        await zhang.reads("不是一个数字")
    await zhang.says("300")
    await zhang.reads("新增岗位")
    await zhang.presses("跳过")
    await zhang.reads("本周工作总体进展如何")
    await zhang.says("挺好的")  # typed at a step that wants a button
    await zhang.reads("请点击下方按钮")
    await zhang.presses("正常推进")
    await zhang.reads("完成百分比")
    await zhang.says("150")
    await zhang.reads("不是 0 到 100 之间的百分比")
    await zhang.says("80")
    await zhang.reads("本周有新的问题")
    await zhang.presses("➕ 添加问题")
    await zhang.reads("请描述问题")
    await zhang.says("\u200b\u200b")  # zero-width spaces: blank to a reader
    await zhang.reads("内容不能为空")
    await zhang.presses("不添加了")
    await zhang.reads("本周有新的问题")
    await zhang.presses("没有了，继续")
    await zhang.reads("下周重点工作")
    await zhang.says("计划")
    await zhang.reads("工作照片")
    await zhang.says("没有照片")
    await zhang.reads("这一步请发送照片")
    submission, values = await saved(seeded_sqlite)
    assert submission is not None and submission.done_text == "本周完成情况"
    assert submission.percent == 80 and values == [300]


async def test_stale_and_repeated_buttons_change_nothing(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成情况")
    first_prompt = await zhang.reads("服务人次")
    await zhang.says("300")
    await zhang.reads("新增岗位")
    # The "skip" under the first indicator's prompt is from an older step now.
    query = await driver.press_button(office.zhang, zhang.chat, "跳过", message_id=first_prompt)
    answer = await driver.wait_for_callback_answer(query)
    assert "已失效" in answer["text"]
    await zhang.says("20")  # still at the second indicator
    await zhang.reads("本周工作总体进展如何")
    _, values = await saved(seeded_sqlite)
    assert values == [20, 300]

    # The same button update delivered twice (Telegram may do that) is handled once.
    await zhang.presses("滞后")
    await zhang.reads("完成百分比")
    pressed = (await driver.updates())["recent"][-1]
    assert "callback_query" in pressed
    await driver.mark_seen(zhang.chat)
    await driver.redeliver(pressed["update_id"])
    await zhang.reads_nothing_more(within=1.5)
    submission, _ = await saved(seeded_sqlite)
    assert submission is not None and submission.progress_status == "delayed"


async def test_a_redelivered_text_answer_is_not_taken_as_the_next_answer(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成了培训")
    await zhang.reads("服务人次")
    answered = (await driver.updates())["recent"][-1]
    await driver.mark_seen(zhang.chat)
    await driver.redeliver(answered["update_id"])
    await zhang.reads_nothing_more(within=1.5)  # not "完成了培训 is not a number"


async def test_people_who_are_not_contacts_are_told_whom_to_ask(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    outsider = Person(driver, office.outsider)  # English-speaking Telegram client
    await outsider.says("/submit")
    assert "Ask the office" in (await outsider.reads("not a contact")).text
    await outsider.says("/mystatus")
    await outsider.reads("not a contact")


async def test_submit_in_the_office_chat_opens_the_private_chat_by_deep_link(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    bot = (await driver.bot_info())["user"]["username"]
    await driver.send_text(office.zhang, office.chat.id, f"/submit@{bot}")
    offer = await driver.wait_for_message(office.chat.id, contains="私聊")
    [[button]] = offer.reply_markup["inline_keyboard"]
    match = re.fullmatch(rf"https://t\.me/{bot}\?start=([A-Za-z0-9_-]+)", button["url"])
    assert match, button
    token = match.group(1)
    assert str(office.chat.id) not in token and str(office.zhang.id) not in token
    zhang = Person(driver, office.zhang)
    await zhang.says(f"/start {token}")
    await zhang.reads("本周工作完成情况")
    await zhang.says("/start not-a-real-token")
    await zhang.reads("链接无效")


async def test_an_exempt_group_is_not_asked_to_report(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await exempt(seeded_sqlite, office.chat.id, "EMP", "2026-W48", "集中开展专项检查")
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    assert "集中开展专项检查" in (await zhang.reads("免报")).text
    await zhang.says("/mystatus")
    await zhang.reads("免报")


async def test_cancel_keeps_the_draft_and_submit_resumes_it(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await zhang.says("/submit")
    await zhang.reads("本周工作完成情况")
    await zhang.says("完成情况")
    await zhang.reads("服务人次")
    await zhang.says("/cancel")
    await zhang.reads("草稿已保存")
    await zhang.says("500")  # no question is open now
    await zhang.reads("暂时没有需要您回答的问题")
    await zhang.says("/submit")
    assert "服务人次" in (await zhang.reads("继续上次的填报")).text
    submission, values = await saved(seeded_sqlite)
    assert submission is not None and submission.done_text == "完成情况" and values == []


async def test_a_very_long_preview_is_split_into_messages_telegram_accepts(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    # 2000 characters each, several times longer once escaped
    await report_the_short_way(zhang, done="&<" * 1000, plan="<b>" * 666)
    await zhang.presses("完成")
    await zhang.reads("预览")
    await driver.wait_for_message(zhang.chat, where=lambda m: "✅ 提交" in m.button_texts)
    shown = "".join(m.text for m in await driver.messages(zhang.chat) if m.from_bot)
    assert "&<" * 1000 in shown.replace("\n", "")
    await zhang.presses("✅ 提交")
    await zhang.reads("已提交")


async def test_photos_are_kept_up_to_the_limit_and_shown_in_the_preview(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    zhang = Person(driver, office.zhang)
    await report_the_short_way(zhang, done="完成", plan="计划")
    for number in range(1, 6):
        await driver.send_photo(office.zhang, zhang.chat, tiny_png(number))
        await zhang.reads(f"已收到 {number} 张")
    await driver.send_photo(office.zhang, zhang.chat, tiny_png(99))
    await zhang.reads("最多5张")
    await zhang.presses("完成")
    await zhang.reads("照片：5 张")
    submission, _ = await saved(seeded_sqlite)
    assert submission is not None and len(submission.photos) == 5
