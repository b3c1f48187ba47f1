"""Helpers for the access scenarios: who holds which role, and what the database holds.

``snapshot`` reads every table except the bookkeeping ones a refused attempt may touch
(the processed-update marks, and the audit log, where a refusal is written down), so
"refused, nothing changed" is one comparison.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import select

from bot.i18n import translate
from storage.models import AuditLog, Base, DialogState, Membership, Person, Workspace
from tests.e2e.seed import open_session

# Tables a refused attempt may write to: the mark that the update was handled, the audit
# entry that records the refusal, the person row (first contact binds the Telegram id), and
# deep links: /submit in the office chat hands anyone a link into the private chat, and the
# link grants nothing (the private chat checks that its user reports for the group).
BOOKKEEPING = frozenset({"processed_update", "audit_log", "person", "deep_link"})


async def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with open_session(database_url) as session:
        # The driver's own SQL, not text(): the access matrix takes a few hundred of these
        # (each some 30 tables), and the compiled statements cost a third of the time.
        connection = await session.connection()
        for name, table in Base.metadata.tables.items():
            if name in BOOKKEEPING:
                continue
            order = ", ".join(column.name for column in table.primary_key.columns)
            where = ""
            if name == "dialog_state":
                # /cancel from someone with no report writes an idle, empty position row
                # (bot/dialog.py load_state): it holds no data, so it is not a change.
                where = " WHERE NOT (step = 'idle' AND submission_id IS NULL)"
            rows = await connection.exec_driver_sql(f"SELECT * FROM {name}{where} ORDER BY {order}")
            tables[name] = [tuple(row) for row in rows.all()]
    return tables


async def settled_snapshot(
    database_url: str,
    quiet: float = 0.3,
    timeout: float = 10.0,  # noqa: ASYNC109
) -> dict[str, list[tuple[Any, ...]]]:
    """The database once the bot has stopped writing to it: two snapshots ``quiet`` seconds
    apart agree. An allowed command may still be writing after its reply arrived (a dialog
    prompt's id is recorded after the send, see :func:`prompt_recorded`); a "before" taken
    meanwhile would charge that write to the next attempt."""
    deadline = time.monotonic() + timeout
    last = await snapshot(database_url)
    while True:
        await asyncio.sleep(quiet)
        now = await snapshot(database_url)
        if now == last or time.monotonic() > deadline:
            return now
        last = now


async def prompt_recorded(database_url: str, message_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Until the bot has written down the dialog prompt ``message_id``.

    It does so in a small transaction of its own after the send (handlers.turn.deliver), so
    the prompt can reach the chat before its id reaches the database; a snapshot taken in
    between would see that write as a change made by whatever came next.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with open_session(database_url) as session:
            found = await session.scalar(
                select(DialogState.id).where(DialogState.prompt_message_id == message_id)
            )
        if found is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"prompt {message_id} was never recorded")


async def audit_actions(database_url: str) -> list[tuple[str, dict[str, Any]]]:
    async with open_session(database_url) as session:
        rows = await session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(row.action, dict(row.details)) for row in rows]


async def denials(database_url: str) -> list[dict[str, Any]]:
    return [
        details
        for action, details in await audit_actions(database_url)
        if action == "access.denied"
    ]


async def role_of(database_url: str, chat_id: int, username: str) -> str | None:
    async with open_session(database_url) as session:
        return await session.scalar(
            select(Membership.role)
            .join(Person, Person.id == Membership.person_id)
            .join(Workspace, Workspace.id == Membership.workspace_id)
            .where(Workspace.chat_id == chat_id, Person.username == username)
        )


async def workspace_row(database_url: str, chat_id: int) -> Workspace | None:
    async with open_session(database_url) as session:
        return await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))


def zh(key: str, **params: object) -> str:
    """A catalog message in Chinese, cut before its first placeholder (to match on)."""
    message = translate("zh-CN", key)
    return message.split("{", 1)[0] if params == {} else translate("zh-CN", key, **params)
