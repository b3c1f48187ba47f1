"""The real bot as a separate process, as an operator would run it: ``lihui run``.

Tests start it with ``TELEGRAM_API_BASE_URL`` pointing at the sandbox, move its clock by
writing ``LIHUI_CLOCK_FILE`` (see :mod:`bot.clock`), kill it with SIGKILL in the middle of
a dialog, and read its log for tracebacks afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

READY_LINE = "lihui is running"
# Where the bot processes keep the compiled bytecode of lihui's own modules (the venv's
# libraries have theirs from the install). Where PYTHONDONTWRITEBYTECODE is set, as on the
# team's machines, every one of the suite's hundreds of bot starts would otherwise compile
# bot/, handlers/ and storage/ from source again: about 0.1 s of CPU each.
PYCACHE = Path(tempfile.gettempdir()) / "lihui-test-pycache"


def lihui_executable() -> str:
    beside_python = Path(sys.executable).with_name("lihui")
    found = beside_python if beside_python.exists() else shutil.which("lihui")
    assert found, "the lihui console script is not installed (uv sync)"
    return str(found)


@dataclass
class BotProcess:
    """One ``lihui run`` process; restartable, its log kept across restarts."""

    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log_offset: int = field(default=0)

    def start(self, timeout: float = 30.0) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [lihui_executable(), "run"], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.starts += 1
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_LINE in self.log_since_start():
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"lihui did not start:\n{self.log()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, like a power cut or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode

    def log(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    def log_since_start(self) -> str:
        return self.log()[self._log_offset :] if self.log_path.exists() else ""

    def assert_clean_log(self) -> None:
        """No traceback and no ERROR line: bad input must be answered, never crash."""
        text = self.log()
        bad = [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]
        assert not bad, "the bot logged errors:\n" + "\n".join(bad[:20]) + "\n" + text[-3000:]


def bot_env(
    *,
    sandbox_api: str,
    token: str,
    database_url: str,
    clock_file: Path,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIHUI_", "TELEGRAM_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPYCACHEPREFIX=str(PYCACHE),
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=sandbox_api,
        DATABASE_URL=database_url,
        LIHUI_CLOCK_FILE=str(clock_file),
        LIHUI_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        # Scenarios type at machine speed, far faster than a person: the flood budget
        # (bot/access/budget.py) is widened for them; the flood test sets the real one back.
        LIHUI_FLOOD_BURST="100000",
        LIHUI_FLOOD_PER_SECOND="100000",
    )
    env.update(extra or {})
    return env
