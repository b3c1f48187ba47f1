"""Roll-ups: the month and the half year (DESIGN §1, §5).

Scoring and compilation are kept apart from rendering, like :mod:`bot.reports`:

- :mod:`~bot.rollups.months`: which weeks make a month, a half year, a year;
- :mod:`~bot.rollups.facts`: one load of everything the roll-ups read;
- :mod:`~bot.rollups.scoring`: the rubric, a pure function of plain facts;
- :mod:`~bot.rollups.assessment`, :mod:`~bot.rollups.monthly`,
  :mod:`~bot.rollups.highlights`: compiled results, adjustments, publication, good practices;
- :mod:`~bot.rollups.assessment_views`, :mod:`~bot.rollups.monthly_views`,
  :mod:`~bot.rollups.charts`: text, Markdown, documents, workbooks, charts;
- :mod:`~bot.rollups.outputs`: files and replies, including :func:`monthly_replies`, which
  the scheduled ``monthly`` step sends on the first working day of each month.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.replies import Reply
    from storage.models import Workspace

__all__ = ["monthly_replies"]


async def monthly_replies(
    session: AsyncSession, workspace: Workspace, month: str, locale: str, now: datetime
) -> list[Reply]:
    """The month's summary for the office chat (see :func:`bot.rollups.outputs.monthly_replies`).

    Imported on first use: the charts and documents it needs are not cheap to import, and
    most of what imports :mod:`bot.rollups` (the scoring, the months) never draws anything.
    """
    from bot.rollups import outputs

    return await outputs.monthly_replies(session, workspace, month, locale, now)
