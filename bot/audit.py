"""The audit log: who changed what, when, in which workspace, with before and after.

Every change an office must be able to account for goes through :func:`record`, in the
same transaction as the change itself, so a change and its entry commit or vanish together.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Person


def record(
    session: AsyncSession,
    *,
    action: str,
    now: datetime,
    workspace_id: int | None,
    person_id: int | None,
    before: Any = None,
    after: Any = None,
    **details: Any,
) -> AuditLog:
    """Add one entry; ``before``/``after`` are JSON-able values (dicts, strings, numbers)."""
    entry = AuditLog(
        workspace_id=workspace_id,
        person_id=person_id,
        action=action,
        details={"before": before, "after": after, **details},
        created_at=now,
    )
    session.add(entry)
    return entry


# --- reading it back: /audit and ``lihui audit export`` ------------------------------------

PAGE_SIZE = 10
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "workspace_id",
    "person",
    "action",
    "before",
    "after",
    "details",
)


async def recent(
    session: AsyncSession, workspace_id: int, page: int, size: int = PAGE_SIZE
) -> tuple[list[tuple[AuditLog, Person | None]], int]:
    """One page of the workspace's entries, newest first, and how many entries there are.

    Scoped by ``workspace_id`` in the query itself: no page can show another office's rows.
    """
    total = await session.scalar(
        select(func.count(AuditLog.id)).where(AuditLog.workspace_id == workspace_id)
    )
    rows = await session.execute(
        select(AuditLog, Person)
        .outerjoin(Person, Person.id == AuditLog.person_id)
        .where(AuditLog.workspace_id == workspace_id)
        .order_by(AuditLog.id.desc())
        .offset(max(page, 0) * size)
        .limit(size)
    )
    return [(entry, person) for entry, person in rows.all()], int(total or 0)


def compact(value: Any, limit: int = 120) -> str:
    """A value as one short line of JSON (for chat lines and spreadsheet cells)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def export_rows(entries: list[tuple[AuditLog, Person | None]]) -> list[list[str]]:
    """Rows for a CSV or XLSX file, in :data:`EXPORT_COLUMNS` order."""
    rows = []
    for entry, person in entries:
        details = dict(entry.details or {})
        before, after = details.pop("before", None), details.pop("after", None)
        who = ""
        if person is not None:
            who = person.display_name or (f"@{person.username}" if person.username else "")
            who = who or str(person.telegram_user_id or person.id)
        rows.append(
            [
                str(entry.id),
                entry.created_at.isoformat(),
                str(entry.workspace_id or ""),
                who,
                entry.action,
                compact(before, 10_000),
                compact(after, 10_000),
                compact(details, 10_000),
            ]
        )
    return rows


async def all_entries(
    session: AsyncSession, workspace_id: int
) -> list[tuple[AuditLog, Person | None]]:
    rows = await session.execute(
        select(AuditLog, Person)
        .outerjoin(Person, Person.id == AuditLog.person_id)
        .where(AuditLog.workspace_id == workspace_id)
        .order_by(AuditLog.id)
    )
    return [(entry, person) for entry, person in rows.all()]


def _cell(text: str) -> str:
    """A cell Excel will not run: the log holds people's text, and ``=...`` is a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def write_export(path: Path, rows: list[list[str]]) -> None:
    """CSV (UTF-8 with a byte-order mark, which Excel needs) or XLSX, by the extension."""
    rows = [[_cell(cell) for cell in row] for row in rows]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
        return
    if suffix != ".xlsx":
        raise ValueError(suffix)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "audit"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append(row)
    book.save(path)
