"""Word files reopened: GB/T 9704-2012 page, fonts, headings, tables, page numbers, date."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from bot.reports.docx import render_document
from bot.reports.layout import Heading, OfficialDocument, Paragraph, Table
from bot.reports.wordml import child, element, out_of_order

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ODD_TEXT = "<b>&amp; 1 < 2 && “引号” \U0001f600 e\u0301 \u202eRTL\u202c ＜全角＞ \x00\x0b"

ROWS = tuple((f"专项组{i}（示例）", "正常推进", f"{i}%") for i in range(1, 41))


def _document(**changes: object) -> OfficialDocument:
    fields: dict[str, object] = {
        "title": "温暖二七领导小组办公室工作周通报",
        "blocks": (
            Heading("一、报送情况"),
            Paragraph("本周应报送专项组13个，按时报送10个。", lead="总体情况。"),
            Heading("（一）各组进展", 2),
            Heading("1.重点指标", 3),
            Heading("（1）服务群众", 4),
            Table(("专项组", "状态", "进度"), ROWS, widths=(3, 2, 1)),
            Paragraph("下周继续推进。"),
        ),
        "issuer": "温暖二七领导小组办公室",
        "issued_on": date(2026, 11, 30),
        "number_line": "2026年第12期",
        "subtitle": "2026年第48周（11月23日—11月29日）",
    }
    fields.update(changes)
    return OfficialDocument(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def data() -> bytes:
    return render_document(_document())


@pytest.fixture(scope="module")
def word(data: bytes) -> Document:
    return Document(io.BytesIO(data))


def _xml(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def _paragraph(word: Document, text: str) -> DocxParagraph:
    return next(p for p in word.paragraphs if p.text == text)


def _run_props(paragraph: DocxParagraph) -> list[tuple[str | None, float | None, str | None]]:
    """(East Asian font, size in pt, Latin font) of every run that has text."""
    found = []
    for run in paragraph.runs:
        if not run.text:
            continue
        fonts = run._element.rPr.find(qn("w:rFonts"))
        found.append((fonts.get(qn("w:eastAsia")), run.font.size.pt, fonts.get(qn("w:ascii"))))
    return found


def test_the_page_is_a4_with_the_standard_margins(word: Document) -> None:
    section = word.sections[0]
    for value, mm in [
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ]:
        assert abs(value - Mm(mm)) <= Mm(1), (value.mm, mm)
    type_width = section.page_width - section.left_margin - section.right_margin
    type_height = section.page_height - section.top_margin - section.bottom_margin
    assert abs(type_width - Mm(156)) <= Mm(1) and abs(type_height - Mm(225)) <= Mm(1)


def test_22_lines_of_28_characters(data: bytes, word: Document) -> None:
    grid = word.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 225 mm / 22 lines
    # Characters of 16 pt condensed by 0.25 pt: 28 × 15.75 pt = 441 pt ≤ 156 mm (442.2 pt).
    normal = word.styles["Normal"]
    assert normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    assert 28 * (16 - 0.25) <= 156 / 25.4 * 72 < 29 * (16 - 0.25)
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY


def test_the_title_block(word: Document) -> None:
    title = _paragraph(word, "温暖二七领导小组办公室工作周通报")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _run_props(title) == [("方正小标宋简体", 22, "Times New Roman")]
    texts = [p.text for p in word.paragraphs[:4]]
    assert texts == [
        "温暖二七领导小组办公室工作周通报",
        "2026年第12期",
        "2026年第48周（11月23日—11月29日）",
        "",
    ]
    for line in texts[1:3]:
        paragraph = _paragraph(word, line)
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert _run_props(paragraph) == [("仿宋_GB2312", 16, "Times New Roman")]


@pytest.mark.parametrize(
    ("text", "font", "outline"),
    [("一、报送情况", "黑体", "0"), ("（一）各组进展", "楷体_GB2312", "1"),
     ("1.重点指标", "仿宋_GB2312", "2"), ("（1）服务群众", "仿宋_GB2312", "3")],
)  # fmt: skip
def test_headings_by_level(word: Document, text: str, font: str, outline: str) -> None:
    heading = _paragraph(word, text)
    assert _run_props(heading) == [(font, 16, "Times New Roman")]
    assert heading.paragraph_format.first_line_indent == Pt(32)
    assert heading._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == outline


def test_body_paragraphs_are_indented_two_characters_in_fangsong(word: Document) -> None:
    paragraph = _paragraph(word, "总体情况。本周应报送专项组13个，按时报送10个。")
    assert paragraph.paragraph_format.first_line_indent == Pt(32)
    assert paragraph.paragraph_format.line_spacing == Pt(28.95)
    assert _run_props(paragraph) == [("仿宋_GB2312", 16, "Times New Roman")] * 2
    assert [run.bold for run in paragraph.runs] == [True, None]


def test_every_run_names_its_east_asian_font(data: bytes) -> None:
    for part in ("word/document.xml", "word/footer1.xml", "word/footer2.xml"):
        runs = _xml(data, part).iter(f"{W}r")
        for run in runs:
            fonts = run.find(f"{W}rPr/{W}rFonts")
            assert fonts is not None, part
            assert fonts.get(f"{W}eastAsia") and fonts.get(f"{W}ascii"), part
            assert fonts.get(f"{W}hAnsi") == fonts.get(f"{W}ascii"), part


def test_defaults_are_fangsong_in_chinese_without_theme_fonts(data: bytes, word: Document) -> None:
    styles = _xml(data, "word/styles.xml")
    for fonts in styles.iter(f"{W}rFonts"):
        assert not any(name.endswith("Theme") or name.endswith("theme") for name in fonts.attrib)
    for rpr in (
        styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr"),
        word.styles["Normal"].element.rPr,
    ):
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
        assert rpr.find(qn("w:sz")).get(qn("w:val")) == "32"
        assert rpr.find(qn("w:lang")).get(qn("w:val")) == "zh-CN"
        assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert word.core_properties.language == "zh-CN"


def test_the_table_repeats_its_header_and_has_borders(word: Document) -> None:
    (table,) = word.tables
    assert len(table.rows) == 1 + len(ROWS)
    assert [cell.text for cell in table.rows[0].cells] == ["专项组", "状态", "进度"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.get(qn("w:val")) for child in borders} == {"single"}
    assert len(borders) == 6
    header_fonts = _run_props(table.rows[0].cells[0].paragraphs[0])
    assert header_fonts == [("黑体", 12, "Times New Roman")]
    assert _run_props(table.rows[1].cells[0].paragraphs[0]) == [
        ("仿宋_GB2312", 12, "Times New Roman")
    ]
    widths = [column.width for column in table.columns]
    assert abs(sum(widths) - Mm(156)) <= Mm(1)
    assert abs(widths[0] - Mm(78)) <= Mm(1) and abs(widths[2] - Mm(26)) <= Mm(1)


def test_issuer_and_date_close_the_document(word: Document) -> None:
    *_, issuer, stamp = word.paragraphs
    assert stamp.text == "2026年11月30日"
    assert stamp.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert stamp.paragraph_format.right_indent == Pt(64)  # four characters in
    assert issuer.text == "温暖二七领导小组办公室"
    assert issuer.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # Centred over the date: the issuer is 11 characters, the date 7 (digits are half).
    assert issuer.paragraph_format.right_indent == Pt(64 - 2 * 16)


def test_dates_are_not_padded() -> None:
    word = Document(io.BytesIO(render_document(_document(issued_on=date(2027, 1, 5)))))
    assert word.paragraphs[-1].text == "2027年1月5日"


def test_page_numbers_between_dashes_odd_right_even_left(data: bytes, word: Document) -> None:
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    for footer, align in [
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ]:
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment == align
        assert {run.font.size for run in paragraph.runs} == {Pt(14)}
        instructions = [node.text.strip() for node in paragraph._p.iter(qn("w:instrText"))]
        assert instructions == ["PAGE"]
        kinds = [node.get(qn("w:fldCharType")) for node in paragraph._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        fonts = {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs}
        assert fonts == {"宋体"}
    footer_distance = section.footer_distance
    assert Mm(20) <= footer_distance <= Mm(28)


def test_html_looking_and_odd_text_renders_literally() -> None:
    doc = _document(
        title=ODD_TEXT,
        subtitle=ODD_TEXT,
        number_line=ODD_TEXT,
        issuer=ODD_TEXT,
        blocks=(
            Heading(ODD_TEXT),
            Paragraph(ODD_TEXT, lead=ODD_TEXT),
            Table((ODD_TEXT,), ((ODD_TEXT,),)),
        ),
    )
    word = Document(io.BytesIO(render_document(doc)))
    shown = ODD_TEXT.replace("\x00", "\ufffd").replace("\x0b", "\n")
    texts = [p.text for p in word.paragraphs]
    assert texts[:3] == [shown, shown, shown]  # title, number line, subtitle
    assert texts[-2] == shown  # the issuer
    assert shown in texts[3:] and shown + shown in texts  # heading; lead and text
    assert word.tables[0].cell(0, 0).text == shown and word.tables[0].cell(1, 0).text == shown
    assert word.core_properties.title == shown.replace("\n", " ")


def test_the_same_document_gives_the_same_bytes_dated_by_the_document(data: bytes) -> None:
    assert render_document(_document()) == data
    word = Document(io.BytesIO(data))
    assert word.core_properties.created.date() == date(2026, 11, 30)
    assert word.core_properties.modified.date() == date(2026, 11, 30)
    assert word.core_properties.author == "温暖二七领导小组办公室"
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert stamps == {(2026, 11, 30, 0, 0, 0)}


def test_a_document_without_blocks_issuer_or_subtitle_still_renders() -> None:
    word = Document(io.BytesIO(render_document(_document(blocks=(), issuer="", subtitle=""))))
    assert [p.text for p in word.paragraphs] == [
        "温暖二七领导小组办公室工作周通报",
        "2026年第12期",
        "",
        "",
        "2026年11月30日",
    ]


def test_the_font_table_names_substitutes_and_the_template_thumbnail_is_gone(data: bytes) -> None:
    fonts = {
        font.get(f"{W}name"): font.find(f"{W}altName").get(f"{W}val")
        for font in _xml(data, "word/fontTable.xml")
        if font.find(f"{W}altName") is not None
    }
    assert fonts["仿宋_GB2312"] == "仿宋" and fonts["楷体_GB2312"] == "楷体"
    assert {"黑体", "宋体", "方正小标宋简体"} <= set(fonts)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[0] == "[Content_Types].xml"
    assert not [name for name in names if "thumbnail" in name]
    assert b"thumbnail" not in zipfile.ZipFile(io.BytesIO(data)).read("_rels/.rels")


def test_properties_keep_the_schema_order_word_insists_on(data: bytes) -> None:
    for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
        assert out_of_order(_xml(data, part)) == [], part


def test_wordml_child_inserts_where_the_schema_wants() -> None:
    rpr = element("w:rPr")
    for tag in ("w:lang", "w:sz", "w:rFonts", "w:spacing", "w:b"):
        child(rpr, tag)
    assert [node.tag.split("}")[1] for node in rpr] == ["rFonts", "b", "spacing", "sz", "lang"]
    assert child(rpr, "w:sz", val="32") is rpr[3] and rpr[3].get(qn("w:val")) == "32"
    backwards = element("w:pPr")
    backwards.append(element("w:jc"))
    backwards.append(element("w:ind"))
    assert out_of_order(backwards) == [W + "pPr: ['jc', 'ind']"]


def test_a_thousand_row_table_keeps_every_row() -> None:
    rows = tuple((f"专项组{i}", "正常推进", f"{i % 101}%") for i in range(1000))
    doc = _document(blocks=(Table(("专项组", "状态", "进度"), rows),))
    (table,) = Document(io.BytesIO(render_document(doc))).tables
    assert len(table.rows) == 1001
    assert [cell.text for cell in table.rows[1000].cells] == ["专项组999", "正常推进", "90%"]


def test_documents_rendered_in_threads_are_the_same_as_one_by_one() -> None:
    docs = [_document(title=f"第{i}期通报", issuer="办公室" * (i + 1)) for i in range(4)]
    expected = [render_document(doc) for doc in docs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render_document, docs * 3)) == expected * 3
