"""The audit log: who changed what, when, in which workspace, with before and after.

Every change an office must be able to account for goes through :func:`record`, in the
same transaction as the change itself, so a change and its entry commit or vanish together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog


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
