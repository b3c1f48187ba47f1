"""``/report`` in-process at 13, 200 and 1,000 groups and after five years of weekly history.

A focused measurement for the report issue, beside ``python -m bench`` (which drives the
real bot through the sandbox and owns the published table): it calls the reports service
as ``/report`` and its Word button do, in one process on SQLite, and prints the median
wall time and the median CPU time of each size. CPU time is the figure that holds on a
loaded machine; wall time adds whatever the other processes took.

Run it on this tree, or on an older one to compare in the same run (the sample offices
are seeded once into ``--work`` and reused)::

    PYTHONPATH=. .venv/bin/python bench/report_sizes.py --work /tmp/report-sizes
    PYTHONPATH=/path/to/old/tree .venv/bin/python bench/report_sizes.py --work /tmp/report-sizes

Each office is ``lihui sample`` data ending in 2026-W48; "5 years" is 13 groups with 260
weeks of history (its current week carries the open problems and decisions those years
left, as a real office's would).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot import clock
from bot.reports import service
from bot.sample import load_sample
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Workspace

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SIZES = {"13 groups": (13, 8), "200 groups": (200, 8), "1000 groups": (1000, 8),
         "13 groups, 5 years": (13, 260)}  # fmt: skip
CHAT_ID = -1


async def seed(url: str, groups: int, weeks: int) -> None:
    database = Database(url)
    await upgrade(database)
    clock.set_clock(clock.FixedClock(NOW))
    try:
        async with database.session() as session:
            await load_sample(session, CHAT_ID, weeks=weeks, groups=groups, end_period="2026-W48")
    finally:
        clock.set_clock(None)
        await database.dispose()


async def one_report(database: Database) -> tuple[float, float]:
    """Wall and CPU seconds of ``/report`` (text and chart) plus its Word button."""
    async with database.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == CHAT_ID))
        assert workspace is not None
        wall, cpu = time.perf_counter(), time.process_time()
        replies = await service.status_replies(session, workspace, NOW, "zh-CN")
        key = await service.current_period_key(session, workspace, NOW)
        word = await service.export_reply(session, workspace, key, "word", "zh-CN", NOW)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert replies[1].attachment is not None and word.attachment is not None
    return wall, cpu


async def measure(url: str, repeats: int) -> tuple[float, float]:
    database = Database(url)
    try:
        await one_report(database)  # warm: imports, fonts, compiled statements
        runs = [await one_report(database) for _ in range(repeats)]
    finally:
        await database.dispose()
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


async def main(work: Path, repeats: int, only: list[str]) -> None:
    print("| size | median wall | median CPU |\n| --- | --- | --- |", flush=True)
    for name, (groups, weeks) in SIZES.items():
        if only and not any(part in name for part in only):
            continue
        path = work / f"report-{groups}g-{weeks}w.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        if not path.exists():
            await seed(url, groups, weeks)
        wall, cpu = await measure(url, repeats)
        print(f"| {name} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/lihui-report-sizes"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=[])
    arguments = parser.parse_args()
    arguments.work.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(arguments.work, arguments.repeats, arguments.only))
