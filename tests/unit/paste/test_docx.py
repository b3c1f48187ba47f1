"""Which sent files are read as a report, and which one line refuses the others."""

from __future__ import annotations

import io

from docx import Document

from bot.paste.docx import MAX_BYTES, TOO_BIG, UNREADABLE, WRONG_TYPE, read_report


def report_docx(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "服务人次"
    table.rows[0].cells[1].text = "320"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class Fetch:
    """The file's bytes, counting how often they were fetched."""

    def __init__(self, data: bytes) -> None:
        self.data, self.calls = data, 0

    async def __call__(self) -> bytes:
        self.calls += 1
        return self.data


async def test_a_word_file_gives_its_paragraphs_and_table_rows_in_order() -> None:
    fetch = Fetch(report_docx("一、本周工作完成情况", "1. 走访企业12家"))
    read = await read_report("周报.docx", None, None, fetch)
    assert read.refusal == ""
    assert read.text == "一、本周工作完成情况\n1. 走访企业12家\n服务人次；320"


async def test_another_kind_of_file_is_refused_without_downloading_it() -> None:
    fetch = Fetch(b"%PDF-1.7")
    assert await read_report("周报.pdf", "application/pdf", 8, fetch) == WRONG_TYPE
    assert fetch.calls == 0


async def test_a_file_declared_too_big_is_refused_without_downloading_it() -> None:
    fetch = Fetch(b"")
    assert await read_report("周报.docx", None, MAX_BYTES + 1, fetch) == TOO_BIG
    assert fetch.calls == 0


async def test_a_file_bigger_than_it_said_is_refused_after_the_download() -> None:
    fetch = Fetch(b"0" * (MAX_BYTES + 1))
    assert await read_report("周报.docx", None, 10, fetch) == TOO_BIG
    assert fetch.calls == 1


async def test_a_broken_or_empty_word_file_is_unreadable() -> None:
    assert await read_report("坏.docx", None, 9, Fetch(b"not a zip")) == UNREADABLE
    empty = Document()
    buffer = io.BytesIO()
    empty.save(buffer)
    assert await read_report("空.docx", None, None, Fetch(buffer.getvalue())) == UNREADABLE


async def test_the_mime_type_alone_is_enough_when_the_name_has_no_extension() -> None:
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    read = await read_report("周报", mime, None, Fetch(report_docx("本周完成：培训2场")))
    assert read.text.startswith("本周完成：培训2场")
