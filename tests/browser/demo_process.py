"""``lihui demo`` as a subprocess, as a newcomer runs it: on a free port, its own data."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sandbox.driver import shared_tls
from tests.e2e.harness import lihui_executable

READY = re.compile(r"http://127\.0\.0\.1:\d+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class DemoProcess:
    """One ``lihui demo``; its whole output is kept for the checks at the end."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)
    url: str = ""

    def start(self, timeout: float = 120.0) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LIHUI_", "TELEGRAM_"))}
        self.process = subprocess.Popen(
            [
                lihui_executable(),
                "demo",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()
        threading.Thread(target=self._read, args=(ready,), daemon=True).start()
        if not ready.wait(timeout) or not self.url:
            self.stop()
            raise AssertionError("lihui demo did not start:\n" + "".join(self.output))
        return self.url

    def _read(self, ready: threading.Event) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            found = READY.search(line)
            if found and not self.url:
                self.url = found.group(0)
                ready.set()
        ready.set()  # the process ended

    def stop(self) -> int:
        """SIGTERM, as a service manager (or Ctrl-C) would; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        time.sleep(0.2)  # let the reader thread take the last lines
        return self.process.returncode

    def text(self) -> str:
        return "".join(self.output)

    def bot_log(self) -> str:
        path = self.data_dir / "bot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def demo_info(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/api/demo", timeout=10, verify=shared_tls()).json()
