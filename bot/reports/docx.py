"""Word documents in the national format for official documents, GB/T 9704-2012.

The office prints and files its bulletins and agendas; a document that does not look like
a 公文 gets retyped. What the standard fixes, and this module sets (clauses of GB/T 9704):

* §5.2.1 A4, §5.2.2 type area 156 × 225 mm with top margin 37 mm and left margin 28 mm,
  hence right 26 mm and bottom 35 mm; 22 lines of 28 characters in 3号 (16 pt): an exact
  line pitch of 28.95 pt (225 mm / 22, rounded to Word's twentieths of a point) and
  characters condensed by 0.25 pt (28 × 15.75 pt fit in 156 mm; 16 pt would give 27).
* §7.3.1 title in 2号 (22 pt) 小标宋 (方正小标宋简体), centred.
* §5.2.3 / §7.3.3 body in 3号 仿宋 (仿宋_GB2312), paragraphs indented two characters;
  headings 一、 in 黑体, （一） in 楷体 (楷体_GB2312), 1. and （1） in 仿宋.
* §7.3.5 issuer and date below the body, the date in Arabic numerals without padding
  ("2026年11月30日"), right-aligned four characters in, the issuer centred over it.
* §7.5 page numbers in 4号 (14 pt) half-width 宋体 digits between em dashes ("— 1 —"),
  odd pages right and even pages left, one character in from the edge.

The fonts are on the reader's machine, not in the file, so every run names its East Asian
font (``w:eastAsia``) besides the Latin one (``w:ascii``/``w:hAnsi``), with the East Asian
hint so that “quotes” and other shared punctuation take the Chinese face. Latin letters
and digits in the text are set in Times New Roman, as the offices' templates do (the
standard names no Latin face); the page number is 宋体 throughout, as §7.5 asks.

Paragraphs, runs and table rows are built from property elements made once per render
and copied (in the schema's child order, :mod:`bot.reports.wordml`): a bulletin for a
thousand groups has tens of thousands of cells, and python-docx's per-property setters
would take seconds for them.

Rendering is deterministic: core properties come from the document (``issued_on``), and
:func:`bot.reports.package.stable_zip` fixes the zip's entry times.
"""

from __future__ import annotations

import io
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree
from lxml.etree import _Element

from bot.reports.layout import Block, Heading, OfficialDocument, Paragraph, Table
from bot.reports.package import stable_zip, xml_text
from bot.reports.wordml import child, element, twips

# Fonts (named, not embedded: GB/T 9704 §5.2.3, §7.3).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN_FONT = "Times New Roman"
HEADING_FONTS = {1: HEITI, 2: KAITI, 3: BODY_FONT, 4: BODY_FONT}

# The font table tells Word what to substitute on a machine without a font: Windows 10
# and later ship 仿宋 and 楷体 but not their _GB2312 forms, few have 方正小标宋简体.
# (name, substitute, family, pitch); charset 86 is GB2312.
FONT_TABLE = (
    (BODY_FONT, "仿宋", "modern", "fixed"),
    (KAITI, "楷体", "modern", "fixed"),
    (HEITI, "SimHei", "modern", "fixed"),
    (SONGTI, "SimSun", "auto", "variable"),
    (TITLE_FONT, "宋体", "script", "fixed"),
)

# Sizes: 2号 22 pt, 3号 16 pt, 4号 14 pt. Tables use 小四 (12 pt): the standard sets no
# table size, and a five-column status table in 3号 would wrap almost every cell.
TITLE_PT = 22
BODY_PT = 16
PAGE_NUMBER_PT = 14
TABLE_PT = 12

LINE_PITCH_PT = 28.95  # 225 mm / 22 lines
TITLE_LINE_PT = 35  # a 2号 title needs more room than a body line
TABLE_LINE_PT = 20
CONDENSE_TWIPS = -5  # -0.25 pt per character: 28 characters per 156 mm line
INDENT_PT = 2 * BODY_PT  # two characters
DATE_RIGHT_PT = 4 * BODY_PT  # four characters in from the right (§7.3.5.1)
TYPE_AREA_WIDTH_MM = 156
LANGUAGE = "zh-CN"


