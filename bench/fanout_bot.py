"""``lihui run``'s own wiring plus a bulk fan-out, for the under-load benchmark.

Until the scheduled ``open`` step (``lihui jobs run open``) is on main, this harness stands
in for it: the same application, handlers, transport and the one :class:`Sender` (so the
fan-out and the replies share one flood gate, as they do in ``lihui run``), and a task that,
once the file named by ``BENCH_FANOUT_FILE`` appears, sends its text to its chats with
``bulk=True`` from a pool of workers (a chat held by ``retry_after`` holds one worker, not
the fan-out).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path

from bot import config as config_module
from bot.app import build_application, register_handlers
from bot.replies import Reply
from handlers.sender import Sender, Undeliverable
from handlers.transport import poll_updates
from handlers.turn import Services
from storage.db import Database
from storage.migrate import upgrade

WORKERS = 50


async def fan_out(sender: Sender, trigger: Path) -> None:
    while not trigger.exists():  # noqa: ASYNC110, ASYNC240 (another process writes it)
        await asyncio.sleep(0.05)
    job = json.loads(trigger.read_text())  # noqa: ASYNC240 (small, local, once)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for chat in job["chats"]:
        queue.put_nowait(int(chat))

    async def worker() -> None:
        while not queue.empty():
            chat = queue.get_nowait()
            with contextlib.suppress(Undeliverable):  # the benchmark counts what arrived
                await sender.send(Reply(job["text"]), chat, bulk=True)

    await asyncio.gather(*(worker() for _ in range(WORKERS)))


async def main() -> None:
    config = config_module.load()
    config_module.setup_logging(config)
    database = Database(config.database_url)
    await upgrade(database)
    application = build_application(config)
    register_handlers(application)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with application:
            sender = Sender(application.bot)
            application.bot_data["services"] = Services(
                config, database, sender, application.bot.username
            )
            await application.start()
            task = asyncio.create_task(fan_out(sender, Path(os.environ["BENCH_FANOUT_FILE"])))
            await poll_updates(application, stop)
            task.cancel()
            await application.stop()
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
