"""``lihui audit export`` and ``lihui workspace purge`` on a real SQLite database."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from bot.roster import RosterGroup, apply_roster
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditLog, TaskGroup, Workspace
from tests.databases import sqlite_url

CHAT = -100123
OTHER = -100456


async def two_offices(url: str) -> None:
    database = Database(url)
    await upgrade(database)
    async with database.session() as session:
        await apply_roster(
            session, CHAT, [RosterGroup("就业援助组", "EMP", duties="=HYPERLINK(1)")]
        )
        await apply_roster(session, OTHER, [RosterGroup("别的组", "OTH")])
    async with database.session() as session:
        await apply_roster(
            session, CHAT, [RosterGroup("就业援助组", "EMP", responsible_unit="区人社局")]
        )
    await database.dispose()


async def counts(url: str) -> tuple[int, int, int]:
    database = Database(url)
    async with database.session() as session:
        result = (
            await session.scalar(select(func.count()).select_from(Workspace)),
            await session.scalar(select(func.count()).select_from(TaskGroup)),
            await session.scalar(select(func.count()).select_from(AuditLog)),
        )
    await database.dispose()
    return tuple(int(n or 0) for n in result)  # type: ignore[return-value]


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database_url = sqlite_url(tmp_path)
    asyncio.run(two_offices(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAEhBOweik9ai2o4GJFI8n_example-token")
    monkeypatch.setenv("LIHUI_LOCALE", "zh-CN")
    return database_url


def test_audit_export_writes_one_office_to_csv(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.csv"
    assert main(["audit", "export", "--chat", str(CHAT), str(path)]) == 0
    assert "2 条" in capsys.readouterr().out
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["id", "created_at", "workspace_id", "person", "action"]
    assert [row[4] for row in rows[1:]] == ["roster.import", "roster.import"]
    assert "别的组" not in path.read_text(encoding="utf-8-sig")  # the other office's rows
    assert "区人社局" in rows[2][6] and "区人社局" not in rows[2][5]  # after, not before
    assert "AAEhBOweik9ai2o4GJFI8n" not in path.read_text(encoding="utf-8-sig")


def test_audit_export_to_xlsx_defuses_formulas(url: str, tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    assert main(["audit", "export", "--chat", str(CHAT), str(path)]) == 0
    sheet = load_workbook(path).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3
    assert all(not str(v).startswith("=") for row in values for v in row if v is not None)


def test_audit_export_refuses_other_extensions_and_unknown_chats(url: str, tmp_path: Path) -> None:
    assert main(["audit", "export", "--chat", str(CHAT), str(tmp_path / "a.txt")]) == 2
    assert main(["audit", "export", "--chat", "42", str(tmp_path / "a.csv")]) == 1


def test_purge_asks_for_yes_and_then_deletes_one_office(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["workspace", "purge", "--chat", str(CHAT)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert asyncio.run(counts(url)) == (2, 2, 3)
    assert main(["workspace", "purge", "--chat", str(CHAT), "--yes"]) == 0
    assert asyncio.run(counts(url)) == (1, 1, 1)  # the other office is untouched
    assert main(["workspace", "purge", "--chat", str(CHAT), "--yes"]) == 1
