"""The demo clock's stops: when the weekly cycle's next steps happen, and moving to them.

The times come from the core's own schedule (``bot.schedule.moment``, holidays included),
so the buttons jump to exactly when the bot will act. Whether the bot acts on them depends
on the scheduled steps being there: until ``bot.cycle`` exists the step buttons are shown
disabled with a note, and only "jump to a chosen time" is offered.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot import schedule
from bot.periods import period_containing
from bot.workdays import WorkdayCalendar

# The steps the page offers, in the order of the week. The agenda is posted an hour before
# the meeting (DESIGN §3).
STEPS = ("open", "reminder", "deadline", "summary", "agenda")
AGENDA_LEAD = timedelta(hours=1)
# A jump lands just before the step, so the page shows the bot acting as the clock passes it.
LEAD_IN = timedelta(seconds=3)


@dataclass(frozen=True)
class Stop:
    step: str
    at: datetime

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {"step": self.step, "at": self.at.astimezone(tz).isoformat()}


def schedule_available() -> bool:
    """Whether the bot runs scheduled steps (the ``bot.cycle`` module of the schedule work)."""
    return importlib.util.find_spec("bot.cycle") is not None


def _moment(settings: dict[str, Any], step: str, week: Any, tz: tzinfo, calendar: Any) -> datetime:
    if step == "agenda":
        return schedule.moment(settings, "meeting", week, tz, calendar) - AGENDA_LEAD
    return schedule.moment(settings, step, week, tz, calendar)


def upcoming(
    now: datetime, tz: tzinfo, settings: dict[str, Any] | None = None, count: int = 5
) -> list[Stop]:
    """The next ``count`` step times strictly after ``now``, soonest first."""
    settings = settings or {}
    calendar = WorkdayCalendar()
    week = period_containing(now, tz).previous()
    stops: list[Stop] = []
    for _ in range(4):  # the previous, this and the next two weeks cover every next step
        stops += [Stop(step, _moment(settings, step, week, tz, calendar)) for step in STEPS]
        week = week.next()
    later = sorted((s for s in stops if s.at > now), key=lambda s: s.at)
    return later[:count]


def jump_target(stop: Stop) -> datetime:
    return stop.at - LEAD_IN
