"""The demo clock's stops: when the weekly cycle's next steps happen, and moving to them.

The times come from the core: ``bot.cycle.next_runs`` (the scheduled steps' own answer,
holidays included) once the scheduled steps exist, and until then the same rules from
``bot.schedule``. Whether the bot acts at those times depends on the scheduled steps being
there: without ``bot.cycle`` the step buttons are shown disabled with a note, and only
"jump to a chosen time" is offered.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot import schedule
from bot.periods import period_containing
from bot.workdays import WorkdayCalendar

# The steps the page offers (bot.cycle's names), in the order of the week.
STEPS = ("open", "remind", "deadline", "agenda", "summary")
_SCHEDULE_RULES = {"open": "open", "remind": "reminder", "deadline": "deadline"}
AGENDA_LEAD = timedelta(hours=1)  # DESIGN §3: the agenda is posted an hour before the meeting
# A jump lands just before the step, so the page shows the bot acting as the clock passes it;
# then the walk waits for the bot (which looks at the clock every couple of seconds) to act.
LEAD_IN = timedelta(seconds=2)
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class Stop:
    step: str
    at: datetime

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {"step": self.step, "at": self.at.astimezone(tz).isoformat()}


def schedule_available() -> bool:
    """Whether the bot runs scheduled steps (``bot.cycle``, from the schedule work)."""
    return importlib.util.find_spec("bot.cycle") is not None


def _from_cycle(settings: dict[str, Any], now: datetime, tz: tzinfo) -> list[Stop]:
    cycle = importlib.import_module("bot.cycle")
    runs = cycle.next_runs(settings, tz, WorkdayCalendar(), now)
    return [Stop(run.step, run.at) for run in runs if run.step in STEPS]


def _moment(settings: dict[str, Any], step: str, week: Any, tz: tzinfo, calendar: Any) -> datetime:
    if step == "agenda":
        return schedule.moment(settings, "meeting", week, tz, calendar) - AGENDA_LEAD
    return schedule.moment(settings, _SCHEDULE_RULES.get(step, step), week, tz, calendar)


def _from_schedule(settings: dict[str, Any], now: datetime, tz: tzinfo) -> list[Stop]:
    calendar = WorkdayCalendar()
    week = period_containing(now, tz).previous()
    stops: list[Stop] = []
    for _ in range(4):  # the previous, this and the next two weeks hold every next step
        stops += [Stop(step, _moment(settings, step, week, tz, calendar)) for step in STEPS]
        week = week.next()
    first: dict[str, Stop] = {}
    for stop in sorted((s for s in stops if s.at > now), key=lambda s: s.at):
        first.setdefault(stop.step, stop)
    return list(first.values())


def upcoming(now: datetime, tz: tzinfo, settings: dict[str, Any] | None = None) -> list[Stop]:
    """The next time of each step after ``now``, soonest first."""
    settings = settings or {}
    found = (_from_cycle if schedule_available() else _from_schedule)(settings, now, tz)
    return sorted(found, key=lambda stop: stop.at)


def jump_target(stop: Stop) -> datetime:
    return stop.at - LEAD_IN


def stops_until(now: datetime, target: datetime, tz: tzinfo) -> list[Stop]:
    """Every step from ``now`` up to ``target``, in order: the clock passes each in turn.

    Why not jump straight to ``target``: the bot treats a step whose time passed long ago
    as missed while it was down (recorded, not run), which is right for an outage and wrong
    for a demo whose week should happen, step by step, only faster.
    """
    walked: list[Stop] = []
    moment = now
    while True:
        later = [s for s in upcoming(moment, tz) if s.at <= target]
        if not later:
            return walked
        walked.append(later[0])
        moment = later[0].at
