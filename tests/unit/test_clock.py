"""The file clock: moved by writing its file, read again only when the file changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FileClock

THURSDAY = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def test_a_missing_or_empty_file_reads_the_system_clock(tmp_path: Path) -> None:
    clock = FileClock(tmp_path / "clock.txt")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    clock.path.write_text("", encoding="utf-8")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_each_write_moves_the_clock_and_time_flows_on_from_there(tmp_path: Path) -> None:
    clock = FileClock(tmp_path / "clock.txt")
    clock.set(THURSDAY)
    first = clock.now()
    assert THURSDAY <= first < THURSDAY + timedelta(seconds=5)
    assert clock.now() >= first  # read from the cache: still flowing forward
    for days in (1, 2, 3):  # written again and again within the same instant
        clock.set(THURSDAY + timedelta(days=days))
        assert (
            THURSDAY + timedelta(days=days)
            <= clock.now()
            < THURSDAY + timedelta(days=days, seconds=5)
        )
    clock.path.unlink()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_moment_without_a_time_zone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clock.txt"
    path.write_text("2026-11-26T09:00:00", encoding="utf-8")
    with pytest.raises(ValueError, match="time zone"):
        FileClock(path).now()
