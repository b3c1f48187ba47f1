"""What every benchmark stands on: the sandbox, the bots as processes, and a stopwatch.

The sandbox runs in a thread of the benchmark process (as in the tests); the bots (lihui,
and the echo bot it is compared with) are separate processes, so their CPU time and memory
are their own (psutil). A reply is timed when it reaches the sandbox, by an observer in the
sandbox's thread, not when the driver happens to look: round trips are then exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil

from bot.clock import FileClock
from sandbox.driver import SandboxDriver
from sandbox.server import ThreadedSandbox, start_in_thread
from sandbox.state import StoredMessage

ROOT = Path(__file__).resolve().parent.parent
# A Thursday morning of week 48, 2026: reports are open and not yet late.
THURSDAY_10 = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_bot_numbers = itertools.count(7001)


@dataclass
class Arrival:
    bot_id: int
    chat_id: int
    message_id: int
    text: str
    at: float  # time.perf_counter() in the sandbox's thread


@dataclass
class Stage:
    """The sandbox, and a record of every message bots put into it."""

    sandbox: ThreadedSandbox
    loop: asyncio.AbstractEventLoop
    arrivals: dict[tuple[int, int], list[Arrival]] = field(default_factory=dict)  # (bot, chat)
    first_poll: dict[str, float] = field(default_factory=dict)  # token -> perf_counter
    bot_ids: set[int] = field(default_factory=set)
    polls: dict[str, int] = field(default_factory=dict)  # token -> getUpdates calls
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def open(cls) -> Stage:
        stage = cls(start_in_thread(flood_limits=False), asyncio.get_running_loop())
        world = stage.sandbox.server.world
        world.message_observers.append(stage._observe)
        api = stage.sandbox.server.api
        get_updates = api.handlers["getUpdates"]

        async def polled(call: Any) -> Any:
            stage.first_poll.setdefault(call.bot.token, time.perf_counter())
            stage.polls[call.bot.token] = stage.polls.get(call.bot.token, 0) + 1
            return await get_updates(call)

        api.handlers["getUpdates"] = polled
        return stage

    def close(self) -> None:
        self.sandbox.stop()

    def _observe(self, chat_id: int, stored: StoredMessage) -> None:  # sandbox thread
        if stored.sender_id not in self.bot_ids:
            return
        text = str(stored.data.get("text") or stored.data.get("caption") or "")
        message_id = int(stored.data["message_id"])
        arrival = Arrival(stored.sender_id, chat_id, message_id, text, time.perf_counter())
        self.loop.call_soon_threadsafe(self._arrive, arrival)

    def _arrive(self, arrival: Arrival) -> None:
        self.arrivals.setdefault((arrival.bot_id, arrival.chat_id), []).append(arrival)
        self._changed.set()

    def set_flood_limits(self, enabled: bool) -> None:
        world = self.sandbox.server.world
        self.sandbox.loop.call_soon_threadsafe(world.flood.reset)
        world.flood.enabled = enabled

    def new_token(self) -> str:
        number = next(_bot_numbers)
        self.bot_ids.add(number)
        return f"{number}:benchmark-token-{number:08d}"

    def driver(self, token: str) -> SandboxDriver:
        return SandboxDriver(self.sandbox.url, bot_id=int(token.split(":")[0]), poll=0.2)

    def messages(self, bot_id: int, chat_id: int) -> list[Arrival]:
        return self.arrivals.get((bot_id, chat_id), [])

    def in_sandbox(self, function: Callable[[], Any]) -> Any:
        """Run ``function`` in the sandbox's thread (its world is not ours to touch)."""

        async def call() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(call(), self.sandbox.loop).result(30)

    async def wait_for(
        self,
        bot_id: int,
        chat_id: int,
        after: int,
        match: Callable[[Arrival], bool] | None = None,
        timeout: float = 60.0,  # noqa: ASYNC109
    ) -> Arrival:
        """The first message into ``chat_id`` after its first ``after`` (that ``match``es)."""
        deadline = time.monotonic() + timeout
        while True:
            for arrival in self.messages(bot_id, chat_id)[after:]:
                if match is None or match(arrival):
                    return arrival
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no reply in chat {chat_id} within {timeout:.0f}s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 1.0))

    async def wait_polling(
        self,
        token: str,
        alive: Callable[[], bool],
        timeout: float = 60.0,  # noqa: ASYNC109
    ) -> float:
        deadline = time.monotonic() + timeout
        while token not in self.first_poll:
            if time.monotonic() > deadline or not alive():
                raise TimeoutError("the bot never polled")
            await asyncio.sleep(0.01)
        return self.first_poll[token]


@dataclass
class BotRun:
    """One bot process: started, measured, stopped."""

    name: str
    token: str
    process: subprocess.Popen[bytes]
    started_at: float
    log_path: Path
    ps: psutil.Process = field(init=False)

    def __post_init__(self) -> None:
        self.ps = psutil.Process(self.process.pid)

    def cpu_seconds(self) -> float:
        """The bot's CPU and its children's: lihui draws files in a render process."""
        times = self.ps.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in self.children():
            try:
                child_times = child.cpu_times()
            except psutil.NoSuchProcess:  # left meanwhile: counted in children_* next time
                continue
            total += child_times.user + child_times.system
        return float(total)

    def children(self) -> list[psutil.Process]:
        return self.ps.children(recursive=True)

    def rss_mb(self) -> float:
        """The bot process's own resident memory."""
        return float(self.ps.memory_info().rss) / 2**20

    def children_rss_mb(self) -> float:
        total = 0
        for child in self.children():
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return float(total) / 2**20

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":")[0])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def start_bot(
    stage: Stage,
    kind: str,
    workdir: Path,
    database_url: str = "",
    command: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
    token: str | None = None,
    bytecode_cache: Path | None = None,
    clock_at: datetime = THURSDAY_10,
) -> BotRun:
    """``lihui run`` (kind "lihui"), the echo bot (kind "echo"), or ``command``."""
    token = token or stage.new_token()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIHUI_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=stage.sandbox.bot_api_base_url,
        PYTHONUNBUFFERED="1",
        PTB_TIMEDELTA="true",
    )
    if kind != "echo":
        clock = FileClock(workdir / "clock.txt")
        clock.set(clock_at)
        env.update(
            DATABASE_URL=database_url,
            LIHUI_CLOCK_FILE=str(clock.path),
            LIHUI_LOG_LEVEL="WARNING",
            # The per-person input budget (an abuse guard, bot/access/budget.py) would refuse a
            # contact acting every 150 ms; the benchmarks measure the work, so it is raised.
            LIHUI_FLOOD_BURST="10000",
            LIHUI_FLOOD_PER_SECOND="1000",
        )
    env.update(extra_env or {})
    if bytecode_cache is not None:
        # Compiled modules kept where this run can write them (the venv is left alone), as a
        # deployment that installs with bytecode has them: start-up then reads, not compiles.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    if command is None:
        lihui = Path(sys.executable).with_name("lihui")
        command = (
            [sys.executable, "-m", "bench.echo_bot"] if kind == "echo" else [str(lihui), "run"]
        )
    log_path = workdir / f"{kind}-{token.split(':')[0]}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    return BotRun(kind, token, process, time.perf_counter(), log_path)


async def started(stage: Stage, run: BotRun) -> float:
    """Seconds from spawning the process to its first getUpdates."""
    try:
        polled = await stage.wait_polling(run.token, lambda: run.process.poll() is None)
    except TimeoutError:
        raise RuntimeError(f"{run.name} did not start:\n{run.log_tail()}") from None
    return polled - run.started_at


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]
