"""The benchmarks. Each measures lihui beside its baseline in the same run, and gives rows.

- unknown person: a private text from someone lihui does not know (identify, mark the
  update, answer a hint), many people at a steady rate: CPU per update;
- dialog step: one contact alternately typing the week's done text and pressing « back,
  150 ms apart, on SQLite and (when a server is named) PostgreSQL: CPU per step, round trip;
- under load: a bulk fan-out to 1,000 contacts in 100 offices while one of its chats is
  held by a 30 s ``retry_after`` and 20 contacts do dialog steps at a human pace: their p95
  beside their own unloaded p95, the fan-out's rate beside Telegram's 30 a second, and the
  prompts lost or doubled;
- reports: ``/report`` (text and chart) and its Word button for 13, 200 and 1,000 groups,
  and one week against five years of history with the same open ledgers;
- footprint: start-up to the first getUpdates, resident memory when idle.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.echo_bot import BACK
from bench.seed import (
    close_old_items,
    fresh_postgres,
    open_ledger_sizes,
    postgres_server,
    seed_offices,
)
from bench.world import (
    THURSDAY_10,
    Arrival,
    BotRun,
    Stage,
    median,
    percentile,
    start_bot,
    started,
)
from bot.clock import FileClock

ASK_DONE = "本周工作完成情况"
ASK_INDICATOR = "服务人次"
OPEN_PROMPT = "请填报"  # in the open step's prompt (cycle.open.prompt)


def is_prompt(arrival: Arrival) -> bool:
    return OPEN_PROMPT in arrival.text


@dataclass(frozen=True)
class Sizes:
    unknown_people: int = 100
    unknown_messages: int = 500
    unknown_rate: float = 25.0  # messages a second, all people together
    steps: int = 120
    warm_steps: int = 6
    step_gap: float = 0.15
    offices: int = 100
    per_office: int = 10
    load_contacts: int = 20
    unloaded_steps: int = 5
    human_pace: tuple[float, float] = (6.0, 10.0)  # seconds between a contact's actions
    held_retry_after: int = 30
    startups: int = 3
    idle_seconds: float = 3.0
    report_repeats: int = 7  # rounds after one that warms up: medians of 3 drifted by a fifth


FULL = Sizes()
SMOKE = Sizes(
    unknown_people=4,
    unknown_messages=8,
    steps=6,
    warm_steps=2,
    offices=3,
    per_office=4,
    load_contacts=2,
    unloaded_steps=2,
    # A private chat takes about one message a second (Telegram, and the sandbox): faster
    # steps would keep the chat busy with replies, which go first, and hold the fan-out
    # prompt back for as long as the contact keeps typing.
    human_pace=(1.0, 1.4),
    held_retry_after=2,
    startups=1,
    idle_seconds=0.5,
    report_repeats=1,
)


@dataclass
class Row:
    figure: str
    echo: str
    lihui: str
    ratio: str
    target: str
    verdict: str  # met | NOT met | pending | skipped


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


@asynccontextmanager
async def running(stage: Stage, run: BotRun) -> AsyncIterator[BotRun]:
    try:
        await started(stage, run)
        yield run
    finally:
        run.stop()


def make_users(stage: Stage, count: int, prefix: str) -> list[Any]:
    world = stage.sandbox.server.world
    return stage.in_sandbox(
        lambda: [
            world.create_user(f"{prefix}{i}", username=f"{prefix}{i}", language_code="zh-hans")
            for i in range(count)
        ]
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# --- unknown person ---------------------------------------------------------------------------


async def unknown_person(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    url = sqlite_url(work / "unknown.sqlite3")
    await seed_offices(url, [])
    people = make_users(stage, sizes.unknown_people, "stranger")
    cpu: dict[str, float] = {}
    for kind in ("echo", "lihui"):
        async with running(stage, start_bot(stage, kind, work, url)) as run:
            driver = stage.driver(run.token)
            await steady_texts(stage, driver, run, people[: min(5, len(people))], 5, 10.0)
            before = run.cpu_seconds()
            count = sizes.unknown_messages
            await steady_texts(stage, driver, run, people, count, sizes.unknown_rate)
            cpu[kind] = (run.cpu_seconds() - before) / count
            await driver.aclose()
    return [
        Row(
            "unknown person: CPU per update",
            ms(cpu["echo"]),
            ms(cpu["lihui"]),
            ratio(cpu["lihui"], cpu["echo"]),
            "≤ 2×",
            verdict(cpu["lihui"] <= 2 * cpu["echo"]),
        )
    ]


async def steady_texts(
    stage: Stage, driver: Any, run: BotRun, people: list[Any], count: int, rate: float
) -> None:
    """``count`` texts spread over ``people`` at ``rate`` a second; returns once all answered."""
    expected = {p.id: len(stage.messages(run.bot_id, p.id)) for p in people}
    sends = []
    for i in range(count):
        person = people[i % len(people)]
        expected[person.id] += 1
        sends.append(asyncio.create_task(driver.send_text(person, person.id, f"你好 {i}")))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*sends)
    for person in people:
        await stage.wait_for(run.bot_id, person.id, expected[person.id] - 1)


# --- dialog step ------------------------------------------------------------------------------


async def dialog_step(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    rows = []
    backends: list[tuple[str, Callable[[], Any]]] = [("SQLite", lambda: sqlite_backend(work))]
    server = postgres_server()
    if server:
        backends.append(("PostgreSQL", lambda: fresh_postgres(server)))
    for name, backend in backends:
        async with backend() as url:
            rows.extend(await dialog_step_on(stage, work, sizes, name, url))
    if not server:
        rows.append(
            Row("dialog step (PostgreSQL)", "—", "—", "—", "≤ 3×", "skipped: no server named")
        )
    return rows


@asynccontextmanager
async def sqlite_backend(work: Path) -> AsyncIterator[str]:
    path = work / f"dialog-{time.monotonic_ns()}.sqlite3"
    yield sqlite_url(path)


async def dialog_step_on(
    stage: Stage, work: Path, sizes: Sizes, backend: str, url: str
) -> list[Row]:
    """Both bots run side by side and take turns, a block of steps each, so that a machine
    that drifts in speed within the minute slows both alike (one bot after the other let
    the echo bot's figure alone move the ratio by a fifth from run to run)."""
    [contact] = make_users(stage, 1, f"contact{backend.lower()}")
    await seed_offices(url, [[(contact.id, contact.username)]])
    async with (
        running(stage, start_bot(stage, "echo", work, url)) as echo,
        running(stage, start_bot(stage, "lihui", work, url)) as lihui,
    ):
        sides = [Side(run, stage.driver(run.token)) for run in (echo, lihui)]
        for side in sides:
            side.last = await begin_dialog(stage, side.driver, side.run, contact)
            await side.steps(stage, contact, sizes.warm_steps, sizes.step_gap)
        per_block = max(1, sizes.steps // DIALOG_BLOCKS)
        for block in range(DIALOG_BLOCKS):
            for side in sides if block % 2 == 0 else sides[::-1]:
                before = side.run.cpu_seconds()
                side.trips += await side.steps(stage, contact, per_block, sizes.step_gap)
                side.cpu += side.run.cpu_seconds() - before
        for side in sides:
            await side.driver.aclose()
    cpu = {side.run.name: side.cpu / len(side.trips) for side in sides}
    trips = {side.run.name: side.trips for side in sides}
    p50 = {k: median(v) for k, v in trips.items()}
    p95 = {k: percentile(v, 0.95) for k, v in trips.items()}
    label = f"dialog step ({backend})"
    return [
        Row(
            f"{label}: CPU per step",
            ms(cpu["echo"]),
            ms(cpu["lihui"]),
            ratio(cpu["lihui"], cpu["echo"]),
            "≤ 3×",
            verdict(cpu["lihui"] <= 3 * cpu["echo"]),
        ),
        Row(
            f"{label}: round trip p50",
            ms(p50["echo"]),
            ms(p50["lihui"]),
            ratio(p50["lihui"], p50["echo"]),
            "—",
            "—",
        ),
        Row(
            f"{label}: round trip p95",
            ms(p95["echo"]),
            ms(p95["lihui"]),
            ratio(p95["lihui"], p95["echo"]),
            "≤ 3×",
            verdict(p95["lihui"] <= 3 * p95["echo"]),
        ),
    ]


async def begin_dialog(stage: Stage, driver: Any, run: BotRun, contact: Any) -> Arrival:
    """The contact's first question: /submit for lihui, any text for the echo bot."""
    count = len(stage.messages(run.bot_id, contact.id))
    if run.name == "echo":
        await driver.send_text(contact, contact.id, "你好")
        return await stage.wait_for(run.bot_id, contact.id, count)
    await driver.send_text(contact, contact.id, "/submit")
    return await stage.wait_for(run.bot_id, contact.id, count, lambda a: ASK_DONE in a.text)


async def one_step(
    stage: Stage, driver: Any, run: BotRun, contact: Any, last: Arrival, typed: bool
) -> tuple[Arrival, float]:
    """A typed answer or a press of « back on the last question; the reply and its time.

    The reply is recognised by what it asks (the next question, or the previous one again),
    so scheduled messages arriving in the same chat are not mistaken for it.
    """
    count = len(stage.messages(run.bot_id, contact.id))
    text = f"本周完成情况 {count}"
    if run.name == "echo":
        expect = text if typed else "上一步"
    else:
        expect = ASK_INDICATOR if typed else ASK_DONE
    sent = time.perf_counter()
    if typed:
        await driver.send_text(contact, contact.id, text)
    else:
        await driver.press_button(contact, contact.id, BACK, last.message_id)
    reply = await stage.wait_for(
        run.bot_id, contact.id, count, lambda a: expect in a.text and not is_prompt(a)
    )
    return reply, reply.at - sent


DIALOG_BLOCKS = 4  # blocks of steps per bot, taken in turns (ABBA...)


@dataclass
class Side:
    """One bot of the dialog benchmark: its last question, and what its steps measured."""

    run: BotRun
    driver: Any
    last: Arrival | None = None
    cpu: float = 0.0
    trips: list[float] = field(default_factory=list)
    done: int = 0  # steps so far: even ones type an answer, odd ones press « back

    async def steps(self, stage: Stage, contact: Any, count: int, gap: float) -> list[float]:
        trips = []
        for _ in range(count):
            assert self.last is not None
            started_at = time.perf_counter()
            typed = self.done % 2 == 0
            self.last, trip = await one_step(
                stage, self.driver, self.run, contact, self.last, typed
            )
            self.done += 1
            trips.append(trip)
            await asyncio.sleep(max(0.0, started_at + gap - time.perf_counter()))
        return trips


# --- under load -------------------------------------------------------------------------------


async def under_load(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    """The real ``open`` step of ``lihui run``'s scheduler, set off by moving its clock."""
    total = sizes.offices * sizes.per_office
    people = make_users(stage, total, "member")
    token = stage.new_token()
    world = stage.sandbox.server.world
    stage.in_sandbox(lambda: world.bot_for_token(token).started.update(p.id for p in people))
    chats = office_chats(stage, sizes.offices, people[0])
    url = sqlite_url(work / "load.sqlite3")
    offices = [
        [(p.id, p.username) for p in people[i : i + sizes.per_office]]
        for i in range(0, total, sizes.per_office)
    ]
    await seed_offices(url, offices, chats)
    before_open = THURSDAY_10.replace(hour=8, minute=58)
    run = start_bot(stage, "lihui", work, url, token=token, clock_at=before_open)
    stage.set_flood_limits(True)
    try:
        async with running(stage, run):
            await quiet(stage, run, seconds=3.0)  # Monday's missed steps said in the offices
            driver = stage.driver(run.token)
            result = await load_phases(stage, driver, run, people, sizes, work)
            await driver.aclose()
    finally:
        stage.set_flood_limits(False)
    return result


def office_chats(stage: Stage, count: int, creator: Any) -> list[int]:
    """Office group chats in the sandbox with the bot in them (no join updates sent)."""
    world = stage.sandbox.server.world

    def create() -> list[int]:
        ids = []
        for number in range(count):
            group = world.create_group(f"基准办公室{number + 1}")
            group.members[creator.id] = "creator"
            for bot in world.bots.values():
                group.members[bot.user.id] = "member"
            ids.append(group.id)
        return ids

    return stage.in_sandbox(create)


async def quiet(stage: Stage, run: BotRun, seconds: float, limit: float = 120.0) -> None:
    """Until the bot has sent nothing for ``seconds``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = sum(len(v) for v in stage.arrivals.values())
        await asyncio.sleep(seconds)
        if sum(len(v) for v in stage.arrivals.values()) == before:
            return


async def load_phases(
    stage: Stage, driver: Any, run: BotRun, people: list[Any], sizes: Sizes, work: Path
) -> list[Row]:
    contacts = people[:: max(1, len(people) // sizes.load_contacts)][: sizes.load_contacts]
    held = next(p for p in people if p not in contacts)
    lasts = {c.id: await begin_dialog(stage, driver, run, c) for c in contacts}
    unloaded = await paced_steps(stage, driver, run, contacts, lasts, sizes, stop=None)
    await driver.inject_fault(
        kind="retry_after",
        method="sendMessage",
        retry_after=sizes.held_retry_after,
        chat_id=held.id,
    )
    fan_out_done = asyncio.Event()
    FileClock(work / "clock.txt").set(THURSDAY_10.replace(hour=9, minute=0, second=1))
    watcher = asyncio.create_task(wait_fan_out(stage, run, people, fan_out_done))
    loaded = await paced_steps(stage, driver, run, contacts, lasts, sizes, stop=fan_out_done)
    await asyncio.wait_for(watcher, timeout=len(people) / 10 + 120)
    return load_rows(stage, run, people, held, unloaded, loaded)


async def paced_steps(
    stage: Stage,
    driver: Any,
    run: BotRun,
    contacts: list[Any],
    lasts: dict[int, Arrival],
    sizes: Sizes,
    stop: asyncio.Event | None,
) -> list[float]:
    """Every contact steps at a human pace: ``unloaded_steps`` each, or until ``stop``."""
    trips: list[float] = []
    rng = random.Random(len(contacts))

    async def contact_loop(contact: Any, number: int) -> None:
        for i in range(10_000):
            if stop is None and i >= sizes.unloaded_steps:
                return
            if stop is not None and stop.is_set():
                return
            await asyncio.sleep(rng.uniform(*sizes.human_pace))
            typed = lasts[contact.id].text.find(ASK_DONE) >= 0
            reply, trip = await one_step(stage, driver, run, contact, lasts[contact.id], typed)
            lasts[contact.id] = reply
            trips.append(trip)

    await asyncio.gather(*(contact_loop(c, n) for n, c in enumerate(contacts)))
    return trips


async def wait_fan_out(stage: Stage, run: BotRun, people: list[Any], done: asyncio.Event) -> None:
    try:
        for person in people:
            await stage.wait_for(run.bot_id, person.id, 0, lambda a: is_prompt(a), timeout=300)
    finally:
        done.set()


def load_rows(
    stage: Stage,
    run: BotRun,
    people: list[Any],
    held: Any,
    unloaded: list[float],
    loaded: list[float],
) -> list[Row]:
    prompts = {p.id: [a for a in stage.messages(run.bot_id, p.id) if is_prompt(a)] for p in people}
    lost = sum(1 for found in prompts.values() if not found)
    doubled = sum(1 for found in prompts.values() if len(found) > 1)
    times = sorted(found[0].at for chat, found in prompts.items() if found and chat != held.id)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / span if span else float("nan")
    every = sorted(
        a.at for found in stage.arrivals.values() for a in found if times[0] <= a.at <= times[-1]
    )
    overall = (len(every) - 1) / span if span else float("nan")
    p95_unloaded, p95_loaded = percentile(unloaded, 0.95), percentile(loaded, 0.95)
    return [
        Row(
            "under load: dialog p95, unloaded → during fan-out",
            ms(p95_unloaded),
            ms(p95_loaded),
            ratio(p95_loaded, p95_unloaded),
            "≤ 2×",
            verdict(p95_loaded <= 2 * p95_unloaded),
        ),
        Row(
            "under load: fan-out rate (all bot messages) / 30 per s",
            "30.0/s",
            f"{rate:.1f}/s ({overall:.1f}/s)",
            f"{rate / 30:.0%} ({overall / 30:.0%})",
            "≥ 90%",
            verdict(rate >= 27),
        ),
        Row(
            "under load: fan-out prompts lost / doubled",
            "0 / 0",
            f"{lost} / {doubled}",
            "—",
            "0 / 0",
            verdict(lost == 0 and doubled == 0),
        ),
    ]


# --- reports ----------------------------------------------------------------------------------


# (groups, weeks of history): three sizes, then eight weeks and five years of history. Eight
# weeks fill the chart's trend as five years do; one week draws a trend of one point.
REPORT_CASES_FULL = [(13, 1), (200, 1), (1000, 1), (13, 8), (13, 260)]
REPORT_CASES_SMOKE = [(13, 1), (20, 1), (13, 2), (13, 3)]
WORD_BUTTON = "📄 通报 Word"  # reports.button.word (zh-CN), under the /report chart
CHART_CAPTION = "预览 · "  # the chart's caption of a week not yet published (zh-CN)
WORD_CAPTION = "📄 工作周通报（Word）"  # reports.file.bulletin_caption (zh-CN)
# Tuesday of W49, 10:00 in Shanghai: the sample's last week (W48, the last completed) is
# the week /report shows until Thursday, so every group's report of it is in the figures.
REPORT_CLOCK = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# lihui draws files in a render process that leaves after this long without one (600 s by
# default): long enough to stay up between the rounds of one case, short enough to wait for.
RENDER_IDLE_SECONDS = 4.0


@dataclass
class ReportMemory:
    """Resident MB right after the largest report, and once the render process has left;
    and the first /report after that (which starts a render process again)."""

    bot: float
    renderer: float
    renderer_settled: float  # a second later, once it has given back what it freed
    bot_after: float
    renderer_after: float
    cold_report: float


@dataclass
class ReportTiming:
    """Medians of one office's warm ``/report`` and Word button: wall and bot CPU seconds."""

    report: float
    report_cpu: float
    word: float
    word_cpu: float


async def reports(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    """``/report`` by the director in private (text and chart), then its Word button.

    Each case is its own sample office (``bot.sample.load_sample``, the history ``lihui
    sample`` writes) in one database, each with its own director; lihui serves them all
    from one process, which is also where the memory after the largest report is read.
    The five-year office has its old problems and decisions closed so that its open
    ledgers are the one-week office's size (``bench.seed.close_old_items``).
    """
    smoke = sizes is SMOKE
    cases = REPORT_CASES_SMOKE if smoke else REPORT_CASES_FULL
    directors = make_users(stage, len(cases), "director")
    url = sqlite_url(work / "reports.sqlite3")
    ledgers = await seed_samples(url, cases, [d.id for d in directors])
    timings: dict[tuple[int, int], ReportTiming] = {}
    small, middle, large, eight_weeks, deep = cases[0], cases[1], cases[-3], cases[-2], cases[-1]
    repeats = sizes.report_repeats
    idle = {"LIHUI_RENDER_IDLE_SECONDS": str(RENDER_IDLE_SECONDS)}
    run = start_bot(stage, "lihui", work, url, clock_at=REPORT_CLOCK, extra_env=idle)
    async with running(stage, run):
        driver = stage.driver(run.token)
        for case, director in zip(cases[:-2], directors, strict=False):
            [timings[case]] = await report_timing(stage, driver, run, [director], repeats)
            if case == large:
                bot, renderer = run.rss_mb(), run.children_rss_mb()
                await asyncio.sleep(1.0)
                settled = run.children_rss_mb()
        one, five = await report_timing(stage, driver, run, [directors[0], directors[-1]], repeats)
        eight, five_again = await report_timing(stage, driver, run, directors[-2:], repeats)
        await render_process_left(run)
        after = (run.rss_mb(), run.children_rss_mb())
        cold, _ = await report_trip(stage, driver, run, directors[0])
        await driver.aclose()
    memory = ReportMemory(bot, renderer, settled, *after, cold)
    sizes3 = (small, middle, large)
    pairs = ((one, five), (eight, five_again))
    return report_rows(timings, sizes3, (small, eight_weeks, deep), ledgers, memory, pairs)


async def render_process_left(run: BotRun) -> None:
    for _ in range(int(RENDER_IDLE_SECONDS * 10) + 200):
        if not run.children():
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the render process did not leave when idle")


Case = tuple[int, int]
Pair = tuple[ReportTiming, ReportTiming]


def report_rows(
    timings: dict[Case, ReportTiming],
    sizes: tuple[Case, Case, Case],
    histories: tuple[Case, Case, Case],
    ledgers: dict[Case, tuple[int, int]],
    memory: ReportMemory,
    pairs: tuple[Pair, Pair],
) -> list[Row]:
    small, _, large = sizes

    def sizes3(value: Callable[[ReportTiming], float]) -> str:
        return " / ".join(f"{value(timings[c]) * 1000:.0f}" for c in sizes)

    def both(t: ReportTiming) -> float:
        return t.report + t.word

    (one, five), (eight, five_again) = pairs
    (p1, d1), (p8, d8), (p5, d5) = (ledgers[case] for case in histories)
    return [
        Row(
            "/report 13 / 200 / 1,000 groups (median warm)",
            "—",
            f"{sizes3(lambda t: t.report)} ms (CPU {sizes3(lambda t: t.report_cpu)} ms)",
            "—",
            "13 < 300 ms, 1,000 < 2 s",
            verdict(timings[small].report < 0.3 and timings[large].report < 2.0),
        ),
        Row(
            "/report Word button 13 / 200 / 1,000 groups (median warm)",
            "—",
            f"{sizes3(lambda t: t.word)} ms (CPU {sizes3(lambda t: t.word_cpu)} ms)",
            "—",
            "—",
            "—",
        ),
        Row(
            "/report and its Word file together 13 / 200 / 1,000 groups",
            "—",
            f"{sizes3(both)} ms",
            "—",
            "13 < 300 ms, 1,000 < 2 s",
            verdict(both(timings[small]) < 0.3 and both(timings[large]) < 2.0),
        ),
        Row(
            "/report one week vs five years of history",
            f"{one.report * 1000:.0f} ms (CPU {one.report_cpu * 1000:.0f} ms)",
            f"{five.report * 1000:.0f} ms (CPU {five.report_cpu * 1000:.0f} ms)",
            f"{ratio(five.report, one.report)} (CPU {ratio(five.report_cpu, one.report_cpu)})",
            "within 20%",
            verdict(abs(five.report / one.report - 1) <= 0.2),
        ),
        Row(
            "/report eight weeks vs five years of history (the same trend drawn)",
            f"{eight.report * 1000:.0f} ms (CPU {eight.report_cpu * 1000:.0f} ms)",
            f"{five_again.report * 1000:.0f} ms (CPU {five_again.report_cpu * 1000:.0f} ms)",
            f"{ratio(five_again.report, eight.report)} "
            f"(CPU {ratio(five_again.report_cpu, eight.report_cpu)})",
            "within 20%",
            verdict(abs(five_again.report / eight.report - 1) <= 0.2),
        ),
        Row(
            "/report open problems / decisions, one week / eight weeks vs five years",
            f"{p1} / {d1}; {p8} / {d8}",
            f"{p5} / {d5}",
            "—",
            "equal",
            verdict((p1, d1) == (p8, d8) == (p5, d5)),
        ),
        Row(
            "/report 13 groups, the first after the render process left",
            f"{timings[small].report * 1000:.0f} ms (warm)",
            f"{memory.cold_report * 1000:.0f} ms",
            ratio(memory.cold_report, timings[small].report),
            "—",
            "—",
        ),
        Row(
            "resident memory after a 1,000-group report: bot process",
            "—",
            f"{memory.bot:.0f} MB (the render process beside it: {memory.renderer:.0f} MB, "
            f"{memory.renderer_settled:.0f} MB a second later)",
            "—",
            "< 120 MB",
            verdict(memory.bot < 120),
        ),
        Row(
            f"resident memory once the render process left ({RENDER_IDLE_SECONDS:.0f} s idle)",
            "—",
            f"{memory.bot_after + memory.renderer_after:.0f} MB in all",
            "—",
            "< 120 MB",
            verdict(memory.bot_after + memory.renderer_after < 120),
        ),
    ]


async def seed_samples(
    url: str, cases: list[tuple[int, int]], directors: list[int]
) -> dict[tuple[int, int], tuple[int, int]]:
    """Every case's sample office; returns each one's open (problems, decisions).

    The first case has one week of history; every case with more has its old items closed
    down to the first case's open ledgers, so history is all that differs.
    """
    from bot import clock
    from bot.sample import load_sample
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import Membership, Person, Workspace

    clock.set_clock(clock.FixedClock(REPORT_CLOCK))
    database = Database(url)
    await upgrade(database)
    ledgers: dict[tuple[int, int], tuple[int, int]] = {}
    try:
        for number, ((groups, weeks), director) in enumerate(zip(cases, directors, strict=True)):
            async with database.session() as session:
                summary = await load_sample(session, -2_000_000_000 - number, weeks, groups)
                if weeks > 1:
                    await close_old_items(session, summary.workspace_id, *ledgers[cases[0]])
                ledgers[(groups, weeks)] = await open_ledger_sizes(session, summary.workspace_id)
                workspace = await session.get(Workspace, summary.workspace_id)
                assert workspace is not None
                # Thursday's prompts to a thousand sample contacts are not what is measured:
                # without a grace period the scheduler skips the step (and says so).
                workspace.settings = {**workspace.settings, "grace_hours": 0}
                person = Person(telegram_user_id=director, display_name=f"主任{number}")
                session.add(person)
                await session.flush()
                session.add(
                    Membership(
                        workspace_id=summary.workspace_id, person_id=person.id, role="director"
                    )
                )
    finally:
        clock.set_clock(None)
        await database.dispose()
    return ledgers


async def report_timing(
    stage: Stage, driver: Any, run: BotRun, directors: Sequence[Any], repeats: int
) -> list[ReportTiming]:
    """Each director's medians of ``repeats`` rounds of /report and Word, after one round
    that warms up. With several, the rounds take turns (ABBA...): the history rows compare
    two offices, and measured one after the other their ratio moved with whatever the
    render process had drawn before (from 1.09x to 1.42x between runs)."""
    rounds: list[list[tuple[float, float, float, float]]] = [[] for _ in directors]
    order = list(range(len(directors)))
    for number in range(1 + repeats):
        for index in order if number % 2 == 0 else order[::-1]:
            before = run.cpu_seconds()
            report, chart = await report_trip(stage, driver, run, directors[index])
            middle = run.cpu_seconds()
            word = await word_trip(stage, driver, run, directors[index], chart)
            if number:  # the first round warms up
                rounds[index].append((report, middle - before, word, run.cpu_seconds() - middle))
    return [ReportTiming(*(median([r[i] for r in side]) for i in range(4))) for side in rounds]


async def report_trip(
    stage: Stage, driver: Any, run: BotRun, director: Any
) -> tuple[float, Arrival]:
    """Seconds from /report to its last message, the chart; and that message.

    ``/report`` answers with the status (and agenda), then the chart carrying the export
    buttons, whose caption begins with the preview mark; the wait is for that caption, so
    a scheduled message to the director in between is not taken for it.
    """
    count = len(stage.messages(run.bot_id, director.id))
    sent = time.perf_counter()
    await driver.send_text(director, director.id, "/report")
    chart = await stage.wait_for(
        run.bot_id, director.id, count, lambda a: a.text.startswith(CHART_CAPTION), timeout=120
    )
    return chart.at - sent, chart


async def word_trip(stage: Stage, driver: Any, run: BotRun, director: Any, chart: Arrival) -> float:
    """Seconds from a press of the chart's Word button to the Word file (one message)."""
    count = len(stage.messages(run.bot_id, director.id))
    sent = time.perf_counter()
    try:
        await driver.press_button(director, director.id, WORD_BUTTON, chart.message_id)
    except Exception as error:
        seen = [(a.message_id, a.text[:40]) for a in stage.messages(run.bot_id, director.id)]
        raise RuntimeError(f"no Word button under {chart.message_id}; chat: {seen}") from error
    document = await stage.wait_for(
        run.bot_id, director.id, count, lambda a: a.text == WORD_CAPTION, timeout=120
    )
    return document.at - sent


# --- footprint --------------------------------------------------------------------------------


async def footprint(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    at_head = sqlite_url(work / "footprint.sqlite3")
    await seed_offices(at_head, [])
    cache = work / "bytecode"
    kinds = ("echo", "lihui", "fresh", "echo+pyc", "lihui+pyc")
    startup: dict[str, list[float]] = {kind: [] for kind in kinds}
    rss: dict[str, list[float]] = {"echo": [], "lihui": []}
    for attempt in range(-1, sizes.startups):  # attempt -1 fills the bytecode cache
        for kind in kinds if attempt >= 0 else ("echo+pyc", "lihui+pyc"):
            fresh = sqlite_url(work / f"fresh-{attempt}.sqlite3")
            run = start_bot(
                stage,
                "echo" if kind.startswith("echo") else "lihui",
                work,
                fresh if kind == "fresh" else at_head,
                bytecode_cache=cache if kind.endswith("+pyc") else None,
            )
            async with running(stage, run):
                startup[kind].append(await started(stage, run))
                if kind in rss and attempt >= 0:
                    await asyncio.sleep(sizes.idle_seconds)
                    rss[kind].append(run.rss_mb())
            if attempt < 0:
                startup[kind].clear()
    up = {k: median(v) for k, v in startup.items()}
    mem = {k: median(v) for k, v in rss.items()}
    return [
        Row(
            "start to first getUpdates (schema at head)",
            f"{up['echo']:.2f} s",
            f"{up['lihui']:.2f} s",
            ratio(up["lihui"], up["echo"]),
            "≤ 1.5×",
            verdict(up["lihui"] <= 1.5 * up["echo"]),
        ),
        Row(
            "start to first getUpdates (schema at head, bytecode cached)",
            f"{up['echo+pyc']:.2f} s",
            f"{up['lihui+pyc']:.2f} s",
            ratio(up["lihui+pyc"], up["echo+pyc"]),
            "≤ 1.5×",
            verdict(up["lihui+pyc"] <= 1.5 * up["echo+pyc"]),
        ),
        Row(
            "start to first getUpdates (fresh database, migrations)",
            f"{up['echo']:.2f} s",
            f"{up['fresh']:.2f} s",
            ratio(up["fresh"], up["echo"]),
            "—",
            "—",
        ),
        Row(
            "resident memory, idle",
            f"{mem['echo']:.0f} MB",
            f"{mem['lihui']:.0f} MB",
            ratio(mem["lihui"], mem["echo"]),
            "≤ 2× and < 120 MB",
            verdict(mem["lihui"] <= 2 * mem["echo"] and mem["lihui"] < 120),
        ),
    ]
