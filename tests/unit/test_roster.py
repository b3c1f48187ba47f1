"""Roster files and their import: parsing, row-precise errors, round trips, updates in place.

Expectations are written out by hand. Database tests run on SQLite, and on PostgreSQL too
when ``LIHUI_TEST_POSTGRES_URL`` names a server.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.cli import main
from bot.roster import (
    RosterError,
    RosterGroup,
    RosterIndicator,
    apply_roster,
    format_indicators,
    load_roster,
    parse_indicators,
    read_roster,
    write_roster,
)
from storage.db import Database
from storage.models import (
    AuditLog,
    Base,
    Contact,
    Indicator,
    IndicatorValue,
    Period,
    Person,
    Submission,
    TaskGroup,
    Workspace,
)

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
HEADER = "名称,代码,序号,责任单位,责任人,成员单位,工作职责,联络员,备用联络员,重点指标\r\n"


pytestmark = pytest.mark.usefixtures("frozen_clock")


_chat_ids = itertools.count(-1_000_000_000_000 - os.getpid() * 1000, -1)


@pytest.fixture
def chat_id() -> int:
    """A chat id of its own per test, so that no test depends on another's workspace."""
    return next(_chat_ids)


async def row_counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        counts = {}
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await session.scalar(select(func.count()).select_from(table))
        return counts


# --- parsing ------------------------------------------------------------------------------

SMALL_CSV = HEADER + (
    "就业援助组,G06,6,区人社局,孙海涛 局长,区总工会、区妇联;区工商联，区团委,"
    '"开展就业援助。\n帮扶困难人员。",@sun_haitao,123456789,'
    '"新增岗位（个）：５,000; 培训(人次):1200.5；满意度"\r\n'
    ",,,,,,,,,\r\n"
    "养老服务组,G11,,区民政局,,,,,,助餐服务(人次)\r\n"
)

