"""``lihui assess``, ``lihui ranking`` and ``lihui monthly`` on ``lihui sample --weeks 26`` data.

The clock is fixed at Saturday 2026-11-28, so the sample's 26 weeks are W22–W47 and the
second half of 2026 has weeks W27–W48 past their deadline (W48 with no sample data).
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from bot.cli import main
from bot.sample import sample_roster
from tests.conftest import FROZEN_NOW
from tests.databases import sample_sqlite

pytestmark = pytest.mark.usefixtures("frozen_clock")

CHAT = "-7700"
GROUP_NAMES = [g.name for g in sample_roster()]


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``lihui sample --weeks 26`` once per module (about 1.5 s); each test reads a copy."""
    return sample_sqlite(tmp_path_factory.mktemp("sample"), CHAT, 26, FROZEN_NOW)


@pytest.fixture
def sample_db(sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copyfile(sample_template, tmp_path / "cli.sqlite3")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("LIHUI_LOCALE", "zh-CN")
    monkeypatch.setenv("LIHUI_LOG_LEVEL", "WARNING")
    return tmp_path


def assess(directory: Path, fmt: str, *extra: str) -> bytes:
    out = directory / f"assessment.{fmt}"
    span = list(extra) or ["--from", "2026-07", "--to", "2026-12"]
    assert main(["assess", "--chat", CHAT, *span, "--format", fmt, "--out", str(out)]) == 0
    return out.read_bytes()


def test_markdown_ranks_every_group_with_each_components_raw_numbers(sample_db: Path) -> None:
    text = assess(sample_db, "md").decode()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "示例" in line]
    assert len(rows) == 13
    assert sorted(name for row in rows for name in GROUP_NAMES if f"| {name} |" in row) == sorted(
        GROUP_NAMES
    )
    ranks = [int(re.match(r"\| (\d+)", row).group(1)) for row in rows]  # type: ignore[union-attr]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for row in rows:
        # on-time weeks out of at most the 22 due (W27–W48: Friday 27th was the last deadline)
        on_time = re.search(r"\| (\d+)/(\d+)周", row)
        assert on_time and int(on_time.group(1)) <= int(on_time.group(2)) <= 22, row
        assert row.count("满分") + row.count("无（不计分）") == 4, row
    assert "评分规则" in text


def test_the_year_ranking_has_the_shortlist(sample_db: Path) -> None:
    text = assess(sample_db, "md", "--year", "2026").decode()
    assert "2026年度专项组评优结果" in text
    shortlist = re.search(r"拟表彰名单（前3名）：(.+)", text)
    assert shortlist and len(shortlist.group(1).split("、")) >= 3
    out = sample_db / "ranking.md"
    assert main(["ranking", "--chat", CHAT, "--year", "2026", "--out", str(out)]) == 0
    assert out.read_text() == text


def test_word_document_lists_every_group(sample_db: Path) -> None:
    data = assess(sample_db, "docx")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert all(name in xml for name in GROUP_NAMES)
    assert "按时报送" in xml and "/22周" in xml


def test_workbook_has_the_ranking_and_the_raw_numbers(sample_db: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(assess(sample_db, "xlsx")))
    ranking = list(book["考核排名"].iter_rows(values_only=True))
    assert len(ranking) == 14 and {row[3] for row in ranking[1:]} == set(GROUP_NAMES)
    details = list(book["得分明细"].iter_rows(values_only=True))
    assert len(details) == 1 + 13 * 4  # every group, every component, with its numbers


def test_chart_is_a_png(sample_db: Path) -> None:
    assert assess(sample_db, "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_the_monthly_summary(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = sample_db / "monthly.md"
    assert main(["monthly", "--chat", CHAT, "--month", "2026-11", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# 2026年11月工作总结")
    assert "第45周至第48周" in text and all(name in text for name in GROUP_NAMES)
    capsys.readouterr()
    assert main(["monthly", "--chat", CHAT, "--month", "2026-13", "--out", str(out)]) == 1
    assert "无法识别的月份“2026-13”" in capsys.readouterr().err
    assert main(["assess", "--chat", "-1", "--year", "2026", "--out", str(out)]) == 1
