"""Deep links (``t.me/<bot>?start=<token>``) that carry an opaque token, never raw ids."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeepLink


async def create(
    session: AsyncSession,
    workspace_id: int,
    now: datetime,
    group_id: int | None = None,
    period_id: int | None = None,
    purpose: str = "submit",
) -> str:
    # 16 URL-safe characters: unguessable, and well within Telegram's 64-character payload.
    token = secrets.token_urlsafe(12)
    session.add(
        DeepLink(
            token=token,
            workspace_id=workspace_id,
            group_id=group_id,
            period_id=period_id,
            purpose=purpose,
            created_at=now,
        )
    )
    await session.flush()
    return token


async def resolve(session: AsyncSession, token: str) -> DeepLink | None:
    if not token or len(token) > 64:
        return None
    return await session.get(DeepLink, token)


def url(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"
