"""The demo clock's stops: when the weekly cycle's next steps happen, and moving to them.

The times come from the core, ``bot.cycle.next_runs``: the scheduled steps' own answer,
holidays included, so the page never keeps a second copy of the weekly rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot import cycle
from bot.workdays import WorkdayCalendar

# The steps the page offers (bot.cycle's names), in the order of the week.
STEPS = ("open", "remind", "deadline", "agenda", "summary")
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


def _next_runs(settings: dict[str, Any], now: datetime, tz: tzinfo) -> list[Stop]:
    runs = cycle.next_runs(settings, tz, WorkdayCalendar(), now)
    return [Stop(run.step, run.at) for run in runs if run.step in STEPS]


def upcoming(now: datetime, tz: tzinfo, settings: dict[str, Any] | None = None) -> list[Stop]:
    """The next time of each step after ``now``, soonest first."""
    settings = settings or {}
    return sorted(_next_runs(settings, now, tz), key=lambda stop: stop.at)


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
