"""The one clock. Everything that asks "what time is it?" asks :func:`get_clock`.

Production reads the system clock. Tests and ``lihui demo`` must move time for a bot that
runs in another process (Thursday 09:00, then Friday 18:01 ...), so when ``LIHUI_CLOCK_FILE``
names a file, the clock reads a moment from it and lets time flow on from there: now is
that moment plus the real time elapsed since the file was written. Writing the file again
moves the clock; no restart, no monkeypatching of the code under test.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FileClock:
    """A clock set by writing an ISO 8601 instant into a file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The file is read again only when it changes (every write replaces it: a new
        # inode), so asking the time costs a stat, not an open and a parse.
        self._seen: tuple[int, int, int] | None = None
        self._anchor: datetime | None = None

    def now(self) -> datetime:
        real_now = datetime.now(UTC)
        try:
            stat = self.path.stat()
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if seen != self._seen:
                self._anchor, self._seen = self._read(), seen
        except FileNotFoundError:
            return real_now
        if self._anchor is None:
            return real_now
        written = datetime.fromtimestamp(stat.st_mtime, UTC)
        return self._anchor + max(real_now - written, timedelta(0))

    def _read(self) -> datetime | None:
        text = self.path.read_text(encoding="utf-8").strip()
        if not text:
            return None
        anchor = datetime.fromisoformat(text)
        if anchor.tzinfo is None:
            raise ValueError(f"{self.path}: the clock needs a time zone, got {text!r}")
        return anchor.astimezone(UTC)

    def set(self, moment: datetime) -> None:
        """Move the clock to ``moment`` (used by tests and the demo, never in production)."""
        if moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware moment")
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(moment.isoformat(), encoding="utf-8")
        tmp.replace(self.path)


class FixedClock:
    """A clock that always reads one instant: for unit tests of time-dependent rules."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware moment")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


_clock: Clock | None = None


def get_clock() -> Clock:
    global _clock
    if _clock is None:
        path = os.environ.get("LIHUI_CLOCK_FILE")
        _clock = FileClock(Path(path)) if path else SystemClock()
    return _clock


def set_clock(clock: Clock | None) -> None:
    """Install a clock for this process (unit tests); ``None`` re-reads the environment."""
    global _clock
    _clock = clock


def now() -> datetime:
    return get_clock().now()
