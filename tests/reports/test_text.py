"""The agenda and the bulletin as chat HTML, Markdown and the Word/Excel/chart layouts."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.replies import split_message, visible_length
from bot.reports import documents, text
from bot.reports.agenda import compile_agenda
from bot.reports.bulletin import compile_bulletin
from bot.reports.data import GroupWeek, PeriodData
from bot.reports.layout import Heading, Paragraph, Table
from bot.reports.service import week_data
from storage.db import Database
from tests.reports.fixture import NOW, WEEK, build_office


@pytest.fixture
async def data(database: Database) -> PeriodData:
    async with database.session() as session:
        office = await build_office(session)
        return await week_data(session, office.workspace, WEEK, NOW)


def empty_week(data: PeriodData) -> PeriodData:
    """The same office in a week where nothing is open and nobody has reported."""
    return dataclasses.replace(
        data,
        groups=tuple(GroupWeek(g.group_id, g.code, g.name, "missing") for g in data.groups),
        indicators=(),
        open_problems=(),
        problems_opened=(),
        problems_resolved=(),
        open_decisions=(),
    )


def section_order(message: str, headings: list[str]) -> list[int]:
    return [message.index(heading) for heading in headings]


AGENDA_SECTIONS = [
    "一、上次例会议定事项落实情况",
    "二、各专项组工作进展",
    "三、需协调解决的问题",
    "四、下阶段重点工作",
]


def test_agenda_chat_text(data: PeriodData) -> None:
    message = text.agenda_text(compile_agenda(data), "zh-CN")
    positions = section_order(message, AGENDA_SECTIONS)
    assert positions == sorted(positions)
    assert message.index("⏳ 未报送：丙组") < positions[0]  # the absent come first
    assert "🔕 免报：丁组（集中督查）" in message
    lines = message.splitlines()
    assert "1. 【戊组】协调活动场地（期限11月20日；待落实，已逾期） ⚠️" in lines
    assert "　落实情况：正在协调场地" in lines
    assert "2. 【甲组】报送阶段进展（期限11月29日；推进中）" in lines
    assert "1. 【甲组】正常推进，完成60%。举办招聘会&lt;2场&gt;" in lines  # escaped
    assert "3. 【丙组】未报送" in lines
    assert "4. 【丁组】免报（集中督查）" in lines
    assert "（一）甲组" in lines and "（二）乙组" in lines
    assert "1. 场地&lt;紧张&gt;（已持续3周，升级督办） ‼️；本周进展：已对接街道" in lines
    assert "1. 经费未到位（已持续1周）" in lines
    assert "2. 【乙组】继续走访" in lines


def test_an_empty_section_says_none_and_keeps_its_number(data: PeriodData) -> None:
    message = text.agenda_text(compile_agenda(empty_week(data)), "zh-CN")
    lines = message.splitlines()
    for heading in (AGENDA_SECTIONS[0], AGENDA_SECTIONS[2], AGENDA_SECTIONS[3]):
        index = lines.index(f"<b>{heading}</b>")
        assert lines[index + 1] == "无"
    assert section_order(message, AGENDA_SECTIONS) == sorted(
        section_order(message, AGENDA_SECTIONS)
    )


def test_bulletin_chat_text(data: PeriodData) -> None:
    message = text.bulletin_text(compile_bulletin(data), "zh-CN", "2026年第12期")
    lines = message.splitlines()
    assert lines[0] == "<b>工作周通报 · 2026年第12期</b>"
    assert "应报4个，按时报送2个，迟报1个，未报送1个，免报1个；按时报送率50.0%。" in lines
    assert "🟢 正常推进1个 · 🟡 滞后1个 · 🔴 受阻1个 · ⚪ 未报送2个" in lines
    assert "🟢 甲组：正常推进 60%" in lines
    assert "⚪ 丁组：未报送" in lines
    assert "【甲组】服务人次：本周100人次，年度累计190人次，目标1,000人次（完成19.0%）" in lines
    assert "【乙组】成功率：本周80%，年度累计80%，目标90%（完成88.9%）" in lines
    assert "本周新增问题1个，解决2个，仍未解决3个。" in lines
    assert "‼️ 持续3周及以上未解决、升级督办的问题1个：" in lines
    assert "本周到期议定事项1项，逾期未办结1项。" in lines
    # Overdue first, then the rest due this week.
    overdue = lines.index("1. 【戊组】协调活动场地（期限11月20日；待落实，已逾期） ⚠️")
    assert lines[overdue + 1] == "2. 【甲组】报送阶段进展（期限11月29日；推进中）"


def test_the_preview_carries_no_number() -> None:
    assert text.number_line("zh-CN", None, None) == "预览"
    assert text.number_line("zh-CN", 2026, 12) == "2026年第12期"
    assert text.number_line("en", 2026, 12) == "2026 No. 12"


def test_english_and_markdown(data: PeriodData) -> None:
    agenda = compile_agenda(data)
    english = text.agenda_text(agenda, "en")
    assert "1. Decisions of the last meeting" in english and "overdue" in english
    markdown = text.agenda_text(agenda, "zh-CN", text.MARKDOWN)
    assert markdown.startswith("# 工作例会议程\n\n")
    assert "## 一、上次例会议定事项落实情况" in markdown
    assert "举办招聘会\\<2场\\>" in markdown  # typed text cannot become markup
    assert "<b>" not in markdown


def test_status_text(data: PeriodData) -> None:
    message = text.status_text(data, "zh-CN", "Asia/Shanghai", NOW)
    assert "截止时间：11月27日 18:00（已截止" in message
    assert "应报4个：已报送3个（按时2个，迟报1个），未报送1个；免报1个。" in message
    assert "⏳ 未报送：丙组" in message


@given(st.text(min_size=1, max_size=300))
def test_any_typed_text_stays_escaped_and_within_telegram_limits(typed: str) -> None:
    group = GroupWeek(1, "G1", typed, "on_time", progress_status="on_track", done_text=typed)
    week = PeriodData(
        workspace_title=typed,
        period_key=WEEK,
        deadline_at=None,
        meeting_on=date(2026, 11, 30),
        as_of_day=date(2026, 11, 28),
        escalation_weeks=3,
        groups=(group,) * 40,
        indicators=(),
        open_problems=(),
        problems_opened=(),
        problems_resolved=(),
        open_decisions=(),
        trend=(),
    )
    message = text.agenda_text(compile_agenda(week), "zh-CN")
    stripped = message.replace("<b>", "").replace("</b>", "")
    assert "<" not in stripped and ">" not in stripped
    assert all(visible_length(part) <= 4096 for part in split_message(message))


# --- layouts --------------------------------------------------------------------------------


def test_agenda_document_layout(data: PeriodData) -> None:
    document = documents.agenda_document(compile_agenda(data), "zh-CN")
    assert document.title == "工作例会议程"
    assert document.subtitle == "2026年第48周（11月23日—11月29日）"
    assert document.issued_on == date(2026, 11, 30)
    headings = [b for b in document.blocks if isinstance(b, Heading)]
    assert [h.text for h in headings if h.level == 1] == AGENDA_SECTIONS
    assert [h.text for h in headings if h.level == 2] == ["（一）甲组", "（二）乙组"]
    progress = [b for b in document.blocks if isinstance(b, Paragraph) and b.lead]
    assert progress[0].lead == "（一）甲组。"
    assert progress[0].text == "正常推进，完成60%。举办招聘会<2场>"  # plain: Word escapes nothing


def test_bulletin_document_layout(data: PeriodData) -> None:
    bulletin = compile_bulletin(data)
    document = documents.bulletin_document(bulletin, "zh-CN", "2026年第12期", date(2026, 11, 30))
    assert (document.title, document.number_line) == ("工作周通报", "2026年第12期")
    assert document.issuer == "温暖二七领导小组办公室"
    status, indicators = [b for b in document.blocks if isinstance(b, Table)]
    assert status.header == ("序号", "专项组", "填报情况", "工作进度", "完成比例")
    assert status.rows[0] == ("1", "甲组", "按时报送", "正常推进", "60%")
    assert status.rows[3] == ("4", "丁组", "免报", "未报送", "")
    assert indicators.rows[0] == ("甲组", "服务人次（人次）", "100", "190", "1,000", "19.0%")


def test_workbook_sheets_and_cell_types(data: PeriodData) -> None:
    sheets = documents.workbook(compile_bulletin(data), "zh-CN", "Asia/Shanghai")
    assert [s.title for s in sheets] == ["概览", "填报情况", "重点指标", "存在问题", "议定事项"]
    overview = dict(sheets[0].rows)
    assert overview["按时报送率"] == 0.5 and overview["未解决问题"] == 3
    reporting = sheets[1]
    assert reporting.header[:4] == ("序号", "专项组", "填报情况", "提交时间")
    first = reporting.rows[0]
    assert first[0] == 1 and first[5] == 60
    assert first[3] == datetime(2026, 11, 27, 12, 0)  # local wall-clock time, no zone
    assert reporting.rows[2][3] is None  # missing: no time
    people = sheets[2].rows[0]
    assert people == ("甲组", "服务人次", "人次", 100.0, 190.0, 1000.0, pytest.approx(0.19))
    problems = sheets[3].rows
    assert problems[0][:5] == ("甲组", "场地<紧张>", "待落实", "2026-W46", 3)
    decisions = sheets[4].rows
    assert decisions[0][2] == date(2026, 11, 20) and decisions[0][4] == "是"
    for sheet in sheets:
        assert all(len(row) == len(sheet.header) for row in sheet.rows), sheet.title


def test_chart_layout(data: PeriodData) -> None:
    chart = documents.chart(compile_bulletin(data), "zh-CN", "预览")
    assert [(g.name, g.status, g.percent) for g in chart.groups] == [
        ("甲组", "on_track", 60),
        ("乙组", "delayed", None),
        ("丙组", None, None),
        ("丁组", None, None),
        ("戊组", "blocked", 30),
    ]
    assert [(t.label, t.on_time_rate, t.open_problems) for t in chart.trend] == [
        ("第46周", 0.6, 4),
        ("第47周", 0.2, 4),
        ("第48周", 0.5, 3),
    ]
    assert "预览" in chart.title


def test_official_documents_carry_no_emoji(data: PeriodData) -> None:
    """Emoji mark the chat only: a GB/T 9704 document is plain text in its fonts."""
    documents_ = [
        documents.agenda_document(compile_agenda(data), "zh-CN"),
        documents.bulletin_document(compile_bulletin(data), "zh-CN", "预览", date(2026, 11, 30)),
    ]
    for document in documents_:
        for block in document.blocks:
            if isinstance(block, Table):
                texts = [cell for row in block.rows for cell in row]
            else:
                texts = [block.text, getattr(block, "lead", "")]
            for piece in texts:
                assert not any(is_emoji(char) for char in piece), piece


def is_emoji(char: str) -> bool:
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF  # pictographs: 🟢 🔕 📄 ...
        or 0x2300 <= code <= 0x27BF  # ⏳ ⚠ ✅ ...
        or code in (0x203C, 0xFE0F)  # ‼ and the emoji variation selector
    )


def test_a_large_office_gets_a_clipped_chat_text_and_the_file_has_the_rest() -> None:
    groups = tuple(
        GroupWeek(n, f"G{n}", f"第{n}专项组", "on_time", "on_track", 50, done_text="工作" * 30)
        for n in range(1, 401)
    )
    week = PeriodData(
        workspace_title="办公室",
        period_key=WEEK,
        deadline_at=None,
        meeting_on=date(2026, 11, 30),
        as_of_day=date(2026, 11, 28),
        escalation_weeks=3,
        groups=groups,
        indicators=(),
        open_problems=(),
        problems_opened=(),
        problems_resolved=(),
        open_decisions=(),
        trend=(),
    )
    full = text.agenda_text(compile_agenda(week), "zh-CN")
    clipped = text.clip(full, "zh-CN", "reports.file.agenda_caption")
    assert visible_length(full) > text.CHAT_LIMIT
    assert visible_length(clipped) <= text.CHAT_LIMIT + 100
    assert clipped.endswith("完整内容见📋 例会议程（Word））")
    assert full.startswith(clipped.rsplit("\n", 1)[0])  # whole lines, in order
    assert len(split_message(clipped)) <= 3
    small = text.agenda_text(compile_agenda(dataclasses.replace(week, groups=groups[:13])), "zh-CN")
    assert text.clip(small, "zh-CN", "reports.file.agenda_caption") == small
