"""The benchmarks. Each measures lihui beside its baseline in the same run, and gives rows.

- unknown person: a private text from someone lihui does not know (identify, mark the
  update, answer a hint), many people at a steady rate: CPU per update;
- dialog step: one contact alternately typing the week's done text and pressing « back,
  150 ms apart, on SQLite and (when a server is named) PostgreSQL: CPU per step, round trip;
- under load: a bulk fan-out to 1,000 contacts in 100 offices while one of its chats is
  held by a 30 s ``retry_after`` and 20 contacts do dialog steps at a human pace: their p95
  beside their own unloaded p95, the fan-out's rate beside Telegram's 30 a second, and the
  prompts lost or doubled;
- reports: ``/report`` for 13, 200 and 1,000 groups, once the reports service is on main;
- footprint: start-up to the first getUpdates, resident memory when idle.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.echo_bot import BACK
from bench.seed import fresh_postgres, postgres_server, seed_offices
from bench.world import Arrival, BotRun, Stage, median, percentile, start_bot, started

ASK_DONE = "本周工作完成情况"
FAN_OUT_TEXT = "【基准】本周填报已开始，请点击开始填报。"


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
    human_pace=(0.2, 0.4),
    held_retry_after=2,
    startups=1,
    idle_seconds=0.5,
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
    [contact] = make_users(stage, 1, f"contact{backend.lower()}")
    await seed_offices(url, [[(contact.id, contact.username)]])
    cpu: dict[str, float] = {}
    trips: dict[str, list[float]] = {}
    for kind in ("echo", "lihui"):
        async with running(stage, start_bot(stage, kind, work, url)) as run:
            driver = stage.driver(run.token)
            cpu[kind], trips[kind] = await alternate_steps(stage, driver, run, contact, sizes)
            await driver.aclose()
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
    """A typed answer or a press of « back on the last question; the reply and its time."""
    count = len(stage.messages(run.bot_id, contact.id))
    sent = time.perf_counter()
    if typed:
        await driver.send_text(contact, contact.id, f"本周完成情况 {count}")
    else:
        await driver.press_button(contact, contact.id, BACK, last.message_id)
    reply = await stage.wait_for(
        run.bot_id, contact.id, count, lambda a: not a.text.startswith("【基准】")
    )
    return reply, reply.at - sent


async def alternate_steps(
    stage: Stage, driver: Any, run: BotRun, contact: Any, sizes: Sizes
) -> tuple[float, list[float]]:
    last = await begin_dialog(stage, driver, run, contact)
    trips: list[float] = []
    before = run.cpu_seconds()
    for i in range(sizes.warm_steps + sizes.steps):
        if i == sizes.warm_steps:
            before = run.cpu_seconds()
        started_at = time.perf_counter()
        last, trip = await one_step(stage, driver, run, contact, last, typed=i % 2 == 0)
        if i >= sizes.warm_steps:
            trips.append(trip)
        await asyncio.sleep(max(0.0, started_at + sizes.step_gap - time.perf_counter()))
    return (run.cpu_seconds() - before) / sizes.steps, trips


# --- under load -------------------------------------------------------------------------------


async def under_load(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    total = sizes.offices * sizes.per_office
    people = make_users(stage, total, "member")
    url = sqlite_url(work / "load.sqlite3")
    offices = [
        [(p.id, p.username) for p in people[i : i + sizes.per_office]]
        for i in range(0, total, sizes.per_office)
    ]
    await seed_offices(url, offices)
    token = stage.new_token()
    world = stage.sandbox.server.world
    stage.in_sandbox(lambda: world.bot_for_token(token).started.update(p.id for p in people))
    trigger = work / "fan-out.json"
    run = start_bot(
        stage,
        "fanout",
        work,
        url,
        command=[str(Path(__import__("sys").executable)), "-m", "bench.fanout_bot"],
        extra_env={"BENCH_FANOUT_FILE": str(trigger)},
        token=token,
    )
    stage.set_flood_limits(True)
    try:
        async with running(stage, run):
            driver = stage.driver(run.token)
            result = await load_phases(stage, driver, run, people, sizes, trigger)
            await driver.aclose()
    finally:
        stage.set_flood_limits(False)
    return result


async def load_phases(
    stage: Stage, driver: Any, run: BotRun, people: list[Any], sizes: Sizes, trigger: Path
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
    job = json.dumps({"chats": [p.id for p in people], "text": FAN_OUT_TEXT})
    trigger.write_text(job)  # noqa: ASYNC240 (small and local; the fan-out starts on it)
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
            await stage.wait_for(
                run.bot_id, person.id, 0, lambda a: a.text == FAN_OUT_TEXT, timeout=300
            )
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
    prompts = {
        p.id: [a for a in stage.messages(run.bot_id, p.id) if a.text == FAN_OUT_TEXT]
        for p in people
    }
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


async def reports(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    if importlib.util.find_spec("bot.reports.service") is None:
        pending = "pending: bot.reports.service is not on main yet"
        return [
            Row(
                "/report 13 / 200 / 1,000 groups (median warm)",
                "—",
                "—",
                "—",
                "13 < 300 ms, 1,000 < 2 s",
                pending,
            ),
            Row("/report one week vs five years of history", "—", "—", "—", "within 20%", pending),
            Row("resident memory after a 1,000-group report", "—", "—", "—", "< 120 MB", pending),
        ]
    return [Row("/report", "—", "—", "—", "—", "pending: benchmark not written yet")]


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


Benchmark = Callable[[Stage, Path, Sizes], Coroutine[Any, Any, list[Row]]]
BENCHMARKS: list[tuple[str, Benchmark]] = [
    ("unknown person", unknown_person),
    ("dialog step", dialog_step),
    ("under load", under_load),
    ("reports", reports),
    ("footprint", footprint),
]
