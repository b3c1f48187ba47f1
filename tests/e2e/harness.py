"""The real bot as a separate process, as an operator would run it: ``lihui run``.

Tests start it with ``TELEGRAM_API_BASE_URL`` pointing at the sandbox, move its clock by
writing ``LIHUI_CLOCK_FILE`` (see :mod:`bot.clock`), kill it with SIGKILL in the middle of
a dialog, and read its log for tracebacks afterwards.

**Forked, not executed, by default.** The suite starts some two hundred bots, and on the
team's 2-core machines importing the bot's stack (python-telegram-bot, SQLAlchemy, the
mapped models, the handlers) was two thirds of each one's CPU and the largest single cost
of the whole run. So each test process keeps one fork server (:mod:`multiprocessing`'s
``forkserver``) that has loaded the bot's stack once (:mod:`tests.e2e.bot_stack`), and
every bot is a fresh child of it that runs the console script's own entry point
(``bot.launch.main`` with ``lihui run``) under the test's environment, its output in the
test's log. From there on it is the same program: its own process, pid and signals, its
own database connections, HTTP to the sandbox, SIGKILL as a power cut, the exit code it
returns. What a fork cannot show, the start from nothing, is covered by the tests that
execute ``lihui`` (``exec_=True`` below, tests/e2e/test_operator.py, the demo) and by the
start-up benchmark; ``LIHUI_TEST_EXEC_BOT=1`` executes every bot, as before.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

READY_LINE = "lihui is running"
# The bot processes keep the compiled bytecode of lihui's own modules beside the sources, as
# the suite does (the venv's libraries have theirs from the install; tests/__init__.py).


def lihui_executable() -> str:
    beside_python = Path(sys.executable).with_name("lihui")
    found = beside_python if beside_python.exists() else shutil.which("lihui")
    assert found, "the lihui console script is not installed (uv sync)"
    return str(found)


class Running(Protocol):
    """What the tests use of a running bot: ``subprocess.Popen``'s few methods."""

    @property
    def pid(self) -> int: ...
    @property
    def returncode(self) -> int | None: ...
    def poll(self) -> int | None: ...
    def send_signal(self, sig: int) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


def executing_every_bot() -> bool:
    return os.environ.get("LIHUI_TEST_EXEC_BOT", "") not in ("", "0")


@dataclass
class BotProcess:
    """One ``lihui run`` process; restartable, its log kept across restarts."""

    env: dict[str, str]
    log_path: Path
    process: Running | None = None
    starts: int = 0
    exec_: bool = False  # execute the console script rather than fork it (module docstring)
    _log_offset: int = field(default=0)

    def start(self, timeout: float = 30.0) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        if self.exec_ or executing_every_bot():
            log = self.log_path.open("ab")
            self.process = subprocess.Popen(
                [lihui_executable(), "run"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
            log.close()
        else:
            self.process = ForkedBot.start(self.env, self.log_path)
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


# --- bots forked from a server that has imported the stack once (module docstring) -------

_PRELOAD = ["tests", "tests.e2e.bot_stack"]
_server_environ: set[str] = set()  # the fork server's environment variables, by name


class ForkedBot:
    """A ``lihui run`` forked from this test process's fork server, seen as a ``Popen``."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process

    @classmethod
    def start(cls, env: dict[str, str], log_path: Path) -> ForkedBot:
        context = multiprocessing.get_context("forkserver")
        _ensure_fork_server()
        process = context.Process(
            target=_run_lihui,
            args=(env, str(log_path), frozenset(_server_environ)),
            name="lihui run",
        )
        process.start()
        return cls(process)

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return self._process.exitcode

    def send_signal(self, sig: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, sig)

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired("lihui run", timeout or 0)
        return self._process.exitcode


def _ensure_fork_server() -> None:
    """Start the fork server once. It imports ``tests`` first, which keeps the bytecode of
    what it imports after (tests/__init__.py), as every other process of the suite does."""
    if _server_environ:
        return
    multiprocessing.set_forkserver_preload(_PRELOAD)
    _server_environ.update(os.environ)
    multiprocessing.forkserver.ensure_running()


def _run_lihui(env: dict[str, str], log_path: str, server_environ: frozenset[str]) -> None:
    """In the forked child: become ``lihui run`` with the test's environment and log."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for descriptor in (1, 2):
        os.dup2(log, descriptor)
    os.close(log)
    # Line-buffered, as PYTHONUNBUFFERED makes an executed bot's output reach its log.
    sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    # The test's variables replace the server's; what importing the bot set stays, as it
    # would in a bot that had imported itself (python-telegram-bot's PTB_TIMEDELTA).
    for name in server_environ - env.keys():
        os.environ.pop(name, None)
    os.environ.update(env)
    sys.argv = [lihui_executable(), "run"]

    from bot.clock import set_clock
    from bot.launch import main

    set_clock(None)  # the clock is chosen from this environment, not the server's
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
