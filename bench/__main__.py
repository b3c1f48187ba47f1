"""``python -m bench [--smoke] [--only NAME ...]``: every benchmark, one table of medians.

Each figure of lihui is printed beside its baseline measured in the same run (a bare
python-telegram-bot echo bot, or lihui itself unloaded), with the ratio, the target from
issue 12 and whether it is met. ``--smoke`` runs tiny counts in a few minutes (CI runs it, to
keep the benchmarks from rotting; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench import cases
from bench.cases import FULL, SMOKE, Row, Sizes
from bench.paste_case import paste
from bench.world import Stage

Benchmark = Callable[[Stage, Path, Sizes], Coroutine[Any, Any, list[Row]]]
# Every benchmark, in the order the table prints them (``--only`` matches these names).
BENCHMARKS: list[tuple[str, Benchmark]] = [
    ("unknown person", cases.unknown_person),
    ("dialog step", cases.dialog_step),
    ("under load", cases.under_load),
    ("reports", cases.reports),
    ("footprint", cases.footprint),
    ("paste", paste),
]

HEADER = ("figure", "echo bot / baseline", "lihui", "ratio", "target", "verdict")


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    for row in rows:
        cells = (row.figure, row.echo, row.lihui, row.ratio, row.target, row.verdict)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


async def run(sizes: Sizes, only: list[str], work: Path) -> list[Row]:
    stage = Stage.open()
    rows: list[Row] = []
    try:
        for name, benchmark in BENCHMARKS:
            if only and not any(part in name for part in only):
                continue
            began = time.monotonic()
            print(f"… {name}", file=sys.stderr, flush=True)
            try:
                rows.extend(await benchmark(stage, work, sizes))
            except Exception as error:  # one broken benchmark must not hide the others
                logging.exception("benchmark %s failed", name)
                rows.append(Row(name, "—", "—", "—", "—", f"FAILED: {error!r}"[:200]))
            print(f"  {name}: {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    finally:
        stage.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts, minutes; for CI")
    parser.add_argument("--only", nargs="*", default=[], help="run benchmarks whose name has this")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory(prefix="lihui-bench-") as work:
        rows = asyncio.run(run(SMOKE if args.smoke else FULL, args.only, Path(work)))
    print(table(rows))
    return 1 if any(row.verdict.startswith("FAILED") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
