"""``lihui report`` on eight weeks of ``lihui sample`` data: every format for the last week.

The Markdown runs everywhere; PNG, Word and Excel need the renderer modules
(``bot.reports.charts``, ``.docx``, ``.xlsx``) and run wherever they are installed.
"""

from __future__ import annotations

import io
import shutil
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import clock
from bot.cli import main
from tests.databases import sample_sqlite

# Tuesday 2026-12-01 in Shanghai: the sample's last full week is 2026-W48.
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CHAT = "-4242"
WEEK = "2026-W48"


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``lihui sample --weeks 8`` once per module; each test works on a copy."""
    return sample_sqlite(tmp_path_factory.mktemp("sample"), CHAT, 8, NOW)


@pytest.fixture
def sample(
    sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    shutil.copyfile(sample_template, tmp_path / "cli.sqlite3")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("LIHUI_LOCALE", "zh-CN")
    clock.set_clock(clock.FixedClock(NOW))
    yield tmp_path
    clock.set_clock(None)


def report(sample: Path, fmt: str, kind: str = "bulletin", *extra: str) -> Path:
    out = sample / f"{kind}.{fmt}"
    argv = ["report", "--chat", CHAT, "--period", WEEK, "--kind", kind, "--format", fmt]
    assert main([*argv, "--out", str(out), *extra]) == 0
    return out


def test_markdown_of_the_bulletin_and_the_agenda(sample: Path) -> None:
    bulletin = report(sample, "md").read_text(encoding="utf-8")
    assert bulletin.startswith("# 工作周通报 · 预览\n")
    assert "2026年第48周（11月23日—11月29日）" in bulletin
    for heading in ("一、填报情况", "二、工作进展", "三、重点指标", "四、存在问题", "五、议定事项"):
        assert f"## {heading}" in bulletin
    assert "按时报送率" in bulletin and "（示例）" in bulletin
    agenda = report(sample, "md", "agenda").read_text(encoding="utf-8")
    assert agenda.startswith("# 工作例会议程\n")
    positions = [agenda.index(f"## {h}") for h in ("一、", "二、", "三、", "四、")]
    assert positions == sorted(positions)
    english = report(sample, "md", "agenda", "--locale", "en").read_text(encoding="utf-8")
    assert english.startswith("# Working meeting agenda\n")


def test_bad_arguments_get_one_line(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(sample / "x.md")
    assert (
        main(["report", "--chat", CHAT, "--period", "2026-W99", "--format", "md", "--out", out])
        == 2
    )
    assert "不存在第99周" in capsys.readouterr().err
    assert main(["report", "--chat", "-1", "--period", WEEK, "--format", "md", "--out", out]) == 1
    assert "没有对应的工作区" in capsys.readouterr().err


def test_png(sample: Path) -> None:
    data = report(sample, "png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = struct.unpack(">I", data[16:20])[0]
    assert width >= 1200


def test_docx(sample: Path) -> None:
    docx = pytest.importorskip("docx")
    for kind, title in (("bulletin", "工作周通报"), ("agenda", "工作例会议程")):
        document = docx.Document(io.BytesIO(report(sample, "docx", kind).read_bytes()))
        texts = "\n".join(p.text for p in document.paragraphs)
        assert title in texts
        assert "2026年第48周" in texts
    bulletin = docx.Document(io.BytesIO((sample / "bulletin.docx").read_bytes()))
    assert "预览" in "\n".join(p.text for p in bulletin.paragraphs)
    assert len(bulletin.tables) >= 2  # status and indicators


def test_xlsx(sample: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(report(sample, "xlsx").read_bytes()))
    assert book.sheetnames == ["概览", "填报情况", "重点指标", "存在问题", "议定事项"]
    reporting = book["填报情况"]
    assert reporting["A1"].value == "序号" and reporting["B1"].value == "专项组"
    assert reporting.max_row == 14  # the header and 13 groups
    assert isinstance(reporting["A2"].value, int)
    indicators = book["重点指标"]
    assert isinstance(indicators["E2"].value, int | float)
