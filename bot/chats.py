"""The office chat changing under the bot: upgraded to a supergroup, bot removed or re-added.

A basic group upgraded to a supergroup gets a new chat id; the workspace follows it, so the
office keeps its roster, reports and schedule. When the bot is removed from the office
chat it stops posting there (``Workspace.office_chat_active``) and tells the director
privately; added back, it resumes. Both are audit-logged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.people import workspace_for_chat
from bot.replies import Reply, say
from storage.models import Membership, Person, Workspace


async def chat_migrated(
    session: AsyncSession, old_chat_id: int, new_chat_id: int, now: datetime
) -> Workspace | None:
    """Move the workspace of ``old_chat_id`` to ``new_chat_id``; None if there is none
    (or it moved already: Telegram tells both the old and the new chat)."""
    workspace = await workspace_for_chat(session, old_chat_id)
    if workspace is None or await workspace_for_chat(session, new_chat_id) is not None:
        return None
    workspace.chat_id = new_chat_id
    audit.record(
        session,
        action="workspace.chat_migrated",
        now=now,
        workspace_id=workspace.id,
        person_id=None,
        before=old_chat_id,
        after=new_chat_id,
    )
    return workspace


async def office_chat_presence(
    session: AsyncSession, chat_id: int, present: bool, person_id: int | None, now: datetime
) -> list[Reply]:
    """Record whether the bot is in the office chat; the directors' notices if it changed."""
    workspace = await workspace_for_chat(session, chat_id)
    if workspace is None or workspace.office_chat_active == present:
        return []
    workspace.office_chat_active = present
    audit.record(
        session,
        action="workspace.office_chat_active",
        now=now,
        workspace_id=workspace.id,
        person_id=person_id,
        before=not present,
        after=present,
    )
    directors = await session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.workspace_id == workspace.id,
            Membership.role == "director",
            Person.telegram_user_id.is_not(None),
        )
    )
    key = "chats.bot_readded" if present else "chats.bot_removed"
    return [
        Reply(
            say(director.locale or workspace.locale, key, title=workspace.title),
            chat_id=director.telegram_user_id,
        )
        for director in directors
    ]
