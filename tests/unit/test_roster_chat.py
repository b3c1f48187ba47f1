"""The roster from the chat, without Telegram: the diff and its preview, the file checks,
and the template workbook."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.access import office
from bot.caller import Caller
from bot.replies import Answer
from bot.roster import RosterGroup, RosterIndicator, roster_xlsx
from bot.roster.chat import on_upload, press, roster_command
from bot.roster.preview import diff, fingerprint, preview_text
from bot.roster.upload import (
    FORMULAS,
    MACROS,
    MAX_BYTES,
    TOO_BIG,
    WRONG_TYPE,
    Upload,
    is_spreadsheet,
    kind_of,
    parse_upload,
    read_upload,
)
from storage.db import Database
from storage.models import AuditLog, Membership, PendingImport, Person, TaskGroup, Workspace
from tests.conftest import FROZEN_NOW

HEADER = "名称,代码,序号,责任单位,责任人,成员单位,工作职责,联络员,备用联络员,重点指标\r\n"


def group(code: str, name: str = "组", **changes: object) -> RosterGroup:
    base = RosterGroup(
        name=name,
        code=code,
        order=1,
        primary_contact="@zhang_wei",
        indicators=[RosterIndicator("服务人次", "人次", 100.0)],
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the diff -------------------------------------------------------------------------------


def test_the_same_roster_changes_nothing_and_says_so() -> None:
    stored = [group("G01"), group("G02", "乙")]
    change = diff(stored, [replace(g) for g in stored])
    assert change.empty
    assert "没有需要变更的内容" in preview_text(change, "zh-CN", "办公室", "名册.xlsx")


def test_contacts_compare_as_people_not_as_spelled() -> None:
    change = diff([group("G01")], [group("G01", primary_contact="@Zhang_Wei")])
    assert change.empty


def test_each_kind_of_change_is_listed_by_code() -> None:
    stored = [
        group("G01", "就业援助组"),
        group("G02", "志愿组", indicators=[RosterIndicator("场次"), RosterIndicator("人数")]),
        group("G03", "环境组"),
    ]
    wanted = [
        group("G01", "就业创业组", deputy_contact="@wang_fang"),
        group("G02", "志愿组", indicators=[RosterIndicator("时长", "小时")]),
        group("G04", "新组"),
    ]
    change = diff(stored, wanted, frozenset({("G02", "场次")}))
    assert change.added == [("G04", "新组")]
    assert change.renamed == [("G01", "就业援助组", "就业创业组")]
    assert change.removed == [("G03", "环境组")]
    assert [(c.code, c.kind, c.before, c.after) for c in change.contacts] == [
        ("G01", "deputy", "", "@wang_fang")
    ]
    assert ("G02", "时长") in change.indicators_added and (
        "G04",
        "服务人次",
    ) in change.indicators_added
    assert change.indicators_kept == [("G02", "场次")]  # it has values
    assert change.indicators_removed == [("G02", "人数")]
    text = preview_text(change, "zh-CN", "办公室", "名册.xlsx")
    for line in (
        "新增专项组（1个）",
        "G01：就业援助组 → 就业创业组",
        "停用（文件中没有，1个）",
        "G01 备用联络员：（无） → @wang_fang",
        "已有填报数据而保留的指标（1项）",
        "· G02 场次",
    ):
        assert line in text
    english = preview_text(change, "en", "Office", "r.xlsx")
    assert "Renamed (1):" in english and "G01 deputy contact: (none) → @wang_fang" in english


def test_a_target_unit_or_order_change_is_a_change_a_kept_indicator_is_not() -> None:
    stored = [group("G01")]
    assert diff(stored, [group("G01", order=2)]).details == [("G01", "组")]
    new_target = [group("G01", indicators=[RosterIndicator("服务人次", "人次", 200.0)])]
    assert diff(stored, new_target).indicators_changed == [("G01", "服务人次")]
    dropped = diff(stored, [group("G01", indicators=[])], frozenset({("G01", "服务人次")}))
    assert dropped.empty and dropped.indicators_kept == [("G01", "服务人次")]


def test_user_text_in_the_preview_is_escaped() -> None:
    change = diff([], [group("G01", "<b>组</b>&")])
    text = preview_text(change, "zh-CN", "<办公室>", "a<b>.xlsx")
    assert "&lt;b&gt;组&lt;/b&gt;&amp;" in text and "&lt;办公室&gt;" in text


names = st.text(alphabet="甲乙丙丁组AB", min_size=1, max_size=4)
groups = st.lists(
    st.builds(
        group, code=st.sampled_from(["G1", "G2", "G3", "G4"]), name=names, order=st.integers(1, 5)
    ),
    max_size=4,
    unique_by=lambda g: g.code,
)


@given(groups, groups)
def test_a_diff_is_empty_exactly_when_the_rosters_are_the_same(
    stored: list[RosterGroup], wanted: list[RosterGroup]
) -> None:
    change = diff(stored, wanted)
    same = {g.code: g for g in stored} == {g.code: g for g in wanted}
    assert change.empty == same
    assert (fingerprint(stored) == fingerprint(wanted)) == (stored == wanted)
    assert {code for code, _ in change.added} == {g.code for g in wanted} - {g.code for g in stored}


# --- the file checks ------------------------------------------------------------------------


def workbook(formula: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["就业援助组", "G01", 1])
    if formula:
        sheet["C2"] = "=SUM(1,0)"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_kind_is_the_name_then_the_declared_type() -> None:
    assert kind_of("名册.XLSX", None) == ".xlsx" and kind_of("a.csv", "text/plain") == ".csv"
    assert kind_of("名册", "text/csv") == ".csv"
    assert kind_of("名册.xls", None) is None and kind_of("周报.docx", None) is None
    assert is_spreadsheet("名册.xlsm", None) and is_spreadsheet(None, "text/csv")
    assert not is_spreadsheet("周报.docx", None) and not is_spreadsheet("a.pdf", "application/pdf")


def test_formulas_and_macros_are_refused_a_plain_workbook_read() -> None:
    assert parse_upload(".xlsx", workbook(formula=True)) == FORMULAS
    buffer = io.BytesIO(workbook())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00")
    assert parse_upload(".xlsx", buffer.getvalue()) == MACROS
    plain = parse_upload(".xlsx", workbook())
    assert [g.code for g in plain.groups] == ["G01"] and not plain.refusal


def test_size_and_kind_are_decided_before_any_fetch() -> None:
    async def never() -> bytes:
        raise AssertionError("fetched")

    async def big() -> bytes:
        return b"x" * (MAX_BYTES + 1)

    assert asyncio.run(read_upload("a.csv", None, MAX_BYTES + 1, never)) == TOO_BIG
    assert asyncio.run(read_upload("a.xls", None, 10, never)) == WRONG_TYPE
    assert asyncio.run(read_upload("a.xlsm", None, 10, never)) == MACROS
    assert asyncio.run(read_upload("a.csv", None, 10, big)) == TOO_BIG  # the size lied


def test_csv_in_gbk_and_utf8_with_bom_are_read_and_faults_are_listed() -> None:
    text = HEADER + "就业援助组,G01,1,,,,,@zhang_wei,,\r\n"
    for data in (text.encode("gbk"), text.encode("utf-8-sig")):
        assert [g.name for g in parse_upload(".csv", data).groups] == ["就业援助组"]
    faulty = parse_upload(".csv", (HEADER + ",G01\r\n甲,G01\r\n").encode())
    assert [(i.row, i.column) for i in faulty.issues] == [(2, "name"), (3, "code")]
    garbage = parse_upload(".xlsx", b"not a zip")
    assert [i.key for i in garbage.issues] == ["roster.error.unreadable"]


@given(st.binary(max_size=300))
def test_any_bytes_get_groups_issues_or_a_refusal_never_an_exception(data: bytes) -> None:
    for kind in (".csv", ".xlsx"):
        upload = parse_upload(kind, data)
        assert upload.groups or upload.issues or upload.refusal


# --- the template ---------------------------------------------------------------------------


def test_the_template_has_the_header_and_a_guide_and_text_never_becomes_a_formula() -> None:
    empty = load_workbook(io.BytesIO(roster_xlsx([])))
    assert empty.sheetnames == ["专项组名册", "填写说明"]
    assert empty.worksheets[0].max_row == 1
    tricky = [group("G01", "=1+1", duties="=HYPERLINK(1)")]
    data = roster_xlsx(tricky, "en")
    assert load_workbook(io.BytesIO(data)).sheetnames == ["专项组名册", "Guide"]
    read = parse_upload(".xlsx", data)  # no formula: the export reads back as typed
    assert [(g.name, g.duties) for g in read.groups] == [("=1+1", "=HYPERLINK(1)")]


# --- a pending import, decided once ---------------------------------------------------------


Act = Callable[[Caller], Awaitable[Answer]]


async def _office(database: Database) -> tuple[int, int, int]:
    """An office with its director and one staff member: (workspace, director, staff) ids."""
    async with database.session() as session:
        workspace = Workspace(chat_id=-100, title="办公室", settings={}, created_at=FROZEN_NOW)
        director, staff = Person(display_name="主任"), Person(display_name="干事")
        session.add_all([workspace, director, staff])
        await session.flush()
        session.add_all(
            [
                Membership(workspace_id=workspace.id, person_id=director.id, role="director"),
                Membership(workspace_id=workspace.id, person_id=staff.id, role="staff"),
            ]
        )
        return workspace.id, director.id, staff.id


async def _act(database: Database, person_id: int, act: Act, when: datetime = FROZEN_NOW) -> Answer:
    async with database.session() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        return await act(Caller(session, person, "zh-CN", when, person.id, True))


@pytest.mark.usefixtures("frozen_clock")
async def test_only_the_uploader_confirms_and_only_once(database: Database) -> None:
    workspace_id, director, staff = await _office(database)
    upload = Upload(groups=[group("G01", "就业援助组"), group("G02", "志愿组")])
    previewed = await _act(database, director, lambda c: on_upload(c, upload, "名册.xlsx"))
    [[confirm, cancel]] = previewed.replies[0].buttons
    assert confirm.data and cancel.data and "新增专项组（2个）" in previewed.replies[0].text

    other = await _act(database, staff, lambda c: press(c, confirm.data or "", 5))
    assert other.toast == "这份名册只能由上传者确认。" and not other.replies
    forged = await _act(database, director, lambda c: press(c, "ro:y:99999", 5))
    assert forged.toast == "这个按钮已失效。"
    done = await _act(database, director, lambda c: press(c, confirm.data or "", 5))
    assert "名册已导入" in done.replies[0].text and done.replies[0].edit_message_id == 5
    again = await _act(database, director, lambda c: press(c, confirm.data or "", 5))
    assert again.toast == "这份名册已经导入过了。" and not again.replies
    late_cancel = await _act(database, director, lambda c: press(c, cancel.data or "", 5))
    assert late_cancel.toast == "这份名册已经导入过了。"

    async with database.session() as session:
        codes = await session.scalars(
            select(TaskGroup.code).where(TaskGroup.workspace_id == workspace_id)
        )
        assert sorted(codes) == ["G01", "G02"]
        entries = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "roster.import.chat"))
        )
        assert [e.person_id for e in entries] == [director]
    same = await _act(database, staff, lambda c: on_upload(c, upload, "名册.xlsx"))
    assert "没有需要变更的内容" in same.replies[0].text and not same.replies[0].buttons


@pytest.mark.usefixtures("frozen_clock")
async def test_a_preview_outdated_by_time_or_another_import_applies_nothing(
    database: Database,
) -> None:
    _workspace_id, director, staff = await _office(database)
    first = Upload(groups=[group("G01", "甲")])
    second = Upload(groups=[group("G01", "乙")])
    a = await _act(database, director, lambda c: on_upload(c, first, "a.xlsx"))
    b = await _act(database, staff, lambda c: on_upload(c, second, "b.xlsx"))
    await _act(database, director, lambda c: press(c, a.replies[0].buttons[0][0].data or "", 1))
    stale = await _act(
        database, staff, lambda c: press(c, b.replies[0].buttons[0][0].data or "", 2)
    )
    assert "名册在此期间已有变更" in stale.replies[0].text
    c = await _act(database, staff, lambda c: on_upload(c, second, "b.xlsx"))
    later = FROZEN_NOW + timedelta(days=2)
    expired = await _act(
        database, staff, lambda x: press(x, c.replies[0].buttons[0][0].data or "", 3), later
    )
    assert "已过期" in expired.replies[0].text
    async with database.session() as session:
        names = await session.scalars(select(TaskGroup.name))
        assert list(names) == ["甲"]


async def test_someone_who_manages_no_office_is_refused_and_it_is_written_down(
    database: Database,
) -> None:
    await _office(database)
    async with database.session() as session:
        contact = Person(display_name="联络员")
        session.add(contact)
        await session.flush()
        contact_id = contact.id
    upload = Upload(groups=[group("G01")])
    refused = await _act(database, contact_id, lambda c: on_upload(c, upload, "x.xlsx"))
    assert "只有主任或办公室人员可以导入名册" in refused.replies[0].text
    async with database.session() as session:
        denied = await session.scalar(select(AuditLog).where(AuditLog.action == "access.denied"))
        assert denied is not None and denied.details["attempted"] == "roster.manage"
        assert await session.scalar(select(func.count()).select_from(PendingImport)) == 0


async def test_roster_in_two_offices_asks_which_and_sends_that_ones_file(
    database: Database,
) -> None:
    first, director, _staff = await _office(database)
    async with database.session() as session:
        other = Workspace(chat_id=-200, title="第二办公室", settings={}, created_at=FROZEN_NOW)
        session.add(other)
        await session.flush()
        session.add(Membership(workspace_id=other.id, person_id=director, role="director"))
        second = other.id
    asked = await _act(database, director, roster_command)
    buttons = [button for row in asked.replies[0].buttons for button in row]
    assert [b.label for b in buttons] == ["办公室", "第二办公室"]
    chosen = await _act(database, director, lambda c: office.press(c, buttons[1].data or "", 1))
    said, reply = chosen.replies  # the office remembered (bot.access.office), then the file
    assert "第二办公室" in said.text and said.edit_message_id == 1
    assert reply.attachment is not None and "「第二办公室」还没有专项组" in reply.text
    assert load_workbook(io.BytesIO(reply.attachment.data)).sheetnames[1] == "填写说明"
    assert first != second


@pytest.mark.usefixtures("frozen_clock")
async def test_a_file_sent_by_a_manager_of_two_offices_waits_for_the_office_chosen(
    database: Database,
) -> None:
    first, director, _staff = await _office(database)
    async with database.session() as session:
        other = Workspace(chat_id=-200, title="第二办公室", settings={}, created_at=FROZEN_NOW)
        session.add(other)
        await session.flush()
        session.add(Membership(workspace_id=other.id, person_id=director, role="director"))
    upload = Upload(groups=[group("G01", "就业援助组"), group("G02", "志愿组")])
    asked = await _act(database, director, lambda c: on_upload(c, upload, "名册.xlsx"))
    first_reply, question = asked.replies
    assert "再发送一次文件" in first_reply.text
    buttons = [b for row in question.buttons for b in row]
    assert [b.label for b in buttons] == ["办公室", "第二办公室"]
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(PendingImport)) == 0
    await _act(database, director, lambda c: office.press(c, buttons[1].data or "", 1))
    previewed = await _act(database, director, lambda c: on_upload(c, upload, "名册.xlsx"))
    assert "第二办公室" in previewed.replies[0].text and previewed.replies[0].buttons
    assert first != other.id
