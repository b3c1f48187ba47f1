"""``lihui demo`` in a real browser: a week of the office, clicked and typed as people would.

A contact reports through the page (buttons pressed, answers typed, a photo uploaded), the
director asks the bot, the clock jumps, and the demo survives a restart with its chats.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import StartDemo
from tests.browser.demo_process import DemoProcess
from tests.e2e.scenario import tiny_png

pytestmark = pytest.mark.e2e
WAIT_MS = 30_000  # the bot is a separate process on a shared machine: be patient, never timed


class DemoPage:
    """The page, driven through what a person sees: chat list, buttons, the text box."""

    def __init__(self, page: Page, demo: DemoProcess, artifacts: Path) -> None:
        self.page = page
        self.demo = demo
        self.artifacts = artifacts
        self.info: dict[str, Any] = demo.demo_info()
        self.shots = 0

    def persona(self, username: str) -> dict[str, Any]:
        return next(p for p in self.info["personas"] if p["username"] == username)

    def act_as(self, username: str) -> None:
        """Choose the person in the switcher, then open their private chat with the bot."""
        person = self.persona(username)
        self.page.select_option("#persona-select", str(person["user_id"]))
        expect(self.page.locator("#chat-as")).to_contain_text(person["first_name"])
        self.page.locator(f'.chat-item[data-chat="{person["user_id"]}"]').click()
        expect(self.page.locator("#chat-title")).to_have_text(person["first_name"])

    def open_office(self) -> None:
        self.page.locator(f'.chat-item[data-chat="{self.info["office"]["id"]}"]').click()
        expect(self.page.locator("#chat-title")).to_have_text(self.info["office"]["title"])

    def says(self, text: str) -> None:
        self.page.fill("#input", text)
        self.page.press("#input", "Enter")
        expect(self.page.locator(".msg.out .text").last).to_have_text(text, timeout=WAIT_MS)

    def reads(self, text: str) -> Any:
        message = self.page.locator(".msg.from-bot", has_text=text).last
        expect(message).to_be_visible(timeout=WAIT_MS)
        return message

    def presses(self, label: str) -> None:
        """The button on the newest bot message that has it, as a person would find it."""
        button = self.page.locator(".msg.from-bot .kb-button", has_text=label).last
        expect(button).to_be_visible(timeout=WAIT_MS)
        button.click()

    def open_clock_panel(self) -> None:
        if self.page.locator("#clock-panel").is_hidden():
            self.page.click("#clock-toggle")
        expect(self.page.locator("#clock-panel")).to_be_visible()

    def screenshot(self, name: str) -> Path:
        self.shots += 1
        path = self.artifacts / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        return path


def open_page(browser: Any, demo: DemoProcess, artifacts: Path) -> Iterator[DemoPage]:
    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(demo.url)
    expect(page.locator("#chat-title")).to_have_text("温暖二七领导小组办公室（示例）")
    yield DemoPage(page, demo, artifacts)
    assert not errors, errors


@pytest.fixture
def demo_page(browser: Any, start_demo: StartDemo, artifacts: Path) -> Iterator[DemoPage]:
    """The page of a demo of the test's own."""
    yield from open_page(browser, start_demo(), artifacts)


@pytest.fixture
def shared_demo_page(browser: Any, shared_demo: DemoProcess, artifacts: Path) -> Iterator[DemoPage]:
    """A page of its own on the module's shared demo: act as a person no other test is."""
    yield from open_page(browser, shared_demo, artifacts)


def report_through_the_page(ui: DemoPage) -> None:
    """The contact of 党群服务中心提质组 reports the week, by clicking and typing."""
    ui.says("/submit")
    ui.reads("本周工作完成情况")
    # A question that wants typed text comes with a force-reply: the answer replies to it.
    expect(ui.page.locator("#reply-bar")).to_contain_text("本周工作完成情况")
    ui.says("完成<b>5个</b>社区党群服务中心提档升级验收 & 走访群众")
    expect(ui.page.locator(".msg.out .quote").last).to_contain_text("本周工作完成情况")
    ui.reads("党群服务中心提档升级")
    ui.says("3个")
    ui.reads("服务群众")
    ui.says("1,200")
    ui.reads("本周工作总体进展如何")
    ui.presses("正常推进")
    ui.reads("完成百分比")
    ui.says("60")
    ui.reads("本周有新的问题")
    ui.presses("没有了，继续")
    ui.reads("下周重点工作")
    ui.says("继续推进验收，筹备群众满意度调查")
    ui.reads("工作照片")
    ui.page.set_input_files(
        "#photo-input", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": tiny_png(3)}]
    )
    expect(ui.page.locator(".msg.out img.photo")).to_be_visible(timeout=WAIT_MS)
    ui.reads("已收到 1 张")
    ui.presses("完成")


