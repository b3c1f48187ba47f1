"""An office loads its roster from the chat (issue 19), end to end through the sandbox:
/roster sends the template, a sent file is checked, previewed and applied on 确认导入."""

from __future__ import annotations

import io

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sandbox.driver import SandboxDriver, SandboxMessage, SandboxUser, shared_tls
from sandbox.server import ThreadedSandbox
from storage.models import AuditLog, Contact, PendingImport, TaskGroup, Workspace
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person
from tests.e2e.seed import open_session

pytestmark = pytest.mark.e2e

HEADER = [
    "名称",
    "代码",
    "序号",
    "责任单位",
    "责任人",
    "成员单位",
    "工作职责",
    "联络员",
    "备用联络员",
    "重点指标",
]
GOOD = [
    [
        "就业援助组",
        "G01",
        1,
        "区人社局",
        "孙海涛 局长",
        "区总工会、区妇联",
        "",
        "@zhang_wei",
        "",
        "服务人次(人次):5000",
    ],
    ["志愿服务组", "G02", 2, "团区委", "", "", "", "@li_na", "@wang_fang", "志愿服务场次(场次)"],
    ["环境整治组", "G03", 3, "区城管局", "", "", "", "", "", ""],
]


def xlsx(rows: list[list[object]], formula: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["C2"] = "=1+0"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_errors() -> bytes:
    """Three faults: row 2 has no code, row 3 repeats row 2's... (G01), row 4 a bad contact."""
    rows = [list(row) for row in GOOD]
    rows[0][1] = ""  # row 2: 代码 empty
    rows[1][1] = "G03"  # row 3: the same code as row 4
    rows[2][7] = "zhang wei"  # row 4: 联络员 neither @username nor an id
    return xlsx(rows)


async def fetch_document(sandbox: ThreadedSandbox, message: SandboxMessage) -> bytes:
    document = message.raw["document"]
    api = f"{sandbox.bot_api_base_url}{sandbox.token}"
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        found = (await client.post(f"{api}/getFile", json={"file_id": document["file_id"]})).json()
        path = found["result"]["file_path"]
        return (await client.get(f"{sandbox.file_base_url}{sandbox.token}/{path}")).content


async def new_office(driver: SandboxDriver) -> tuple[SandboxUser, int]:
    """A group bound just now by its administrator: an office with no groups yet."""
    bot = str((await driver.bot_info())["user"]["username"])
    chief = await driver.create_user("钱主任", username="qian_chief", language_code="zh-hans")
    group = await driver.create_group("第二办公室", members=[], admins=[chief], creator=chief)
    await driver.wait_for_message(group.id, contains=f"/bind@{bot}")
    await driver.send_text(chief, group.id, f"/bind@{bot}")
    await driver.wait_for_message(group.id, contains="绑定成功")
    return chief, group.id


async def groups_of(database_url: str, chat_id: int) -> dict[str, tuple[str, bool, set[str]]]:
    """code -> (name, active, contacts' usernames) of the office's groups."""
    async with open_session(database_url) as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
        assert workspace is not None
        rows = await session.scalars(
            select(TaskGroup)
            .where(TaskGroup.workspace_id == workspace.id)
            .options(selectinload(TaskGroup.contacts).selectinload(Contact.person))
        )
        return {
            g.code: (g.name, g.active, {c.person.username or "" for c in g.contacts}) for g in rows
        }


async def imports_audited(database_url: str) -> list[AuditLog]:
    async with open_session(database_url) as session:
        rows = await session.scalars(
            select(AuditLog).where(AuditLog.action == "roster.import.chat").order_by(AuditLog.id)
        )
        return list(rows)


async def upload(driver: SandboxDriver, who: SandboxUser, data: bytes, name: str) -> None:
    await driver.send_document(who, who.id, data, name)


async def test_a_new_office_downloads_the_template_fixes_its_file_and_imports_it(
    driver: SandboxDriver,
    office: Office,
    seeded_database: str,
    start_bot: StartBot,
    sandbox: ThreadedSandbox,
) -> None:
    await start_bot(seeded_database)
    chief_user, chat_id = await new_office(driver)
    chief = Person(driver, chief_user)

    await chief.says("/roster")
    sent = await chief.reads("还没有专项组")
    workbook = load_workbook(io.BytesIO(await fetch_document(sandbox, sent)))
    roster_sheet, guide = workbook.worksheets
    assert [c.value for c in roster_sheet[1]] == HEADER and roster_sheet.max_row == 1
    assert guide.title == "填写说明"
    explained = {row[0].value: row[3].value for row in guide.iter_rows(min_row=2, max_row=11)}
    assert set(explained) == set(HEADER) and "不可重复" in str(explained["代码"])
    example_header = next(r for r in guide.iter_rows() if r[0].value == "名称" and r[1].value)
    example = guide[example_header[0].row + 1]
    assert example[0].value and example[1].value  # an example group with its code

    await upload(driver, chief_user, with_errors(), "名册.xlsx")
    listed = await chief.reads("3处问题")
    assert "第2行「代码」列：不能为空" in listed.text
    assert "第3行「代码」列" in listed.text or "第4行「代码」列" in listed.text
    assert "第4行「联络员」列" in listed.text and "未导入任何内容" in listed.text
    assert await groups_of(seeded_database, chat_id) == {}

    fixed = xlsx(GOOD)
    await upload(driver, chief_user, fixed, "名册.xlsx")
    preview = await chief.reads("将作如下变更")
    assert "新增专项组（3个）" in preview.text and "G02 志愿服务组" in preview.text
    assert preview.buttons == [["确认导入", "取消"]]
    assert await groups_of(seeded_database, chat_id) == {}  # nothing before the press
    await chief.presses("确认导入")
    done = await driver.wait_for_edit(chief.chat, preview, contains="名册已导入")
    assert "新增3个" in done.text
    assert await groups_of(seeded_database, chat_id) == {
        "G01": ("就业援助组", True, {"zhang_wei"}),
        "G02": ("志愿服务组", True, {"li_na", "wang_fang"}),
        "G03": ("环境整治组", True, set()),
    }
    # Right after the import: each group's invitation in the office chat, a checklist here.
    invitation = await driver.wait_for_message(chat_id, contains="请各专项组联络员点击本组的按钮")
    assert [row[0] for row in invitation.buttons] == [
        "1. 就业援助组",
        "2. 志愿服务组",
        "3. 环境整治组",
    ]
    await chief.reads("联络员打开情况")
    [entry] = await imports_audited(seeded_database)
    assert entry.details["created"] == ["G01", "G02", "G03"]
    # The first office is untouched.
    assert set(await groups_of(seeded_database, office.chat.id)) == {"EMP", "VOL", "ENV"}

    # Pressed again (a double tap on the old keyboard): a short answer, applied once.
    query = await driver.press_data(chief_user, chief.chat, preview, preview_data(preview))
    answer = await driver.wait_for_callback_answer(query)
    assert "已经导入过了" in answer.get("text", "")
    # The same file again: nothing would change, and no button to press.
    await upload(driver, chief_user, fixed, "名册.xlsx")
    same = await chief.reads("没有需要变更的内容")
    assert same.buttons == []
    assert len(await imports_audited(seeded_database)) == 1

    # Now /roster sends the roster itself, which reads back as the same file.
    await chief.says("/roster")
    current = await chief.reads("当前的专项组名册（3个组）")
    exported = await fetch_document(sandbox, current)
    names = [r[0].value for r in load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows()]
    assert names == ["名称", "就业援助组", "志愿服务组", "环境整治组"]
    await upload(driver, chief_user, exported, "专项组名册.xlsx")
    await chief.reads("没有需要变更的内容")

    # A renamed and a dropped group: the preview says so, and 取消 applies nothing.
    changed = [list(row) for row in GOOD[:2]]
    changed[0][0] = "就业创业组"
    await upload(driver, chief_user, xlsx(changed), "名册2.xlsx")
    second = await chief.reads("将作如下变更")
    assert "G01：就业援助组 → 就业创业组" in second.text and "G03 环境整治组" in second.text
    await chief.presses("取消")
    await driver.wait_for_edit(chief.chat, second, contains="已取消")
    assert (await groups_of(seeded_database, chat_id))["G01"][0] == "就业援助组"


def preview_data(message: SandboxMessage) -> str:
    """The 确认导入 button's callback data, as the preview carried it."""
    [[confirm, _cancel]] = message.raw["reply_markup"]["inline_keyboard"]
    return str(confirm["callback_data"])


async def test_files_refused_in_one_line_and_people_who_may_not_import(
    driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    await start_bot(seeded_sqlite)
    director = Person(driver, office.director)
    before = await groups_of(seeded_sqlite, office.chat.id)
    for data, name, says in (
        (b"a" * (1024 * 1024 + 1), "名册.csv", "超过 1 MB"),
        (b"PK\x03\x04", "名册.xlsm", "含有宏"),
        (xlsx(GOOD, formula=True), "名册.xlsx", "含有公式"),
        (b"\xd0\xcf\x11\xe0", "名册.xls", "只能导入 Excel（.xlsx）或 CSV"),
        (macro_workbook(), "名册.xlsx", "含有宏"),
    ):
        await upload(driver, office.director, data, name)
        refused = await director.reads(says)
        assert "\n" not in refused.text.strip()
    # A contact (not staff) is refused politely, and the attempt is written down.
    zhang = Person(driver, office.zhang)
    await upload(driver, office.zhang, xlsx(GOOD), "名册.xlsx")
    await zhang.reads("只有主任或办公室人员可以导入名册")
    await zhang.says("/roster")
    await zhang.reads("没有权限")
    await director.reads_nothing_more()
    assert await groups_of(seeded_sqlite, office.chat.id) == before
    async with open_session(seeded_sqlite) as session:
        pending = await session.scalar(select(func.count()).select_from(PendingImport))
    assert pending == 0


def macro_workbook() -> bytes:
    """A workbook named .xlsx that carries a VBA project (a renamed .xlsm)."""
    import zipfile

    buffer = io.BytesIO(xlsx(GOOD))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


async def test_a_press_after_kill_and_restart_applies_the_previewed_file_once(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    bot = await start_bot(seeded_database)
    director = Person(driver, office.director)
    rows = [list(row) for row in GOOD]
    kept = [
        "就业援助组",
        "EMP",
        1,
        "",
        "",
        "",
        "",
        "@zhang_wei",
        "@wang_fang",
        "服务人次; 新增岗位",
    ]
    rows.insert(0, kept)
    await upload(driver, office.director, csv_gbk(rows), "名册.csv")
    preview = await director.reads("将作如下变更")
    assert "停用" in preview.text and "VOL 志愿服务组" in preview.text
    bot.kill()
    await start_bot(seeded_database, name="bot2")
    await director.presses("确认导入")
    await driver.wait_for_edit(director.chat, preview, contains="名册已导入")
    query = await driver.press_data(office.director, director.chat, preview, preview_data(preview))
    assert "已经导入过了" in (await driver.wait_for_callback_answer(query)).get("text", "")
    groups = await groups_of(seeded_database, office.chat.id)
    assert {code for code, (_, active, _) in groups.items() if active} == {
        "EMP",
        "G01",
        "G02",
        "G03",
    }
    assert groups["VOL"][1] is False  # deactivated, not deleted
    assert len(await imports_audited(seeded_database)) == 1


def csv_gbk(rows: list[list[object]]) -> bytes:
    """What Excel on Chinese Windows saves as "CSV (逗号分隔)": GBK, not UTF-8."""
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("gbk")