SMALL_ROSTER = [
    RosterGroup(
        name="就业援助组",
        code="G06",
        order=6,
        responsible_unit="区人社局",
        responsible_person="孙海涛 局长",
        member_units=["区总工会", "区妇联", "区工商联", "区团委"],
        duties="开展就业援助。\n帮扶困难人员。",
        primary_contact="@sun_haitao",
        deputy_contact="123456789",
        indicators=[
            RosterIndicator("新增岗位", "个", 5000.0),
            RosterIndicator("培训", "人次", 1200.5),
            RosterIndicator("满意度", "", None),
        ],
    ),
    # Blank 序号: the group's place among the file's groups (second group, so 2).
    RosterGroup(
        name="养老服务组",
        code="G11",
        order=2,
        responsible_unit="区民政局",
        indicators=[RosterIndicator("助餐服务", "人次", None)],
    ),
]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_small_csv_in_every_encoding_excel_writes(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(SMALL_CSV.encode(encoding))
    assert read_roster(path) == SMALL_ROSTER


def test_english_headers_any_order_and_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Code,Remarks,Name,Primary_Contact\nA1,whatever,Group A,@alice_01\n", "utf-8")
    assert read_roster(path) == [
        RosterGroup(name="Group A", code="A1", order=1, primary_contact="@alice_01")
    ]


def test_bytes_neither_utf8_nor_gb18030_ask_for_csv_utf8(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xff\xfe\x80")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert caught.value.lines() == [
        "无法识别文件编码，请在 Excel 中选择“另存为 → CSV UTF-8（逗号分隔）”后重新导入"
    ]


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "roster.txt"
    path.write_text("名称,代码\n", "utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert caught.value.lines() == ["不支持的文件类型“.txt”，请使用 .csv 或 .xlsx 文件"]
    assert caught.value.lines("en") == ["unsupported file type “.txt”; use a .csv or .xlsx file"]


def test_missing_required_column_names_header_row(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("名称,责任单位\n就业援助组,区人社局\n", "utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert caught.value.lines() == ["第1行「代码」列：表头缺少此列（必填）"]
    assert caught.value.lines("en") == [
        "Row 1, column “code”: this required column is missing from the header"
    ]


BROKEN_CSV = HEADER + (
    "甲组,A,1,,,,,@alice_01,,\n"  # row 2: fine
    "乙组,A,2,,,,,,,\n"  # row 3: duplicate code
    "丙组,C,第一,,,,,,,\n"  # row 4: bad number in order
    "丁组,D,4,,,,,zhang san,,\n"  # row 5: bad contact
    "戊组,E,5,,,,,,,人次(; 场次:很多\n"  # row 6: malformed indicator, bad target
    ",F,6,,,,,,,\n"  # row 7: empty name
)


def test_every_error_names_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(BROKEN_CSV, "utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert caught.value.lines() == [
        "第3行「代码」列：与第2行重复",
        "第4行「序号」列：“第一”不是有效的整数",
        "第5行「联络员」列：“zhang san”不是有效的联络员，"
        "请填写 @用户名 或数字形式的 Telegram 用户ID",
        "第6行「重点指标」列：第1项“人次(”格式不正确，应为“名称(单位):目标值”，多项之间用分号分隔",
        "第6行「重点指标」列：第2项的目标值“很多”不是有效的数字",
        "第7行「名称」列：不能为空",
    ]
    assert caught.value.lines("en")[0] == "Row 3, column “code”: same as row 2"


def test_too_long_value_and_same_contact(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + f"{'长' * 201},A,1,,,,,@alice_01,@Alice_01,\n", "utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert caught.value.lines() == [
        "第2行「名称」列：内容过长，最多200个字符",
        "第2行「备用联络员」列：备用联络员与联络员是同一人",
    ]


def test_xlsx_numbers_become_the_text_typed(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["名称", "代码", "序号", "联络员", "重点指标"])
    sheet.append(["甲组", 7, 3.0, 123456789, "人次:5000"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert read_roster(path) == [
        RosterGroup(
            name="甲组",
            code="7",
            order=3,
            primary_contact="123456789",
            indicators=[RosterIndicator("人次", "", 5000.0)],
        )
    ]


# --- the indicator cell, property-tested ------------------------------------------------

_FORBIDDEN = set(";；\n()（）:：")
_text = st.text(
    alphabet=st.characters(blacklist_characters="".join(_FORBIDDEN), blacklist_categories=("Cs",)),
    max_size=12,
).map(str.strip)
_indicators = st.lists(
    st.builds(
        RosterIndicator,
        name=_text.filter(bool),
        unit=_text,
        target=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    ),
    max_size=5,
)


@given(_indicators)
def test_indicator_cell_round_trips(indicators: list[RosterIndicator]) -> None:
    assert parse_indicators(format_indicators(indicators)) == indicators


@given(st.text(max_size=60))
def test_indicator_cell_never_raises_anything_but_roster_error(text: str) -> None:
    with contextlib.suppress(RosterError):
        parse_indicators(text)


# --- applying to the database -----------------------------------------------------------


def tricky_roster() -> list[RosterGroup]:
    return [
        RosterGroup(
            name="宣传网络平台组<b>&amp;</b>",
            code="S03",
            order=1,
            responsible_unit="区委宣传部（网信办）",
            responsible_person="刘志强 副部长",
            member_units=["区融媒体中心", "区委网信办"],
            duties="第一行：“温暖二七”<b>宣传</b> & 报道；\n第二行，全角ＡＢＣ１２３。",
            primary_contact="@liu_zhiqiang",
            deputy_contact="987654321",
            indicators=[
                RosterIndicator("发布稿件", "篇", 600.0),
                RosterIndicator("阅读量", "万次", 12.5),
                RosterIndicator("满意度", "", None),
            ],
        ),
        RosterGroup(name="养老服务组", code="S11", order=2, primary_contact="@liu_zhiqiang"),
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_export_then_import_gives_the_same_roster(
    database: Database, chat_id: int, tmp_path: Path, suffix: str
) -> None:
    async with database.session() as session:
        first = await apply_roster(session, chat_id, tricky_roster(), title="办公室")
    assert (first.created, first.updated, first.unchanged) == (["S03", "S11"], [], [])
    async with database.session() as session:
        loaded = await load_roster(session, chat_id)
    assert loaded == tricky_roster()
    path = tmp_path / f"roster{suffix}"
    write_roster(path, loaded)
    assert read_roster(path) == loaded
    async with database.session() as session:
        again = await apply_roster(session, chat_id, read_roster(path))
    assert (again.created, again.updated, again.unchanged) == ([], [], ["S03", "S11"])


async def test_one_person_serves_two_groups(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        await apply_roster(session, chat_id, tricky_roster())
    async with database.session() as session:
        people = await session.scalar(
            select(func.count(func.distinct(Contact.person_id)))
            .join(TaskGroup)
            .join(Workspace)
            .where(Workspace.chat_id == chat_id)
        )
        person = await session.scalar(select(Person).where(Person.username == "liu_zhiqiang"))
    assert people == 2  # @liu_zhiqiang twice, 987654321 once
    assert person is not None and person.telegram_user_id is None


async def test_update_in_place_by_code_keeps_ids(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        await apply_roster(session, chat_id, tricky_roster())
    ids_before = await _ids(database, chat_id)
    changed = tricky_roster()
    changed[0].name = "宣传组（新名称）"
    changed[0].indicators = [RosterIndicator("阅读量", "万人次", 20.0), RosterIndicator("新指标")]
    changed[0].deputy_contact = ""
    async with database.session() as session:
        summary = await apply_roster(session, chat_id, changed)
    assert (summary.updated, summary.unchanged) == (["S03"], ["S11"])
    ids_after = await _ids(database, chat_id)
    assert ids_after["groups"] == ids_before["groups"]
    assert ids_after["indicators"]["S03:阅读量"] == ids_before["indicators"]["S03:阅读量"]
    assert set(ids_after["indicators"]) == {"S03:阅读量", "S03:新指标"}
    async with database.session() as session:
        assert await load_roster(session, chat_id) == changed


async def _ids(database: Database, chat_id: int) -> dict[str, dict[str, int]]:
    async with database.session() as session:
        rows = (
            await session.execute(
                select(TaskGroup.code, TaskGroup.id)
                .join(Workspace)
                .where(Workspace.chat_id == chat_id)
            )
        ).all()
        indicators = (
            await session.execute(
                select(TaskGroup.code, Indicator.name, Indicator.id)
                .join(TaskGroup)
                .join(Workspace)
                .where(Workspace.chat_id == chat_id)
            )
        ).all()
    return {
        "groups": {code: id_ for code, id_ in rows},
        "indicators": {f"{code}:{name}": id_ for code, name, id_ in indicators},
    }


async def test_group_dropped_from_the_file_becomes_inactive(
    database: Database, chat_id: int
) -> None:
    async with database.session() as session:
        await apply_roster(session, chat_id, tricky_roster())
    async with database.session() as session:
        summary = await apply_roster(session, chat_id, tricky_roster()[:1])
    assert summary.deactivated == ["S11"]
    async with database.session() as session:
        assert [g.code for g in await load_roster(session, chat_id)] == ["S03"]
        group = await session.scalar(
            select(TaskGroup)
            .where(TaskGroup.code == "S11")
            .join(Workspace)
            .where(Workspace.chat_id == chat_id)
        )
        audit = await session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .join(Workspace)
            .where(Workspace.chat_id == chat_id)
        )
    assert group is not None and group.active is False
    assert audit == 2
    async with database.session() as session:
        back = await apply_roster(session, chat_id, tricky_roster())
    assert (back.updated, back.unchanged) == (["S11"], ["S03"])


async def test_indicator_with_reported_values_is_kept(database: Database, chat_id: int) -> None:
    async with database.session() as session:
        await apply_roster(session, chat_id, tricky_roster())
        group = await session.scalar(
            select(TaskGroup)
            .join(Workspace)
            .where(Workspace.chat_id == chat_id, TaskGroup.code == "S03")
        )
        assert group is not None
        indicator = await session.scalar(
            select(Indicator).where(Indicator.group_id == group.id, Indicator.name == "发布稿件")
        )
        assert indicator is not None
        period = Period(
            workspace_id=group.workspace_id,
            key="2026-W47",
            starts_on=datetime(2026, 11, 16).date(),
            ends_on=datetime(2026, 11, 22).date(),
        )
        session.add(period)
        await session.flush()
        submission = Submission(
            group_id=group.id,
            period_id=period.id,
            updated_at=NOW,
            indicator_values=[IndicatorValue(indicator_id=indicator.id, value=3.0)],
        )
        session.add(submission)
    changed = tricky_roster()
    changed[0].indicators = changed[0].indicators[1:]
    async with database.session() as session:
        summary = await apply_roster(session, chat_id, changed)
    assert summary.kept_indicators == ["S03:发布稿件"]


async def test_bad_roster_or_database_error_changes_nothing(
    database: Database, chat_id: int
) -> None:
    async with database.session() as session:
        await apply_roster(session, chat_id, tricky_roster())
    before = await row_counts(database)
    duplicate = [*tricky_roster(), RosterGroup(name="重复", code="S03")]
    with pytest.raises(RosterError) as caught:
        async with database.session() as session:
            await apply_roster(session, chat_id, duplicate)
    assert caught.value.lines() == ["第4行「代码」列：与第2行重复"]
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await apply_roster(session, chat_id, [RosterGroup(name="新组", code="N1")])
            raise RuntimeError("the database failed half way")
    assert await row_counts(database) == before


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("LIHUI_LOCALE", "zh-CN")
    monkeypatch.setenv("LIHUI_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("LIHUI_CLOCK_FILE", raising=False)
    return tmp_path


def test_cli_sample_import_export_import(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample, exported = cli_env / "sample.xlsx", cli_env / "exported.csv"
    assert main(["roster", "sample", str(sample)]) == 0
    assert capsys.readouterr().out == f"已写入示例名册（13个专项组）：{sample}\n"
    assert main(["roster", "import", str(sample), "--chat", "-1001"]) == 0
    assert capsys.readouterr().out == "已导入13个专项组：新增13个，更新0个，未变0个，停用0个\n"
    assert main(["roster", "export", str(exported), "--chat", "-1001"]) == 0
    assert capsys.readouterr().out == f"已导出13个专项组到 {exported}\n"
    assert main(["roster", "import", str(exported), "--chat", "-1001"]) == 0
    assert capsys.readouterr().out == "已导入13个专项组：新增0个，更新0个，未变13个，停用0个\n"


def test_cli_broken_file_exits_1_with_one_line_per_problem(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = cli_env / "broken.csv"
    broken.write_text(BROKEN_CSV, "utf-8")
    assert main(["roster", "import", str(broken), "--chat", "-1001"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 6
    assert lines[0] == "第3行「代码」列：与第2行重复"
    monkeypatch.setenv("LIHUI_LOCALE", "en")
    assert main(["roster", "import", str(broken), "--chat", "-1001"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "Row 3, column “code”: same as row 2"


def test_cli_export_of_unknown_chat_exits_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", "export", str(cli_env / "x.csv"), "--chat", "-42"]) == 1
    assert capsys.readouterr().err == "群 -42 还没有工作区，请先导入名册\n"