@pytest.mark.long(seconds=45)
def test_a_week_in_the_office_through_the_page(demo_page: DemoPage, tmp_path: Path) -> None:
    """Thursday a contact reports; the director asks for the report and its Word file;
    Monday the bulletin is in the office chat, counting that report."""
    ui = demo_page
    ui.screenshot("office-chat")
    ui.act_as("sample_contact01")
    report_through_the_page(ui)
    preview = ui.reads("预览")
    # Typed HTML comes back as text: the page builds DOM nodes, never markup from messages.
    expect(preview.locator(".text")).to_contain_text("完成<b>5个</b>社区党群服务中心提档升级验收 &")
    assert preview.locator(".text b").count() == 0
    expect(preview.locator(".text strong").first).to_be_visible()  # the bot's own bold
    ui.screenshot("preview")
    ui.presses("提交")
    done = ui.reads("已提交")
    expect(done).to_contain_text("第1版")
    expect(ui.page.locator(".msg.from-bot .edited").first).to_be_visible()  # buttons removed
    ui.screenshot("submitted")
    assert latest_report(ui.demo, "S01") == (
        "submitted",
        "完成<b>5个</b>社区党群服务中心提档升级验收 & 走访群众",
        60,
    )

    ui.act_as("sample_director")
    ui.says("/report")
    chart = ui.page.locator(".msg.from-bot img.photo").last
    expect(chart).to_be_visible(timeout=WAIT_MS)
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 100
    ui.screenshot("report")
    ui.presses("通报 Word")
    word = ui.page.locator(".msg.from-bot a.document", has_text=".docx").last
    expect(word).to_be_visible(timeout=WAIT_MS)
    with ui.page.expect_download() as download:
        word.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    assert "工作周通报" in text and "按时报送1个" in text  # counts the report just made
    ui.screenshot("word-downloaded")

    ui.open_office()
    ui.open_clock_panel()
    step = ui.page.locator('.step[data-step="summary"]')
    expect(step).to_be_enabled()
    step.click()  # the clock walks through the reminder and the deadline on its way
    expect(ui.page.locator("#clock-now")).to_contain_text("周一", timeout=3 * WAIT_MS)
    bulletin = ui.page.locator(".msg.from-bot img.photo").last
    expect(bulletin).to_be_visible(timeout=WAIT_MS)
    assert bulletin.evaluate("img => img.complete && img.naturalWidth") > 100
    summary = ui.reads("一、填报情况")
    expect(summary).to_contain_text("按时报送1个")  # the report made on Thursday
    expect(ui.page.locator(".msg.from-bot a.document", has_text=".docx").last).to_be_visible()
    # Nothing was skipped on the way: no step is reported missed.
    expect(ui.page.locator(".msg.from-bot", has_text="错过")).to_have_count(0)
    ui.screenshot("monday-bulletin")


def latest_report(demo: DemoProcess, code: str) -> tuple[str, str, int] | None:
    """The newest report of a group, read from the demo's own database."""
    database = sqlite3.connect(demo.data_dir / "lihui-demo.sqlite3")
    try:
        return database.execute(
            "SELECT s.state, s.done_text, s.percent FROM submission s"
            " JOIN task_group g ON g.id = s.group_id JOIN period p ON p.id = s.period_id"
            " WHERE g.code = ? ORDER BY p.starts_on DESC LIMIT 1",
            (code,),
        ).fetchone()
    finally:
        database.close()


def test_the_director_reads_help_and_follows_a_command_link(shared_demo_page: DemoPage) -> None:
    ui = shared_demo_page
    ui.act_as("sample_director")
    ui.says("/help")
    expect(ui.reads("可用命令").locator(".text strong")).to_have_text("例会助手 · 可用命令")
    # A command in the bot's answer is a link that sends it, as in Telegram.
    ui.page.locator(".msg.from-bot a.command", has_text="/start").last.click()
    ui.reads("您好")
    ui.screenshot("director-help")


def test_a_contact_who_never_opened_the_bot_follows_the_office_chats_link(
    shared_demo_page: DemoPage,
) -> None:
    ui = shared_demo_page
    ui.open_office()
    zhu = ui.persona("sample_contact12")
    ui.page.select_option("#persona-select", str(zhu["user_id"]))  # stays in the office chat
    expect(ui.page.locator("#chat-as")).to_contain_text(zhu["first_name"])
    notice = ui.reads("@sample_contact12")  # the opening of reports could not reach him
    notice.locator(".kb-button", has_text="关爱未成年人组").click()
    # The t.me link opens his private chat with the bot and sends /start with its payload.
    expect(ui.page.locator("#chat-title")).to_have_text(zhu["first_name"])
    expect(ui.page.locator(".msg.out .text").first).to_contain_text("/start ")
    ui.reads("本周工作完成情况")
    ui.screenshot("deep-link")


