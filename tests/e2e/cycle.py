"""Helpers for scenarios of the self-running week: where the office began, what was logged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from storage.models import Delivery, StepClaim, Workspace
from tests.e2e.seed import open_session


async def office_began(database_url: str, moment: datetime) -> None:
    """The workspace exists since ``moment`` (by the bot's clock): nothing before it is owed.

    Seeding stamps the real time, which lies after the test's clock; a scenario sets it.
    """
    async with open_session(database_url) as session:
        await session.execute(update(Workspace).values(created_at=moment))


async def claims(database_url: str) -> list[tuple[str, str, str]]:
    async with open_session(database_url) as session:
        rows = await session.scalars(select(StepClaim).order_by(StepClaim.id))
        return [(c.step, c.period_key, c.status) for c in rows]


async def deliveries(database_url: str) -> list[Delivery]:
    async with open_session(database_url) as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))
