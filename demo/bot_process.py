"""The real bot, as ``lihui run`` in a process of its own, pointed at the demo's sandbox.

Why a separate process and not a task: the demo must show the product as it runs, through
the same code path as production (the Bot API over HTTP, ``TELEGRAM_API_BASE_URL``), with
nothing shared in memory. The process gets its own session, so a Ctrl-C in the terminal
reaches the demo only, and the demo stops the bot in order (SIGTERM, then wait).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

log = logging.getLogger(__name__)
READY_LINE = "lihui is running"
# Variables of the operator's environment (or .env) that must not leak into the demo's bot.
_NOT_INHERITED = ("LIHUI_", "TELEGRAM_", "DATABASE_URL")


def lihui_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("lihui")
    found = str(beside_python) if beside_python.exists() else shutil.which("lihui")
    return [found] if found else [sys.executable, "-m", "bot.cli"]


def bot_environment(
    api_base_url: str, token: str, database_url: str, clock_file: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=api_base_url,
        DATABASE_URL=database_url,
        LIHUI_CLOCK_FILE=str(clock_file),
        LIHUI_WEBHOOK_URL="",  # polling, whatever a .env in this folder says
        LIHUI_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


class BotProcess:
    """Start, watch and stop one ``lihui run``; its output goes to ``log_path``."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as output:
            self.process = await asyncio.create_subprocess_exec(
                *lihui_command(),
                "run",
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        await self._wait_ready(offset, timeout)

    async def _wait_ready(self, offset: int, timeout: float) -> None:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if READY_LINE in self._log_from(offset):
                return
            if not self.running:
                break
            await asyncio.sleep(0.1)
        tail = self._log_from(offset)[-2000:]
        raise RuntimeError(f"the bot did not start (log: {self.log_path}):\n{tail}")

    def _log_from(self, offset: int) -> str:
        with self.log_path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", errors="replace")

    async def wait(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def stop(self, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """SIGTERM (the bot finishes its turn and exits), SIGKILL if it hangs."""
        if not self.running:
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            log.warning("the bot did not stop within %.0f s; killing it", timeout)
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
