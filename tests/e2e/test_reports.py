"""What the director gets: /report, its export buttons, publishing the bulletin once.

Saturday of week 48: 张伟 reported 就业援助组 on Thursday, 李娜 reported nothing, and the
director asks where the week stands. The files are fetched back from the sandbox (getFile,
then the file URL) and reopened; that part needs the renderer modules.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import os
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.clock import FileClock
from sandbox.driver import SandboxDriver, SandboxMessage, shared_tls
from sandbox.server import ThreadedSandbox
from storage.models import Membership, Person, PublishedBulletin, Workspace
from tests.e2e.conftest import SATURDAY_10, Office, StartBot
from tests.e2e.scenario import Person as Actor
from tests.e2e.scenario import report_the_short_way
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

RENDERERS = all(
    importlib.util.find_spec(f"bot.reports.{name}") for name in ("charts", "docx", "xlsx")
)
needs_renderers = pytest.mark.skipif(not RENDERERS, reason="renderer modules not installed")


async def zhang_reports(driver: SandboxDriver, office: Office) -> None:
    zhang = Actor(driver, office.zhang)
    await report_the_short_way(zhang, "举办<招聘会>2场", "筹备春季招聘月")
    await zhang.presses("完成")
    await zhang.reads("预览")
    await zhang.presses("✅ 提交")
    await zhang.reads("已提交")


async def make_member(database_url: str, username: str) -> None:
    async with open_session(database_url) as session:
        workspace = await session.scalar(select(Workspace))
        assert workspace is not None
        person = Person(username=username, display_name=username)
        session.add(person)
        await session.flush()
        session.add(Membership(workspace_id=workspace.id, person_id=person.id, role="member"))


async def published(database_url: str) -> list[tuple[int, int, str]]:
    async with open_session(database_url) as session:
        rows = await session.execute(
            select(PublishedBulletin.year, PublishedBulletin.number, PublishedBulletin.period_key)
        )
        return [tuple(row) for row in rows.all()]


async def the_report(director: Actor) -> SandboxMessage:
    """/report: the week's status and agenda, then the chart (or its caption) with buttons."""
    await director.says("/report")
    status = await director.reads("填报情况")
    assert "2026年第48周" in status.text
    assert "⏳ 未报送：志愿服务组、环境整治组" in status.text
    assert "工作例会议程" in status.text and "一、上次例会议定事项落实情况" in status.text
    assert "举办&lt;招聘会&gt;2场" not in status.text  # the sandbox shows text as parsed
    assert "举办<招聘会>2场" in status.text
    chart = await director.reads("按时报送率")
    assert chart.button_texts == ["📄 通报 Word", "📊 Excel", "📋 议程 Word", "📢 发布通报"]
    return chart


