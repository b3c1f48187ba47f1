"""The ledger item a button names, checked before anything is done with it.

A button under an old message may name a decision or problem that is gone, or one the
person pressing it may no longer change (a role revoked since the list was sent). Both
answer with a toast, the same for every ledger button.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import may
from bot.i18n import translate
from bot.replies import Answer
from storage.models import Decision, Person, Problem

Item = TypeVar("Item", Decision, Problem)


async def item_for(
    session: AsyncSession,
    model: type[Item],
    item_id: int,
    person: Person,
    action: str,
    locale: str,
) -> Item | Answer:
    """The item, or the toast that says why the press does nothing."""
    item = await session.get(model, item_id)
    if item is None:
        return Answer([], translate(locale, "ledgers.stale"))
    if not await may(session, item.workspace_id, person, action):
        return Answer([], translate(locale, "access.denied"))
    return item