def test_old_buttons_and_replies_in_the_office_chat_get_short_answers(
    shared_demo_page: DemoPage,
) -> None:
    ui = shared_demo_page
    ui.act_as("sample_contact03")
    ui.says("/submit")
    ui.reads("本周工作完成情况")
    ui.says("推出专题报道3篇")
    ui.reads("发布宣传稿件")
    ui.says("/cancel")
    ui.reads("草稿已保存")
    ui.presses("跳过全部指标")  # on the prompt the dialog has left
    expect(ui.page.locator("#toast")).to_have_text("这个按钮已失效，请使用最新一条消息。")
    ui.screenshot("toast")

    ui.open_office()  # as the same contact, in the office chat
    ui.says("/help")
    answer = ui.reads("可用命令")
    answer.locator(".bubble").dblclick()  # reply to it, as a swipe does in Telegram
    expect(ui.page.locator("#reply-bar")).to_contain_text("例会助手")
    ui.says("收到")
    ui.reads("私聊")
    ui.screenshot("office-reply")


def test_the_clock_moves_forward_only_and_steps_wait_for_the_schedule(
    demo_page: DemoPage,
) -> None:
    ui = demo_page
    ui.open_clock_panel()
    steps = ui.page.locator(".step")
    expect(steps).to_have_count(5)
    labels = " ".join(steps.all_inner_texts())
    for label in ("填报截止", "周一通报", "例会议程", "催报提醒"):
        assert label in labels
    expect(steps.first).to_be_enabled()  # the bot runs the scheduled steps
    ui.page.fill("#time-input", "2026-01-01T09:00")
    ui.page.locator("#time-form button").click()
    expect(ui.page.locator("#toast")).to_have_text("时钟只能向前拨。")
    before = ui.page.locator("#clock-now").inner_text()
    ui.page.fill(
        "#time-input",
        ui.page.evaluate("localInputValue(new Date(demoNow().getTime() + 26 * 3600e3))"),
    )
    ui.page.locator("#time-form button").click()
    expect(ui.page.locator("#toast")).to_contain_text("时钟已拨到")
    assert ui.page.locator("#clock-now").inner_text() != before
    ui.screenshot("clock-panel")
    ui.page.click("#lang-toggle")
    expect(ui.page.locator("#clock-panel .panel-title").first).to_have_text(
        "Jump to the next scheduled step:"
    )
    ui.screenshot("english")


def test_on_a_phone_the_list_and_the_chat_take_turns(
    browser: Any, shared_demo: DemoProcess, artifacts: Path
) -> None:
    demo = shared_demo
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(demo.url)
    expect(page.locator("#sidebar")).to_be_visible()
    expect(page.locator("#chat")).to_be_hidden()
    page.screenshot(path=str(artifacts / "phone-list.png"))
    page.locator(".chat-item", has_text="王晓明").click()
    expect(page.locator("#chat")).to_be_visible()
    expect(page.locator("#sidebar")).to_be_hidden()
    page.fill("#input", "/start")
    page.press("#input", "Enter")
    expect(page.locator(".msg.from-bot").last).to_contain_text(
        "党群服务中心提质组", timeout=WAIT_MS
    )
    page.screenshot(path=str(artifacts / "phone-chat.png"))
    page.click("#back")
    expect(page.locator("#sidebar")).to_be_visible()


@pytest.mark.long
def test_a_restarted_demo_keeps_its_chats_and_answers_new_messages(
    browser: Any, start_demo: StartDemo, tmp_path: Path
) -> None:
    first = start_demo(tmp_path / "kept")
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(first.url)
    ui = DemoPage(page, first, tmp_path)
    ui.act_as("sample_contact02")
    ui.reads("社会组织服务组")  # the welcome from before the demo began
    ui.reads("请填报")  # the week's prompt, sent when reports opened
    ui.says("/mystatus")
    ui.reads("我负责的专项组")
    answers = page.locator(".msg.from-bot")
    before = answers.all_inner_texts()
    assert first.stop() == 0
    assert "演示已停止" in first.text()

    second = start_demo(tmp_path / "kept")
    page.goto(second.url)
    ui = DemoPage(page, second, tmp_path)
    ui.act_as("sample_contact02")
    expect(answers).to_have_count(len(before))
    assert answers.all_inner_texts() == before
    ui.says("/start")  # a new update after the restart is answered, not taken for a repeat
    expect(answers).to_have_count(len(before) + 1, timeout=WAIT_MS)
    expect(answers.last).to_contain_text("社会组织服务组")
    # The prompt was sent once, before the restart: the step is not run a second time.
    expect(page.locator(".msg.from-bot", has_text="请填报")).to_have_count(1)