def render_document(doc: OfficialDocument) -> bytes:
    """The document as ``.docx`` bytes; the same document always gives the same bytes."""
    word = Document()
    _set_page(word)
    # Footers before the body: python-docx looks for a preceding section through every
    # element of the body, which took a fifth of a thousand-group bulletin's time.
    _set_page_numbers(word)
    _set_defaults(word)
    _set_properties(word, doc)
    body = _Body(word.element.body)
    body.title_block(doc)
    for block in doc.blocks:
        body.block(block)
    body.signature(doc.issuer, doc.issued_on)
    _set_font_table(word)
    _drop_thumbnail(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return stable_zip(buffer.getvalue(), doc.issued_on)


# --- property elements, made once and copied ----------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a paragraph sits: alignment, indents and exact line height, in points."""

    align: str = "both"  # justified, as 公文 body text is
    first_line: float = 0
    left: float = 0
    right: float = 0
    line: float = LINE_PITCH_PT
    grid: bool = True  # off for tables and the footer: each line would take a body line
    outline: int | None = None  # heading level for Word's navigation pane
    keep_next: bool = False


BODY = Layout(first_line=INDENT_PT)
CENTRED = Layout(align="center")


@lru_cache(maxsize=256)  # bounded: the issuer's indent varies with its length
def paragraph_properties(layout: Layout) -> _Element:
    """``w:pPr`` for ``layout``; copy it before use (it is cached)."""
    ppr = element("w:pPr")
    if layout.keep_next:
        child(ppr, "w:keepNext")
    # No extra gap between Chinese and Latin or digits ("5,200 人次"): it would break the
    # 28-character line, and 公文 runs numbers into the text. Set on each paragraph as
    # well as on Normal, since LibreOffice and WPS do not all read it from the style.
    child(ppr, "w:autoSpaceDE", val="0")
    child(ppr, "w:autoSpaceDN", val="0")
    if not layout.grid:
        child(ppr, "w:snapToGrid", val="0")
    child(ppr, "w:spacing", before="0", after="0", line=twips(layout.line), lineRule="exact")
    child(ppr, "w:ind", left=twips(layout.left), right=twips(layout.right),
          firstLine=twips(layout.first_line))  # fmt: skip
    child(ppr, "w:jc", val=layout.align)
    if layout.outline is not None:
        child(ppr, "w:outlineLvl", val=str(layout.outline))
    return ppr


def set_fonts(rpr: _Element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the East Asian and the Latin font of a run or a style, without theme fonts
    (a theme font would win over the names), hinting East Asian so that “quotes” and
    other shared punctuation take the Chinese face."""
    fonts = child(rpr, "w:rFonts")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for name, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian),
                        ("cs", latin), ("hint", "eastAsia")):  # fmt: skip
        fonts.set(qn(f"w:{name}"), value)


@lru_cache(maxsize=64)
def run_properties(font: str, size: float, bold: bool = False) -> _Element:
    """``w:rPr`` naming both fonts and the size; copy it before use (it is cached)."""
    rpr = element("w:rPr")
    set_fonts(rpr, font, SONGTI if font == SONGTI else LATIN_FONT)
    if bold:
        child(rpr, "w:b")
    child(rpr, "w:sz", val=str(round(size * 2)))
    child(rpr, "w:szCs", val=str(round(size * 2)))
    return rpr


def add_paragraph(parent: _Element, layout: Layout, before: _Element | None = None) -> _Element:
    """A ``w:p`` at the end of ``parent`` (or before ``before``), laid out as ``layout``."""
    paragraph = element("w:p")
    paragraph.append(deepcopy(paragraph_properties(layout)))
    if before is not None:
        before.addprevious(paragraph)
    else:
        parent.append(paragraph)
    return paragraph


def add_run(
    paragraph: _Element, text: str, font: str, size: float, *, bold: bool = False
) -> _Element:
    """A run with its fonts and size set on the run itself (every run, as Word needs);
    newlines become line breaks, as python-docx's ``text`` makes them."""
    run = element("w:r")
    run.append(deepcopy(run_properties(font, size, bold)))
    set_run_text(run, text)
    paragraph.append(run)
    return run


_T = qn("w:t")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SPECIAL = frozenset("\t\n\r")  # what CT_R.text turns into elements of their own


def set_run_text(run: _Element, text: str) -> None:
    """The run's text after its properties, exactly as python-docx's ``CT_R.text`` writes
    it, which was half of a large table's time: plain text (nearly every cell) becomes one
    ``w:t`` directly (kept or made here); only text with tabs or line breaks takes the
    general path (``<w:tab/>``, ``<w:br/>``). ``run`` holds its ``w:rPr`` and at most an
    empty ``w:t`` (a template row's)."""
    text = xml_text(text)
    last = run[-1] if len(run) else None
    if text and _SPECIAL.isdisjoint(text):
        t = last if last is not None and last.tag == _T else etree.SubElement(run, _T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_XML_SPACE, "preserve")
        return
    if last is not None and last.tag == _T:
        run.remove(last)  # an empty text is a run of properties alone, as CT_R.text makes it
    if text:
        run.text = text  # CT_R.text: <w:t>, <w:br/> for "\n", <w:tab/> for "\t"


class _Body:
    """Appends the document's parts in order, each in its GB/T 9704 form."""

    def __init__(self, body: _Element) -> None:
        self.body = body
        self.end = body.find(qn("w:sectPr"))  # everything goes before the section

    def paragraph(self, layout: Layout) -> _Element:
        return add_paragraph(self.body, layout, before=self.end)

    def title_block(self, doc: OfficialDocument) -> None:
        title = self.paragraph(Layout(align="center", line=TITLE_LINE_PT))
        add_run(title, doc.title, TITLE_FONT, TITLE_PT)
        # The issue number under the title, as bulletins carry it (第N期 / 预览), then the
        # period; both centred in 3号 仿宋.
        for line in (doc.number_line, doc.subtitle):
            if line:
                add_run(self.paragraph(CENTRED), line, BODY_FONT, BODY_PT)
        self.paragraph(Layout())  # one empty line before the text (§7.3.2)

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 4)
            # An outline level lets Word's navigation pane list the headings without the
            # template's heading styles (whose theme fonts and colours are not 公文).
            layout = Layout(first_line=INDENT_PT, outline=level - 1, keep_next=True)
            add_run(self.paragraph(layout), block.text, HEADING_FONTS[level], BODY_PT)
        elif isinstance(block, Paragraph):
            paragraph = self.paragraph(BODY)
            if block.lead:
                add_run(paragraph, block.lead, BODY_FONT, BODY_PT, bold=True)
            add_run(paragraph, block.text, BODY_FONT, BODY_PT)
        elif isinstance(block, Table):
            self.end.addprevious(build_table(block))
            self.paragraph(Layout())  # a line after the table, before the text goes on
        else:
            raise TypeError(f"not a document block: {block!r}")

    def signature(self, issuer: str, issued_on: date) -> None:
        """Issuer and date (§7.3.5.1): the date four characters in, the issuer over it."""
        stamp = format_date(issued_on)
        self.paragraph(Layout())
        if issuer:
            shift = (_width_em(stamp) - _width_em(issuer)) / 2 * BODY_PT
            right = max(0, DATE_RIGHT_PT + shift)
            add_run(self.paragraph(Layout(align="right", right=right)), issuer, BODY_FONT, BODY_PT)
        add_run(self.paragraph(Layout(align="right", right=DATE_RIGHT_PT)), stamp, BODY_FONT,
                BODY_PT)  # fmt: skip


def format_date(day: date) -> str:
    """ "2026年11月30日": Arabic numerals, month and day not padded (§7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _width_em(text: str) -> float:
    """Printed width in characters: digits and Latin letters are half-width."""
    return sum(0.5 if ord(char) < 0x2E80 else 1.0 for char in text)


# --- tables ------------------------------------------------------------------------------

HEADER_CELL = Layout(align="center", line=TABLE_LINE_PT, grid=False)
BODY_CELL = Layout(align="left", line=TABLE_LINE_PT, grid=False)


def column_widths(relative: tuple[float, ...] | None, columns: int) -> list[int]:
    """Column widths in twips filling the type area; missing or bad weights share it."""
    weights = list(relative or ())[:columns]
    weights += [sum(weights) / len(weights) if weights else 1.0] * (columns - len(weights))
    if any(weight <= 0 for weight in weights):
        weights = [1.0] * columns
    area = Mm(TYPE_AREA_WIDTH_MM).twips
    return [round(area * weight / sum(weights)) for weight in weights]


def build_table(table: Table) -> _Element:
    """A bordered table filling the type area; its header row repeats on every page."""
    columns = max([len(table.header), *(len(row) for row in table.rows)]) or 1
    widths = column_widths(table.widths, columns)
    grid = element("w:tbl")
    properties = child(grid, "w:tblPr")
    child(properties, "w:tblW", w=str(sum(widths)), type="dxa")
    child(properties, "w:jc", val="center")
    borders = child(properties, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(element(f"w:{side}", val="single", sz="4", space="0", color="000000"))
    child(properties, "w:tblLayout", type="fixed")
    columns_element = child(grid, "w:tblGrid")
    for width in widths:
        columns_element.append(element("w:gridCol", w=str(width)))
    header = _row(widths, header=True)
    _fill(header, table.header)
    grid.append(header)
    template = _row(widths, header=False)
    for values in table.rows:
        row = deepcopy(template)
        _fill(row, values)
        grid.append(row)
    return grid


def _row(widths: list[int], *, header: bool) -> _Element:
    """A row to fill: kept on one page; ``w:tblHeader`` makes Word repeat a header row.
    Each cell's paragraph already holds its run (fonts, size, an empty ``w:t``): copying
    a whole row once is far cheaper than building a run per cell."""
    row = element("w:tr")
    properties = child(row, "w:trPr")
    child(properties, "w:cantSplit", val="true")
    if header:
        child(properties, "w:tblHeader", val="true")
    for width in widths:
        cell = element("w:tc")
        cell_properties = child(cell, "w:tcPr")
        child(cell_properties, "w:tcW", w=str(width), type="dxa")
        child(cell_properties, "w:vAlign", val="center")
        paragraph = add_paragraph(cell, HEADER_CELL if header else BODY_CELL)
        run = add_run(paragraph, "", HEITI if header else BODY_FONT, TABLE_PT)
        run.append(element("w:t"))
        row.append(cell)
    return row


def _fill(row: _Element, values: tuple[str, ...]) -> None:
    """Each cell its value; a cell beyond the values keeps an empty paragraph (no run)."""
    for index, cell in enumerate(row.iterchildren(_TC)):
        paragraph = cell[-1]
        if index < len(values):
            set_run_text(paragraph[-1], str(values[index]))
        else:
            paragraph.remove(paragraph[-1])


_TC = qn("w:tc")


# --- page, defaults, properties, page numbers -------------------------------------------


def _set_page(word: Document) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # §7.5: the page number line sits 7 mm below the type area: its bottom is then about
    # 35 - 7 - 5 (one 14 pt line) = 23 mm above the paper's edge.
    section.footer_distance = Mm(23)
    # A line grid of 28.95 pt (22 lines). No character grid: LibreOffice and WPS snap
    # characters to it differently from Word (bold or 2号 text takes two cells), while the
    # condensed spacing of Normal gives 28 characters a line in all of them.
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), twips(LINE_PITCH_PT))


def _set_defaults(word: Document) -> None:
    """Normal and the document defaults in 3号 仿宋, zh-CN, no theme fonts anywhere."""
    styles = word.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
    defaults = styles.find(qn("w:docDefaults"))
    normal = word.styles["Normal"].element
    for rpr in (defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}"), child(normal, "w:rPr")):
        set_fonts(rpr, BODY_FONT)
        child(rpr, "w:spacing", val=str(CONDENSE_TWIPS))
        child(rpr, "w:sz", val=str(BODY_PT * 2))
        child(rpr, "w:szCs", val=str(BODY_PT * 2))
        child(rpr, "w:lang", val=LANGUAGE, eastAsia=LANGUAGE)
    for ppr in (defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}"), child(normal, "w:pPr")):
        child(ppr, "w:widowControl", val="0")  # a widow line would break the 22-line page
        child(ppr, "w:autoSpaceDE", val="0")
        child(ppr, "w:autoSpaceDN", val="0")
        child(ppr, "w:spacing", before="0", after="0", line=twips(LINE_PITCH_PT),
              lineRule="exact")  # fmt: skip


def _set_properties(word: Document, doc: OfficialDocument) -> None:
    """Fixed metadata from the document itself, so a rebuild is the same file."""
    moment = datetime.combine(doc.issued_on, time())
    props = word.core_properties
    props.title = _property(doc.title)
    props.subject = _property(doc.subtitle)
    props.author = _property(doc.issuer)
    props.last_modified_by = _property(doc.issuer)
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.language = LANGUAGE
    props.revision = 1
    props.created = moment
    props.modified = moment
    props.last_printed = moment


def _property(text: str) -> str:
    """Core properties hold at most 255 characters (python-docx enforces it)."""
    return xml_text(text).replace("\n", " ")[:255]


def _set_font_table(word: Document) -> None:
    """Our fonts, with their substitutes, instead of the template's Japanese and Latin ones."""
    fonts = element("w:fonts")
    latin = element("w:font", name=LATIN_FONT)
    for tag, value in (("w:charset", "00"), ("w:family", "roman"), ("w:pitch", "variable")):
        latin.append(element(tag, val=value))
    fonts.append(latin)
    for name, substitute, family, pitch in FONT_TABLE:
        font = element("w:font", name=name)
        for tag, value in (("w:altName", substitute), ("w:charset", "86"),
                           ("w:family", family), ("w:pitch", pitch)):  # fmt: skip
            font.append(element(tag, val=value))
        fonts.append(font)
    part = word.part.part_related_by(RT.FONT_TABLE)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_thumbnail(word: Document) -> None:
    """The template's thumbnail shows somebody else's page in the file manager."""
    package = word.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]