async def test_director_report_and_publishing_twice_gives_one_number(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    await start_bot(seeded_database)
    await zhang_reports(driver, office)
    clock.set(SATURDAY_10)
    director = Actor(driver, office.director)
    await the_report(director)

    await director.presses("📢 发布通报")
    confirm = await director.reads("确认发布")
    assert "2026年第1期" in confirm.text
    await director.presses("✅ 确认发布")
    assert "2026年第1期" in (await director.reads("已发布")).text
    posted = await driver.wait_for_message(office.chat.id, contains="工作周通报 · 2026年第1期")
    assert "应报3个，按时报送1个" in posted.text
    await driver.wait_for_message(office.chat.id, contains="工作周通报（Word）")
    await driver.mark_seen(office.chat.id)  # the chart before the text, the Word file after it
    # The same button again, then the whole way again: still one bulletin, posted once.
    await director.presses("✅ 确认发布")
    assert "已发布，编号2026年第1期" in (await director.reads("已发布")).text
    await director.presses("📢 发布通报")
    assert "已发布，编号2026年第1期" in (await director.reads("已发布")).text
    await driver.expect_no_message(office.chat.id, within=1.0)
    assert await published(seeded_database) == [(2026, 1, "2026-W48")]


async def test_report_in_the_office_chat_and_refusals(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    await make_member(seeded_database, "someone_else")
    clock.set(SATURDAY_10)
    bot = await start_bot(seeded_database)
    username = (await driver.bot_info())["user"]["username"]
    # A member, in private: a short polite refusal; a contact who is no member: the same.
    outsider = Actor(driver, office.outsider)
    await outsider.says("/report")
    assert "may not" in (await outsider.reads("director")).text  # an English client
    zhang = Actor(driver, office.zhang)
    await zhang.says("/agenda")
    await zhang.reads("没有权限进行这项操作")
    # The director in the office chat, addressed to the bot.
    await driver.send_text(office.director, office.chat.id, f"/report@{username}")
    await driver.wait_for_message(office.chat.id, contains="填报情况")
    chart = await driver.wait_for_message(office.chat.id, contains="按时报送率")
    # A member presses the director's button: refused, nothing published.
    query = await driver.press_button(office.outsider, office.chat.id, "📢 发布通报", chart)
    answer = await driver.wait_for_callback_answer(query)
    assert answer.get("show_alert") and "director" in answer.get("text", "")
    await driver.expect_no_message(office.chat.id, within=0.8)
    await outsider.says(f"/bulletin@{username}")  # private: refused as well
    await outsider.reads("director")
    assert await published(seeded_database) == []
    assert bot.process is not None


async def fetch_document(sandbox: ThreadedSandbox, message: SandboxMessage) -> tuple[str, bytes]:
    document = message.raw["document"]
    api = f"{sandbox.bot_api_base_url}{sandbox.token}"
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        found = (await client.post(f"{api}/getFile", json={"file_id": document["file_id"]})).json()
        path = found["result"]["file_path"]
        data = (await client.get(f"{sandbox.file_base_url}{sandbox.token}/{path}")).content
    return document["file_name"], data


@needs_renderers
async def test_each_export_button_delivers_its_file(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
    sandbox: ThreadedSandbox,
) -> None:
    import docx
    import openpyxl

    await start_bot(seeded_sqlite)
    await zhang_reports(driver, office)
    clock.set(SATURDAY_10)
    director = Actor(driver, office.director)
    chart = await the_report(director)
    assert "photo" in chart.raw

    await director.presses("📄 通报 Word")
    name, data = await fetch_document(sandbox, await director.reads("工作周通报（Word）"))
    assert name == "工作周通报_2026-W48_预览.docx"
    texts = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "工作周通报" in texts and "预览" in texts

    await director.presses("📊 Excel")
    name, data = await fetch_document(sandbox, await director.reads("Excel"))
    assert name == "周报汇总_2026-W48.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["概览", "填报情况", "重点指标", "存在问题", "议定事项"]

    await director.presses("📋 议程 Word")
    name, data = await fetch_document(sandbox, await director.reads("例会议程（Word）"))
    assert name == "例会议程_2026-W48.docx"
    texts = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "三、需协调解决的问题" in texts

    async with open_session(seeded_sqlite) as session:
        assert await session.scalar(select(func.count()).select_from(PublishedBulletin)) == 0


async def test_a_director_of_two_offices_picks_one(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
) -> None:
    async with open_session(seeded_sqlite) as session:
        director = await session.scalar(select(Person).where(Person.username == "zhao_director"))
        assert director is not None
        second = Workspace(chat_id=-1009, title="第二办公室", settings={}, created_at=SATURDAY_10)
        session.add(second)
        await session.flush()
        session.add(Membership(workspace_id=second.id, person_id=director.id, role="staff"))
    clock.set(SATURDAY_10)
    await start_bot(seeded_sqlite)
    director_ = Actor(driver, office.director)
    await director_.says("/agenda")
    choice = await director_.reads("这条命令要在哪个办公室执行")
    assert choice.button_texts == ["温暖二七领导小组办公室", "第二办公室"]
    await director_.presses("第二办公室")
    agenda = await director_.reads("工作例会议程")
    assert "二、各专项组工作进展\n无" in agenda.text  # the second office has no groups yet
    await director_.says("/office")  # the choice is remembered until changed here
    await director_.reads("私聊中的命令目前在办公室")
    await director_.presses("温暖二七领导小组办公室")
    await director_.says("/agenda")
    first = await director_.reads("工作例会议程")
    assert "就业援助组" in first.text


@needs_renderers
async def test_bulletin_preview_is_unnumbered(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
    sandbox: ThreadedSandbox,
) -> None:
    import docx

    clock.set(SATURDAY_10)
    await start_bot(seeded_sqlite)
    director = Actor(driver, office.director)
    await director.says("/bulletin")
    chart = await director.reads("预览 · 2026年第48周")
    assert "photo" in chart.raw
    body = await director.reads("工作周通报 · 预览")
    assert "按时报送率0.0%" in body.text and "一、填报情况" in body.text
    name, data = await fetch_document(sandbox, await director.reads("工作周通报（Word）"))
    assert name == "工作周通报_2026-W48_预览.docx"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "预览" in paragraphs and not any("期" in p and "第" in p for p in paragraphs[:3])
    assert await published(seeded_sqlite) == []


def render_processes(bot_pid: int) -> list[int]:
    """The bot's render processes (bot/reports/render_process.py), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == bot_pid and b"bot.reports.render_process" in command:
            found.append(int(entry.name))
    return found


def draws_charts(pid: int) -> bool:
    """Whether matplotlib's FreeType extension is loaded into the process."""
    return "matplotlib/ft2font" in Path(f"/proc/{pid}/maps").read_text()


@needs_renderers
@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
async def test_files_are_drawn_in_a_render_process_that_leaves_when_idle(
    driver: SandboxDriver,
    office: Office,
    seeded_sqlite: str,
    start_bot: StartBot,
    clock: FileClock,
    sandbox: ThreadedSandbox,
) -> None:
    """The renderers' memory is not the bot's: files are drawn in a child process that
    ends when idle, and a render process killed (as by the OOM killer) costs no file."""
    bot = await start_bot(seeded_sqlite, {"LIHUI_RENDER_IDLE_SECONDS": "3"})
    assert bot.process is not None
    clock.set(SATURDAY_10)
    director = Actor(driver, office.director)
    await director.says("/report")
    await director.reads("按时报送率")
    [renderer] = render_processes(bot.process.pid)
    assert draws_charts(renderer) and not draws_charts(bot.process.pid)

    os.kill(renderer, signal.SIGKILL)
    await director.presses("📄 通报 Word")
    name, _ = await fetch_document(sandbox, await director.reads("工作周通报（Word）"))
    assert name == "工作周通报_2026-W48_预览.docx"
    [second] = render_processes(bot.process.pid)
    assert second != renderer

    for _ in range(200):  # it leaves 3.5 s after its last file; /proc is polled
        if not render_processes(bot.process.pid):
            break
        await asyncio.sleep(0.1)
    assert render_processes(bot.process.pid) == [], "the idle render process did not leave"
    await director.presses("📊 Excel")
    name, _ = await fetch_document(sandbox, await director.reads("Excel"))
    assert name == "周报汇总_2026-W48.xlsx"
    assert not draws_charts(bot.process.pid)
