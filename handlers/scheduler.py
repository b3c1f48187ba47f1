"""The weekly cycle runs by itself: a tick that asks "which steps are due now?".

APScheduler drives one interval job, :meth:`Scheduler.tick`, every few seconds. The tick
does not trust wall-clock sleeps: it reads :func:`bot.clock.now` (which tests and the demo
move by writing ``LIHUI_CLOCK_FILE``) and asks the pure :func:`bot.cycle.due` what each
workspace owes. That one rule gives the schedule, the catch-up after a stop (late within
the grace period, else skipped and said so) and correctness after a clock jump.

The schedule (each workspace's settings, zone and calendar) is rebuilt from the database
at start, after a settings change and every :data:`REFRESH_SECONDS` (changes another
instance or ``lihui calendar`` made); nothing lives in APScheduler's job store. A tick
costs no query while nothing new is due: claims already seen are remembered.

Exactly once comes from the database, never from this process: a due step is claimed
(``StepClaim``) together with its recorded messages; a claim found taken means another
instance (or an earlier run) has it. Claimed steps whose messages are not all out (a crash,
a stop) are resumed by every instance's sweep, message by message (:mod:`bot.cycle.delivery_log`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import now
from bot.cycle import LOOKBACK, Occurrence, delivery_log, due_among, occurrences_between
from bot.cycle.steps import StepContext, compose, compose_after, compose_skipped
from bot.workdays import WorkdayCalendar
from handlers.delivery import Tally, send_all
from handlers.sender import Sender
from storage.db import Database
from storage.models import Delivery, StepClaim, WorkdayOverride, Workspace

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0
CLAIMS_AT_ONCE = 8
RETRY_FAILED_SECONDS = 60.0
WINDOW_SLACK = timedelta(hours=12)  # how far a tick's precomputed occurrences reach
STOP_WAIT_SECONDS = 10.0
# After a manager requeued deliveries (bot.cycle.uncertain), how long the sweep waits for
# that turn to commit; the sweep every REFRESH_SECONDS catches whatever this one misses.
SWEEP_SOON_SECONDS = 1.0


@dataclass(frozen=True)
class Entry:
    """One workspace as the schedule sees it."""

    id: int
    chat_id: int
    settings: dict[str, Any]
    tz: ZoneInfo
    calendar: WorkdayCalendar
    since: datetime


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# Calendars by their overrides: reused across rebuilds, so an unknown year is warned
# about once rather than on every refresh.
_calendars: dict[frozenset[tuple[Any, bool]], WorkdayCalendar] = {}


def calendar_of(overrides: dict[Any, bool]) -> WorkdayCalendar:
    key = frozenset(overrides.items())
    if key not in _calendars:
        _calendars[key] = WorkdayCalendar(overrides)
    return _calendars[key]


async def load_entries(session: AsyncSession) -> dict[int, Entry]:
    """Every workspace's schedule: two queries, whatever the number of workspaces."""
    overrides: dict[int, dict[Any, bool]] = {}
    for row in await session.scalars(select(WorkdayOverride)):
        overrides.setdefault(row.workspace_id, {})[row.day] = row.is_workday
    entries = {}
    for ws in await session.scalars(select(Workspace)):
        entries[ws.id] = Entry(
            ws.id,
            ws.chat_id,
            dict(ws.settings or {}),
            ZoneInfo(ws.timezone),
            calendar_of(overrides.get(ws.id, {})),
            ws.created_at,
        )
    return entries


