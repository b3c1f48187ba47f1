"""``lihui jobs list`` and ``lihui calendar``, as an operator runs them (no token needed)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import FileClock
from tests.databases import sqlite_url
from tests.e2e.conftest import GROUPS, SHANGHAI
from tests.e2e.harness import lihui_executable
from tests.e2e.seed import seed_office

pytestmark = pytest.mark.e2e

CHAT = -1009876543210


def lihui(tmp_path: Path, clock: FileClock, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": sqlite_url(tmp_path),
        "LIHUI_CLOCK_FILE": str(clock.path),
    }
    return subprocess.run(
        [lihui_executable(), *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_jobs_list_shows_the_next_runs_with_the_holiday_reason(tmp_path: Path) -> None:
    await seed_office(sqlite_url(tmp_path), CHAT, GROUPS)
    clock = FileClock(tmp_path / "clock")
    clock.set(datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI))
    listing = lihui(tmp_path, clock, "jobs", "list", "--chat", str(CHAT))
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0] == f"温暖二七领导小组办公室（群 {CHAT}，Asia/Shanghai）"
    assert (
        "  open      2026-W40  9月30日（周三）09:00  开始填报  (原定10月1日，因国庆节调整)" in lines
    )
    assert any(line.startswith("  summary   2026-W40  10月5日（周一）08:30") for line in lines)
    assert [line.split()[0] for line in lines[1:]] == [
        "open",
        "remind",
        "deadline",
        "agenda",
        "summary",
        "monthly",
    ]


async def test_calendar_add_and_list_and_the_schedule_follows(tmp_path: Path) -> None:
    await seed_office(sqlite_url(tmp_path), CHAT, GROUPS)
    clock = FileClock(tmp_path / "clock")
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))
    added = lihui(
        tmp_path, clock, "calendar", "add", "2026-11-26", "holiday", "--note", "区里安排",
        "--chat", str(CHAT),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "已设置：2026-11-26 为休息日。"
    listing = lihui(tmp_path, clock, "calendar", "list")
    assert listing.stdout.strip() == f"{CHAT}  2026-11-26  休息日  区里安排"
    jobs = lihui(tmp_path, clock, "jobs", "list")
    assert (
        "  open      2026-W48  11月27日（周五）09:00  开始填报  (原定11月26日，因休息日调整)"
        in (jobs.stdout.splitlines())
    )
    bad = lihui(tmp_path, clock, "calendar", "add", "2026-02-30", "holiday", "--chat", str(CHAT))
    assert bad.returncode == 2 and "无法识别的日期：2026-02-30" in bad.stderr
    unknown = lihui(tmp_path, clock, "jobs", "list", "--chat", "-1")
    assert unknown.returncode == 1 and "没有找到对应的工作区" in unknown.stderr
