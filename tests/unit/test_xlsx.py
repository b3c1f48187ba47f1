"""Workbooks reopened: sheets, headers, frozen panes, autofilter, widths and cell types."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.reports.layout import Sheet
from bot.reports.xlsx import display_width, render_workbook, sheet_title

REPORTS = Sheet(
    title="填报情况",
    header=("专项组", "状态", "进度（%）", "报送时间", "截止日期", "本周工作"),
    rows=(
        (
            "党群服务中心提质组（示例）",
            "按时",
            85,
            datetime(2026, 11, 27, 16, 5),
            date(2026, 11, 27),
            "完成12个社区验收",
        ),
        (
            "志愿服务组（示例）",
            "迟报",
            42.5,
            datetime(2026, 11, 28, 9, 30),
            date(2026, 11, 27),
            "=SUM(A1:A9)",
        ),
        ("就业援助组（示例）", "未报送", None, None, date(2026, 11, 27), "长" * 200 + "\n第二行"),
    ),
)
PROBLEMS = Sheet("存在问题", ("问题", "已持续（周）"), (("场地不足", 3),))


@pytest.fixture(scope="module")
def data() -> bytes:
    return render_workbook([REPORTS, PROBLEMS], created=date(2026, 11, 30))


def test_one_sheet_per_concern_with_bold_headers_frozen_and_filtered(data: bytes) -> None:
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["填报情况", "存在问题"]
    sheet = book["填报情况"]
    assert [cell.value for cell in sheet[1]] == list(REPORTS.header)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"
    assert book["存在问题"].auto_filter.ref == "A1:B2"
    assert sheet.max_row == 4
    # Printed: A4 landscape, one page wide, the header row on every page.
    assert sheet.page_setup.paperSize == 9  # A4 in the SpreadsheetML paper codes
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$1"


def test_cells_keep_their_types(data: bytes) -> None:
    sheet = load_workbook(io.BytesIO(data))["填报情况"]
    assert sheet["C2"].value == 85 and sheet["C2"].data_type == "n"
    assert sheet["C3"].value == 42.5
    assert sheet["C4"].value is None
    assert sheet["D2"].value == datetime(2026, 11, 27, 16, 5) and sheet["D2"].is_date
    assert sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["E2"].is_date and sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].value == datetime(2026, 11, 27)  # Excel dates read back at midnight
    # A formula typed in a report stays text.
    assert sheet["F3"].value == "=SUM(A1:A9)" and sheet["F3"].data_type == "s"


def test_widths_fit_chinese_and_long_text_wraps(data: bytes) -> None:
    sheet = load_workbook(io.BytesIO(data))["填报情况"]
    # "党群服务中心提质组（示例）": 13 wide characters, 26 digit widths, plus 2 of margin.
    assert sheet.column_dimensions["A"].width == 28
    assert sheet.column_dimensions["B"].width == 8  # "未报送" 6, plus 2
    assert sheet.column_dimensions["D"].width == 18  # a datetime
    assert sheet.column_dimensions["F"].width == 60  # capped
    assert sheet["F4"].alignment.wrap_text
    assert not sheet["F2"].alignment.wrap_text


def test_widths_count_wide_characters_twice() -> None:
    assert display_width("专项组") == 6
    assert display_width("ABC12") == 5
    assert display_width("进度（%）") == 9
    assert display_width("第一行\n很长很长的第二行") == 16
    assert display_width(1200) == 4
    assert display_width(None) == 0


def test_sheet_titles_follow_excel_rules() -> None:
    taken: set[str] = set()
    first = sheet_title("问题/需协调[2026]:*?\\" + "长" * 40, taken, 1)
    assert first == "问题／需协调［2026］：＊？＼" + "长" * 15
    assert len(first) == 31
    taken.add(first.casefold())
    assert sheet_title(first, taken, 2) == first[:28] + "(2)"
    assert sheet_title("", set(), 3) == "Sheet3"
    assert sheet_title("'概览'", set(), 1) == "概览"
    assert sheet_title("a" * 30 + "'b", set(), 1) == "a" * 30
    assert sheet_title("History", set(), 4) == "Sheet4"
    assert sheet_title("sheet", {"sheet"}, 5) == "sheet(2)"


@given(st.text(max_size=60))
def test_any_title_becomes_a_valid_unique_sheet_title(wanted: str) -> None:
    taken = {"概览"}
    title = sheet_title(wanted, taken, 2)
    assert 1 <= len(title) <= 31
    assert not set(title) & set("[]:*?/\\")
    assert title.casefold() not in taken
    assert not title.startswith("'") and not title.endswith("'")


def test_odd_text_and_edge_values_survive_a_round_trip() -> None:
    odd = "<b>&amp; \U0001f600 e\u0301 \u202eRTL\x00\x0b"
    sheet = Sheet(
        "x", ("a", "b", "c"), ((odd, float("nan"), datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),)
    )
    book = load_workbook(io.BytesIO(render_workbook([sheet, sheet])))
    assert book.sheetnames == ["x", "x(2)"]
    assert book["x"]["A2"].value == odd.replace("\x00", "\ufffd").replace("\x0b", "\n")
    assert book["x"]["B2"].value == "nan"
    assert book["x"]["C2"].value == datetime(2026, 11, 30, 9, 0)


def test_empty_inputs_still_give_a_workbook() -> None:
    book = load_workbook(io.BytesIO(render_workbook([])))
    assert book.sheetnames == ["Sheet1"]
    book = load_workbook(io.BytesIO(render_workbook([Sheet("空", ("专项组",), ())])))
    assert book["空"].auto_filter.ref == "A1:A1"


def test_the_same_sheets_give_the_same_bytes(data: bytes) -> None:
    assert render_workbook([REPORTS, PROBLEMS], created=date(2026, 11, 30)) == data
    book = load_workbook(io.BytesIO(data))
    assert book.properties.created == datetime(2026, 11, 30)
    assert book.properties.modified == datetime(2026, 11, 30)
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert stamps == {(2026, 11, 30, 0, 0, 0)}
