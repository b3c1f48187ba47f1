"""Browser tests of ``lihui demo``: Debian's Chromium driven by Playwright for Python.

Never a browser Playwright downloads: the tests use ``/usr/bin/chromium`` (or
``LIHUI_CHROMIUM``) and skip, with one line saying how to get it, where there is none.
``lihui demo`` runs as a subprocess on a free port with a data directory of its own, as a
newcomer would run it. Screenshots go to ``LIHUI_ARTIFACTS`` (default: the test's tmp_path).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo_process import DemoProcess

CHROMIUM = Path(os.environ.get("LIHUI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def artifacts(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    root = Path(os.environ["LIHUI_ARTIFACTS"]) if os.environ.get("LIHUI_ARTIFACTS") else tmp_path
    folder = root / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


StartDemo = Callable[..., DemoProcess]


def stop_cleanly(demo: DemoProcess) -> None:
    """Stop ``demo`` as Ctrl-C would; it must exit 0 with no traceback or ERROR logged."""
    code = demo.stop()
    assert code == 0, f"lihui demo exited with {code}:\n{demo.text()}"
    for text in (demo.text(), demo.bot_log()):
        assert "Traceback" not in text and " ERROR " not in text, text[-4000:]


@pytest.fixture
def start_demo(tmp_path: Path) -> Iterator[StartDemo]:
    """Start ``lihui demo`` processes; each is stopped and must have stopped cleanly."""
    started: list[DemoProcess] = []

    def start(data_dir: Path | None = None) -> DemoProcess:
        demo = DemoProcess(data_dir or tmp_path / "demo")
        demo.start()
        started.append(demo)
        return demo

    yield start
    for demo in started:
        stop_cleanly(demo)


@pytest.fixture(scope="module")
def shared_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    """One demo for a module's tests that each talk as people of their own and leave the
    clock alone (a start costs some 2.8 s of CPU); a test that moves the clock, restarts
    the demo or reads the week's figures starts its own with ``start_demo``."""
    demo = DemoProcess(tmp_path_factory.mktemp("shared-demo") / "demo")
    demo.start()
    yield demo
    stop_cleanly(demo)


@pytest.fixture(scope="module")
def chromium_instance() -> Iterator[Any]:
    """One Chromium for a module's tests (a launch costs some 1.5 s of CPU): each test
    still gets pages of its own, in contexts of their own (cookies, storage), closed after
    it by :func:`browser`."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def browser(chromium_instance: Any) -> Iterator[Any]:
    """The module's Chromium; whatever the test opened in it is closed after it."""
    before = set(chromium_instance.contexts)
    yield chromium_instance
    for context in chromium_instance.contexts:
        if context not in before:
            context.close()
