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

Rendering is deterministic: core properties come from the document (``issued_on``), and
:func:`bot.reports.package.stable_zip` fixes the zip's entry times.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from bot.reports.layout import Block, Heading, OfficialDocument, Paragraph, Table
from bot.reports.package import stable_zip, xml_text

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
    _set_defaults(word)
    _set_properties(word, doc)
    body = _Body(word)
    body.title_block(doc)
    for block in doc.blocks:
        body.block(block)
    body.signature(doc.issuer, doc.issued_on)
    _set_page_numbers(word)
    _set_font_table(word)
    _drop_thumbnail(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return stable_zip(buffer.getvalue(), doc.issued_on)


# --- runs and paragraphs -----------------------------------------------------------------


def set_fonts(rpr_owner: Run | object, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the East Asian and the Latin font of a run (or a style's run properties)."""
    rpr = rpr_owner._element.get_or_add_rPr() if isinstance(rpr_owner, Run) else rpr_owner
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names below
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def add_run(
    paragraph: DocxParagraph, text: str, font: str, size: float, *, bold: bool = False
) -> Run:
    """A run with its fonts and size set on the run itself (every run, as Word needs)."""
    run = paragraph.add_run(xml_text(text))
    set_fonts(run, font, SONGTI if font == SONGTI else LATIN_FONT)
    run.font.size = Pt(size)
    run.font.bold = True if bold else None  # inherit, rather than write <w:b w:val="0"/>
    _child(run._element.get_or_add_rPr(), "w:szCs").set(qn("w:val"), str(round(size * 2)))
    return run


def _child(parent: object, tag: str) -> object:
    """The child ``tag`` of an XML element, created if missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


def _format(
    paragraph: DocxParagraph,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_line: float = 0,
    left: float = 0,
    right: float = 0,
    line: float = LINE_PITCH_PT,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(first_line)
    fmt.left_indent = Pt(left)
    fmt.right_indent = Pt(right)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    _no_auto_space(paragraph._p.get_or_add_pPr())


def _no_auto_space(ppr: object) -> None:
    """No extra gap between Chinese and Latin or digits ("5,200 人次"): it would break the
    28-character line, and 公文 runs numbers into the text. Set on each paragraph as well
    as on Normal, since LibreOffice and WPS do not all read it from the style."""
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        _child(ppr, tag).set(qn("w:val"), "0")


class _Body:
    """Appends the document's parts in order, each in its GB/T 9704 form."""

    def __init__(self, word: Document) -> None:
        self.word = word

    def paragraph(self) -> DocxParagraph:
        return self.word.add_paragraph()

    def title_block(self, doc: OfficialDocument) -> None:
        title = self.paragraph()
        _format(title, align=WD_ALIGN_PARAGRAPH.CENTER, line=TITLE_LINE_PT)
        add_run(title, doc.title, TITLE_FONT, TITLE_PT)
        # The issue number under the title, as bulletins carry it (第N期 / 预览), then the
        # period; both centred in 3号 仿宋.
        for line in (doc.number_line, doc.subtitle):
            if line:
                centred = self.paragraph()
                _format(centred, align=WD_ALIGN_PARAGRAPH.CENTER)
                add_run(centred, line, BODY_FONT, BODY_PT)
        self.blank()  # one empty line between the title block and the text (§7.3.2)

    def blank(self) -> None:
        _format(self.paragraph())

    def block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Paragraph):
            self.text(block)
        elif isinstance(block, Table):
            self.table(block)
        else:
            raise TypeError(f"not a document block: {block!r}")

    def heading(self, heading: Heading) -> None:
        level = min(max(heading.level, 1), 4)
        paragraph = self.paragraph()
        _format(paragraph, first_line=INDENT_PT)
        paragraph.paragraph_format.keep_with_next = True
        # An outline level lets Word's navigation pane list the headings without the
        # template's heading styles (whose theme fonts and colours are not 公文).
        _child(paragraph._p.get_or_add_pPr(), "w:outlineLvl").set(qn("w:val"), str(level - 1))
        add_run(paragraph, heading.text, HEADING_FONTS[level], BODY_PT)

    def text(self, block: Paragraph) -> None:
        paragraph = self.paragraph()
        _format(paragraph, first_line=INDENT_PT)
        if block.lead:
            add_run(paragraph, block.lead, BODY_FONT, BODY_PT, bold=True)
        add_run(paragraph, block.text, BODY_FONT, BODY_PT)

    def table(self, table: Table) -> None:
        columns = max([len(table.header), *(len(row) for row in table.rows)]) or 1
        widths = _column_widths(table.widths, columns)
        grid = self.word.add_table(rows=1 + len(table.rows), cols=columns)
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        _table_borders(grid)
        for index, width in enumerate(widths):
            grid.columns[index].width = width
        header = grid.rows[0]
        _repeat_header(header)
        for index, cell in enumerate(header.cells):
            _cell(cell, _at(table.header, index), widths[index], HEITI, header=True)
        for row, values in zip(grid.rows[1:], table.rows, strict=True):
            _cant_split(row)
            for index, cell in enumerate(row.cells):
                _cell(cell, _at(values, index), widths[index], BODY_FONT)
        self.blank()  # a line after the table, before the text goes on

    def signature(self, issuer: str, issued_on: date) -> None:
        """Issuer and date (§7.3.5.1): the date four characters in, the issuer over it."""
        stamp = format_date(issued_on)
        self.blank()
        if issuer:
            shift = (_width_em(stamp) - _width_em(issuer)) / 2 * BODY_PT
            paragraph = self.paragraph()
            _format(paragraph, align=WD_ALIGN_PARAGRAPH.RIGHT, right=max(0, DATE_RIGHT_PT + shift))
            add_run(paragraph, issuer, BODY_FONT, BODY_PT)
        paragraph = self.paragraph()
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.RIGHT, right=DATE_RIGHT_PT)
        add_run(paragraph, stamp, BODY_FONT, BODY_PT)


def format_date(day: date) -> str:
    """ "2026年11月30日": Arabic numerals, month and day not padded (§7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _width_em(text: str) -> float:
    """Printed width in characters: digits and Latin letters are half-width."""
    return sum(0.5 if ord(char) < 0x2E80 else 1.0 for char in text)


def _at(values: tuple[str, ...], index: int) -> str:
    return str(values[index]) if index < len(values) else ""


# --- tables ------------------------------------------------------------------------------


def _column_widths(relative: tuple[float, ...] | None, columns: int) -> list[Mm]:
    """Column widths filling the type area; missing or bad weights share it equally."""
    weights = list(relative or ())[:columns]
    weights += [sum(weights) / len(weights) if weights else 1.0] * (columns - len(weights))
    if any(weight <= 0 for weight in weights):
        weights = [1.0] * columns
    total = sum(weights)
    return [Mm(TYPE_AREA_WIDTH_MM * weight / total) for weight in weights]


def _table_borders(grid: object) -> None:
    """Single lines all round and inside, set on the table so no template style is needed."""
    properties = grid._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    properties.append(borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)


def _repeat_header(row: object) -> None:
    """``w:tblHeader``: Word repeats this row at the top of every page the table spans."""
    _cant_split(row)
    _child(row._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "true")


def _cant_split(row: object) -> None:
    _child(row._tr.get_or_add_trPr(), "w:cantSplit").set(qn("w:val"), "true")


def _cell(cell: _Cell, text: str, width: Mm, font: str, *, header: bool = False) -> None:
    cell.width = width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    _format(
        paragraph,
        align=WD_ALIGN_PARAGRAPH.CENTER if header else WD_ALIGN_PARAGRAPH.LEFT,
        line=TABLE_LINE_PT,
    )
    # Off the document grid, or every table line would take a full 28.95 pt body line.
    _child(paragraph._p.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")
    lines = text.split("\n")
    for number, line in enumerate(lines):
        run = add_run(paragraph, line, font, TABLE_PT)
        if number < len(lines) - 1:
            run.add_break()


# --- page, defaults, properties, page numbers -------------------------------------------


def _set_page(word: Document) -> None:
    section = word.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # §7.5: the page number line sits 7 mm below the type area: its bottom is then about
    # 35 - 7 - 5 (one 14 pt line) = 23 mm above the paper's edge.
    section.footer_distance = Mm(23)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # A line grid of 28.95 pt (22 lines). No character grid: LibreOffice and WPS snap
    # characters to it differently from Word (bold or 2号 text takes two cells), while the
    # condensed spacing of Normal gives 28 characters a line in all of them.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)


def _set_defaults(word: Document) -> None:
    """Normal and the document defaults in 3号 仿宋, zh-CN, no theme fonts anywhere."""
    styles = word.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
    defaults = styles.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    normal = word.styles["Normal"]
    for rpr in (default_rpr, normal.element.get_or_add_rPr()):
        set_fonts(rpr, BODY_FONT)
        _child(rpr, "w:sz").set(qn("w:val"), str(BODY_PT * 2))
        _child(rpr, "w:szCs").set(qn("w:val"), str(BODY_PT * 2))
        _child(rpr, "w:spacing").set(qn("w:val"), str(CONDENSE_TWIPS))
        language = _child(rpr, "w:lang")
        language.set(qn("w:val"), LANGUAGE)
        language.set(qn("w:eastAsia"), LANGUAGE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False  # a widow line would break the 22-line page
    _no_auto_space(normal.element.get_or_add_pPr())
    default_ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = _child(default_ppr, "w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(round(LINE_PITCH_PT * 20)))
    spacing.set(qn("w:lineRule"), "exact")


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
    part = word.part.part_related_by(RT.FONT_TABLE)
    fonts = OxmlElement("w:fonts")
    latin = OxmlElement("w:font")
    latin.set(qn("w:name"), LATIN_FONT)
    for tag, value in (("w:charset", "00"), ("w:family", "roman"), ("w:pitch", "variable")):
        _child(latin, tag).set(qn("w:val"), value)
    fonts.append(latin)
    for name, substitute, family, pitch in FONT_TABLE:
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", substitute), ("w:charset", "86"),
                           ("w:family", family), ("w:pitch", pitch)):  # fmt: skip
            _child(font, tag).set(qn("w:val"), value)
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_thumbnail(word: Document) -> None:
    """The template's thumbnail shows somebody else's page in the file manager."""
    package = word.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]


def _set_page_numbers(word: Document) -> None:
    """ "— 1 —" in 14 pt 宋体 (§7.5): odd pages right, even pages left, one character in."""
    word.settings.odd_and_even_pages_header_footer = True
    section = word.sections[0]
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph: DocxParagraph, align: WD_ALIGN_PARAGRAPH) -> None:
    inset = PAGE_NUMBER_PT  # 空一字: one 4号 character
    _format(
        paragraph,
        align=align,
        left=inset if align == WD_ALIGN_PARAGRAPH.LEFT else 0,
        right=inset if align == WD_ALIGN_PARAGRAPH.RIGHT else 0,
        line=PAGE_NUMBER_PT * 1.3,
    )
    _child(paragraph._p.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")
    add_run(paragraph, "— ", SONGTI, PAGE_NUMBER_PT)
    _field(paragraph, "PAGE", "1")
    add_run(paragraph, " —", SONGTI, PAGE_NUMBER_PT)


def _field(paragraph: DocxParagraph, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end), all runs styled."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("result", placeholder), ("end", None)):  # fmt: skip
        run = add_run(paragraph, text if kind == "result" else "", SONGTI, PAGE_NUMBER_PT)
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._element.append(code)
        elif kind in ("begin", "separate", "end"):
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._element.append(mark)
