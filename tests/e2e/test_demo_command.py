"""``lihui demo`` as a command: it stops cleanly on Ctrl-C, and says at once when its port is
taken. (What the page does is in ``tests/browser/``.)"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import psutil
import pytest

from sandbox.driver import shared_tls
from tests.browser.demo_process import DemoProcess
from tests.e2e.harness import lihui_executable

pytestmark = pytest.mark.e2e


def test_ctrl_c_stops_the_page_the_bot_and_the_sandbox(tmp_path: Path) -> None:
    demo = DemoProcess(tmp_path / "demo")
    url = demo.start()
    assert demo.process is not None
    info = httpx.get(f"{url}/api/demo", timeout=10, verify=shared_tls()).json()
    assert info["bot"]["username"] == "lihui_demo_bot" and len(info["personas"]) == 25
    children = psutil.Process(demo.process.pid).children(recursive=True)
    assert any("run" in child.cmdline() for child in children), "the bot runs as lihui run"

    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(60) == 0
    time.sleep(0.2)
    output = demo.text()
    assert "演示已停止" in output and "Traceback" not in output
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {alive}"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2, verify=shared_tls())
    assert (tmp_path / "demo" / "sandbox.json").exists()  # the chats are kept for next time


def test_a_taken_port_is_named_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [lihui_executable(), "demo", "--port", str(port), "--data-dir", str(tmp_path / "d")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stdout and f"--port {port + 1}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "d" / "lihui-demo.sqlite3").exists()  # nothing was started


def test_a_crashed_bot_is_brought_back_and_nothing_said_meanwhile_is_lost(
    tmp_path: Path,
) -> None:
    demo = DemoProcess(tmp_path / "demo")
    url = demo.start()
    assert demo.process is not None
    try:
        info = httpx.get(f"{url}/api/demo", timeout=10, verify=shared_tls()).json()
        contact = next(p for p in info["personas"] if p["username"] == "sample_contact04")
        chat = contact["user_id"]

        def answers() -> list[str]:
            """The bot's answers to /mystatus (its weekly prompt may arrive meanwhile)."""
            views = httpx.get(
                f"{url}/_sandbox/chats/{chat}/messages", timeout=10, verify=shared_tls()
            ).json()
            texts = [v["message"].get("text", "") for v in views["messages"] if v["from_bot"]]
            return [text for text in texts if "我负责的专项组" in text]

        assert answers() == []
        [bot] = [
            child
            for child in psutil.Process(demo.process.pid).children(recursive=True)
            if "run" in child.cmdline()
        ]
        bot.kill()  # SIGKILL: a crash, no chance to clean up
        bot.wait(10)
        sent = httpx.post(
            f"{url}/_sandbox/messages",
            json={"user_id": chat, "chat_id": chat, "text": "/mystatus"},
            timeout=10,
            verify=shared_tls(),
        )
        sent.raise_for_status()  # written while the bot is down: Telegram keeps it
        deadline = time.monotonic() + 60
        while not answers() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(1.0)  # room for a second answer, which must not come
        assert len(answers()) == 1, demo.text()
        assert "重新启动" in demo.text()
        assert (
            httpx.get(f"{url}/api/overview", timeout=10, verify=shared_tls()).json()["bot"]
            == "running"
        )
    finally:
        demo.stop()