def _set_page_numbers(word: Document) -> None:
    """ "— 1 —" in 14 pt 宋体 (§7.5): odd pages right, even pages left, one character in
    (空一字: one 4号 character)."""
    word.settings.odd_and_even_pages_header_footer = True
    section = word.sections[0]
    line = PAGE_NUMBER_PT * 1.3
    odd = Layout(align="right", right=PAGE_NUMBER_PT, line=line, grid=False)
    even = Layout(align="left", left=PAGE_NUMBER_PT, line=line, grid=False)
    for footer, layout in ((section.footer, odd), (section.even_page_footer, even)):
        footer_element = footer._element
        for old in footer_element.findall(qn("w:p")):
            footer_element.remove(old)
        paragraph = add_paragraph(footer_element, layout)
        add_run(paragraph, "— ", SONGTI, PAGE_NUMBER_PT)
        _field(paragraph, "PAGE", "1")
        add_run(paragraph, " —", SONGTI, PAGE_NUMBER_PT)


def _field(paragraph: _Element, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end), all runs styled."""
    for mark in ("begin", "instruction", "separate", "result", "end"):
        run = add_run(paragraph, placeholder if mark == "result" else "", SONGTI, PAGE_NUMBER_PT)
        if mark == "instruction":
            code = element("w:instrText")
            code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            code.text = f" {instruction} "
            run.append(code)
        elif mark != "result":
            run.append(element("w:fldChar", fldCharType=mark))