class Scheduler:
    def __init__(
        self, database: Database, sender: Sender, bot_username: str, tick_seconds: float = 2.0
    ) -> None:
        self.database = database
        self.tick_seconds = tick_seconds
        self.sender = sender
        self.bot_username = bot_username
        self.instance = instance_name()
        self._entries: dict[int, Entry] = {}
        # Per workspace, the (step, period) claims known to exist: never asked about again.
        self._settled: dict[int, set[tuple[str, str]]] = {}
        self._draining: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._rebuild = True
        self._refreshed = 0.0
        self._sweep_after: float | None = None
        self._stopping = False
        self._aps: AsyncIOScheduler | None = None
        self._ticking = asyncio.Lock()
        # Per workspace: (window start, window end, occurrences in it).
        self._windows: dict[int, tuple[datetime, datetime, list[Occurrence]]] = {}

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Resume what a previous process left half done, then tick."""
        async with self.database.session() as session:
            for row in await delivery_log.mark_uncertain(session, None):
                log.warning(
                    "delivery %s to %s was being sent when the bot stopped; it may or may "
                    "not have arrived and is not sent again",
                    row.dedupe_key,
                    row.chat_id,
                )
        # One line per tick would drown the log, and a long tick (a fan-out being claimed)
        # makes APScheduler warn that it skipped the next one, which is what we want.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._aps.add_job(
            self.tick,
            "interval",
            seconds=self.tick_seconds,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now().astimezone(),
        )
        self._aps.start()
        log.info("scheduler started (instance %s, tick %gs)", self.instance, self.tick_seconds)

    async def stop(self) -> None:
        """Stop ticking; let each running step finish the message it is sending."""
        self._stopping = True
        if self._aps is not None:
            self._aps.shutdown(wait=False)
        async with self._ticking:  # a tick under way finishes first
            pass
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=STOP_WAIT_SECONDS)
            for task in late:
                task.cancel()

    def request_rebuild(self) -> None:
        """Settings changed: read the schedule again on the next tick."""
        self._rebuild = True

    def request_sweep(self) -> None:
        """Deliveries were put back to pending (重新发送): send them within a tick or two,
        once the turn that requeued them has committed."""
        self._sweep_after = time.monotonic() + SWEEP_SOON_SECONDS

    # -- the tick -------------------------------------------------------------------------

    async def tick(self) -> None:
        if self._stopping:
            return
        async with self._ticking:
            try:
                await self._tick()
            except asyncio.CancelledError:  # the process is stopping; the claim protects us
                log.info("scheduler tick interrupted by shutdown")
            except Exception:
                log.exception("scheduler tick failed; trying again on the next one")

    async def _tick(self) -> None:
        refresh = time.monotonic() - self._refreshed >= REFRESH_SECONDS
        if self._rebuild or refresh:
            self._rebuild = False
            self._refreshed = time.monotonic()
            async with self.database.session() as session:
                self._entries = await load_entries(session)
            self._windows.clear()
        moment = now()
        plans = {}
        for entry in self._entries.values():
            settled = self._settled.setdefault(entry.id, set())
            found = self._occurrences(entry, moment)
            plan = due_among(found, entry.settings, entry.since, moment, settled)
            if plan.run or plan.skip:
                plans[entry.id] = plan
        if plans:
            await self._settle_known(plans)
        # Workspaces are claimed side by side: a hundred offices opening at 09:00 should
        # not wait for each other's queries (the claim, not the order, makes it safe).
        gate = asyncio.Semaphore(CLAIMS_AT_ONCE)
        claims = []
        for ws_id, plan in plans.items():
            settled = self._settled[ws_id]
            skip = [o for o in plan.skip if (o.step, o.key) not in settled]
            run = [o for o in plan.run if (o.step, o.key) not in settled]
            if skip:
                await self._skip(ws_id, skip, moment)
            for occurrence in run:
                settled.add((occurrence.step, occurrence.key))
                claims.append(self._claim_then_send(ws_id, occurrence, moment, gate))
        await asyncio.gather(*claims)
        soon = self._sweep_after is not None and time.monotonic() >= self._sweep_after
        if soon:
            self._sweep_after = None
        if refresh or soon:
            await self._sweep()

    async def _claim_then_send(
        self, ws_id: int, occurrence: Occurrence, moment: datetime, gate: asyncio.Semaphore
    ) -> None:
        async with gate:
            try:
                claim_id = await self._claim_and_compose(ws_id, occurrence, moment)
            except Exception:
                # Nothing was claimed (the unit of work rolled back): try again in a minute
                # rather than on every tick, and never forget the step.
                forget = self._settled.get(ws_id, set()).discard
                key = (occurrence.step, occurrence.key)
                asyncio.get_running_loop().call_later(RETRY_FAILED_SECONDS, forget, key)
                log.exception(
                    "step %s of %s for workspace %s failed", occurrence.step, occurrence.key, ws_id
                )
                return
        if claim_id is not None:
            self._spawn(claim_id)

    def _occurrences(self, entry: Entry, moment: datetime) -> list[Occurrence]:
        """The workspace's occurrences around ``moment``, computed once per window."""
        cached = self._windows.get(entry.id)
        fresh = cached is not None and cached[0] <= moment - LOOKBACK and moment <= cached[1]
        if cached is None or not fresh:
            start, end = moment - LOOKBACK - WINDOW_SLACK, moment + WINDOW_SLACK
            found = occurrences_between(entry.settings, entry.tz, entry.calendar, start, end)
            cached = (start, end, found)
            self._windows[entry.id] = cached
        return cached[2]

    async def _settle_known(self, plans: dict[int, Any]) -> None:
        """One query: which of the due steps are claimed already (by anyone)."""
        wanted = {
            (ws_id, o.step, o.key) for ws_id, plan in plans.items() for o in (*plan.run, *plan.skip)
        }
        async with self.database.session() as session:
            rows = await session.execute(
                select(StepClaim.workspace_id, StepClaim.step, StepClaim.period_key).where(
                    tuple_(StepClaim.workspace_id, StepClaim.step, StepClaim.period_key).in_(
                        list(wanted)
                    )
                )
            )
            for ws_id, step, key in rows.all():
                self._settled.setdefault(int(ws_id), set()).add((step, key))

    async def _sweep(self) -> None:
        """Resume claimed steps with messages still to send (any instance's), and give up
        on sends a dead process left behind."""
        async with self.database.session() as session:
            stale = await delivery_log.mark_uncertain(session, now() - delivery_log.STALE_SENDING)
            for row in stale:
                log.warning("delivery %s: send abandoned by a stopped process", row.dedupe_key)
            claims = {c.id for c in await delivery_log.unfinished_claims(session)}
            claims |= set(
                await session.scalars(
                    select(Delivery.claim_id)
                    .where(Delivery.status == "pending", Delivery.claim_id.is_not(None))
                    .distinct()
                )
            )
        for claim_id in sorted(claims):
            self._spawn(claim_id)

    def _spawn(self, claim_id: int) -> None:
        if claim_id in self._draining or self._stopping:
            return
        self._draining.add(claim_id)
        task = asyncio.create_task(self._drain_quietly(claim_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_quietly(self, claim_id: int) -> None:
        try:
            tally = await self.drain(claim_id)
            if tally.sent or tally.failed:
                log.info(
                    "step claim %s: %d sent, %d retried, %d given up",
                    claim_id,
                    tally.sent,
                    tally.retried,
                    tally.failed,
                )
        except Exception:
            log.exception("sending the messages of step claim %s failed", claim_id)
        finally:
            self._draining.discard(claim_id)

    # -- one step -------------------------------------------------------------------------

    async def _claim_and_compose(
        self, ws_id: int, occurrence: Occurrence, moment: datetime
    ) -> int | None:
        """Claim the step and record its messages in one unit of work; None if taken."""
        async with self.database.session() as session:
            workspace = await session.get(Workspace, ws_id)
            if workspace is None:
                return None
            row = await delivery_log.claim(
                session, ws_id, occurrence.step, occurrence.key, self.instance, moment
            )
            if row is None:
                return None
            ctx = StepContext(session, workspace, occurrence, moment, self.bot_username)
            outgoing = await compose(ctx)
            await delivery_log.record(session, row, outgoing, moment)
            late = moment - occurrence.at
            log.info(
                "step %s of %s for workspace %s claimed%s: %d message(s)",
                occurrence.step,
                occurrence.key,
                ws_id,
                f" ({late.total_seconds() / 60:.0f} min late)"
                if late > timedelta(minutes=1)
                else "",
                len(outgoing),
            )
            return row.id

    async def _skip(self, ws_id: int, skipped: list[Occurrence], moment: datetime) -> None:
        """Record missed steps as skipped and tell the office chat in one line."""
        async with self.database.session() as session:
            workspace = await session.get(Workspace, ws_id)
            if workspace is None:
                return
            fresh: list[tuple[Occurrence, StepClaim]] = []
            for occurrence in skipped:
                row = await delivery_log.claim(
                    session,
                    ws_id,
                    occurrence.step,
                    occurrence.key,
                    self.instance,
                    moment,
                    "skipped",
                )
                self._settled.setdefault(ws_id, set()).add((occurrence.step, occurrence.key))
                if row is not None:
                    fresh.append((occurrence, row))
            if not fresh:
                return
            log.warning(
                "workspace %s: skipped %s (missed beyond the grace period)",
                ws_id,
                ", ".join(f"{o.step} {o.key}" for o, _ in fresh),
            )
            first = fresh[0][1]
            ctx = StepContext(session, workspace, fresh[0][0], moment, self.bot_username)
            reply = compose_skipped(workspace, [o for o, _ in fresh])
            await delivery_log.record(session, first, ctx.office(reply, "skipped"), moment)
            claim_id = first.id
        self._spawn(claim_id)

    async def drain(self, claim_id: int) -> Tally:
        """Send a claimed step's pending messages, then its follow-up, then close it."""
        tally = Tally()
        while not self._stopping:
            async with self.database.session() as session:
                ids = await delivery_log.pending(session, claim_id)
            tally.add(await send_all(self.database, self.sender, ids, lambda: self._stopping))
            if self._stopping:
                return tally
            if not await self._follow_up(claim_id):
                break
        async with self.database.session() as session:
            await delivery_log.finish_claim_if_done(session, claim_id, now())
        return tally

    async def _follow_up(self, claim_id: int) -> bool:
        """Record what a step says after its private messages (``open``: the unreached);
        True if that added messages to send."""
        async with self.database.session() as session:
            claim = await session.get(StepClaim, claim_id)
            if claim is None or claim.status != "running" or claim.step != "open":
                return False
            rows = await delivery_log.deliveries_of(session, claim_id)
            if any(r.status in delivery_log.OPEN and r.kind == "prompt" for r in rows):
                return False  # another worker is still sending some
            workspace = await session.get(Workspace, claim.workspace_id)
            if workspace is None:
                return False
            occurrence = Occurrence(claim.claimed_at, claim.step, claim.period_key)
            ctx = StepContext(session, workspace, occurrence, now(), self.bot_username)
            unreached = await delivery_log.unreached(session, claim_id)
            added = await delivery_log.record(
                session, claim, await compose_after(ctx, unreached), now()
            )
            return added > 0

    # -- for the command line -----------------------------------------------------------

    async def run_now(self, chat_id: int, step: str, at: datetime) -> tuple[str, Tally]:
        """``lihui jobs run``: the step's latest occurrence at ``at``, through the claim.

        Returns ("ran" | "resumed" | "done" | "skipped" | "none", what was sent).
        """
        async with self.database.session() as session:
            workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
            if workspace is None:
                return "no_workspace", Tally()
            entries = await load_entries(session)
        entry = entries[workspace.id]
        found = occurrences_between(
            entry.settings, entry.tz, entry.calendar, at - timedelta(days=70), at, (step,)
        )
        if not found:
            return "none", Tally()
        occurrence = found[-1]
        claim_id = await self._claim_and_compose(workspace.id, occurrence, at)
        outcome = "ran"
        if claim_id is None:
            async with self.database.session() as session:
                claim = await session.scalar(
                    select(StepClaim).where(
                        StepClaim.workspace_id == workspace.id,
                        StepClaim.step == step,
                        StepClaim.period_key == occurrence.key,
                    )
                )
            assert claim is not None
            if claim.status != "running":
                return claim.status, Tally()
            claim_id, outcome = claim.id, "resumed"
        return outcome, await self.drain(claim_id)
