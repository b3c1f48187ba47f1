"""The two ways the tests start ``lihui run`` behave alike (tests/e2e/harness.py).

Most bots are forked from a server that imported the stack once; these check that such a
bot is still a process of its own as an executed one is: it serves the sandbox, stops
cleanly on SIGTERM with exit code 0, and dies on SIGKILL with nothing to say.
"""

from __future__ import annotations

import os
import signal

import pytest

from sandbox.driver import SandboxDriver
from tests.e2e.conftest import Office, StartBot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("exec_", [False, True], ids=["forked", "executed"])
async def test_a_bot_serves_stops_on_sigterm_and_dies_on_sigkill(
    exec_: bool, driver: SandboxDriver, office: Office, seeded_sqlite: str, start_bot: StartBot
) -> None:
    bot = await start_bot(seeded_sqlite, exec_=exec_)
    assert bot.process is not None and bot.process.pid != os.getpid()
    await driver.send_text(office.zhang, office.zhang.id, "/start")
    await driver.wait_for_message(office.zhang.id, contains="就业援助组")
    assert bot.stop() == 0
    assert "lihui is running" in bot.log()

    bot.start()
    await driver.send_text(office.zhang, office.zhang.id, "/help")
    await driver.wait_for_message(office.zhang.id, contains="/submit")
    bot.kill()
    assert bot.process is not None and bot.process.poll() == -signal.SIGKILL
