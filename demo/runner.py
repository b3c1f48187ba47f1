"""``lihui demo``: the sandbox, the real bot, the sample office and the page, together.

Order of start: the demo clock (a file the bot reads, ``LIHUI_CLOCK_FILE``), the sandbox
(in this process, on a free port), its people and the office chat, the sample workspace in
the demo's own database, the bot as a ``lihui run`` process, and last the page, so that the
address is printed only once everything behind it answers. Stopping runs the same list
backwards, on Ctrl-C or SIGTERM alike, and saves the sandbox's chats for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select

from bot.clock import FileClock, set_clock
from bot.i18n import translate
from bot.periods import local_datetime, period_containing
from demo import snapshot
from demo.bot_process import BotProcess, bot_environment
from demo.cast import OFFICE_TITLE, Cast, cast_list, create_cast
from demo.web import DemoWeb
from sandbox.driver import SandboxDriver, SandboxUser
from sandbox.server import SandboxServer
from sandbox.state import World
from sandbox.updates import UpdateQueue
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ProcessedUpdate

# The sandbox's own fake bot: no real token exists in the demo.
DEMO_TOKEN = "700000001:lihui-demo-sandbox-not-a-secret"
BOT_USERNAME = "lihui_demo_bot"
DATABASE_FILE = "lihui-demo.sqlite3"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WARM_UP_LEAD = timedelta(minutes=2)
SAVE_EVERY_SECONDS = 2.0
RESTART_DELAY_SECONDS = 2.0


@dataclass
class DemoOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("data/demo")
    reset: bool = False
    weeks: int = 8
    locale: str = "zh-CN"


def initial_moment(real_now: datetime, tz: tzinfo) -> datetime:
    """Thursday 09:00 of the current week: the moment reports open.

    A newcomer then sees the week from its start: the contacts' prompts, reports for this
    week, then the reminder, the deadline and the Monday summary a click each. The sample's
    history ends the week before.
    """
    week = period_containing(real_now, tz)
    return local_datetime(week, 4, time(9, 0), tz)


def _clear(data_dir: Path) -> None:
    for name in (DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", "clock.txt"):
        (data_dir / name).unlink(missing_ok=True)
    (data_dir / "sandbox.json").unlink(missing_ok=True)
    (data_dir / "instance").unlink(missing_ok=True)
    shutil.rmtree(data_dir / "files", ignore_errors=True)


def _cast_from_world(world: World) -> Cast | None:
    """The cast of a restored sandbox, matched by username; None if it does not fit."""
    by_username = {u.username: u.id for u in world.users.values()}
    office = next((g for g in world.groups.values() if g.title == OFFICE_TITLE), None)
    personas = cast_list()
    if office is None or any(p.username not in by_username for p in personas):
        return None
    for persona in personas:
        persona.user_id = by_username[persona.username]
    return Cast(personas, office.id)


class Demo:
    """One running demo; :meth:`run` returns the process's exit code."""

    def __init__(self, options: DemoOptions) -> None:
        self.options = options
        self.data_dir = options.data_dir.resolve()
        self.database_url = f"sqlite+aiosqlite:///{self.data_dir / DATABASE_FILE}"
        self.clock = FileClock(self.data_dir / "clock.txt")
        self.sandbox = SandboxServer(token=DEMO_TOKEN, bot_username=BOT_USERNAME)
        self.bot: BotProcess | None = None
        self.bot_state = "starting"
        self.stop = asyncio.Event()

    def say(self, key: str, **params: object) -> None:
        print(translate(self.options.locale, key, **params), flush=True)

    def _port_taken(self) -> bool:
        """Say so at once when the page's port is taken, before minutes of starting up."""
        host, port = self.options.host, self.options.port
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                reason = error.strerror or str(error)
                self.say("demo.port_in_use", host=host, port=port, reason=reason, other=port + 1)
                return True
        return False

    async def run(self) -> int:
        if self._port_taken():
            return 1
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop.set)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.options.reset:
            _clear(self.data_dir)
        fresh = not (self.data_dir / DATABASE_FILE).exists()
        if fresh:
            _clear(self.data_dir)  # chats without their database would not make sense
            (self.data_dir / "instance").write_text(secrets.token_hex(8), encoding="utf-8")
            # The people open the bot a little before reports open (see _warm_up).
            self.clock.set(initial_moment(datetime.now(UTC), SHANGHAI) - WARM_UP_LEAD)
        set_clock(self.clock)  # this process (the sample's history) reads the demo clock too
        self.sandbox.world.clock = lambda: self.clock.now().timestamp()
        self.say("demo.starting", data_dir=self.data_dir)
        logging.getLogger("sandbox").setLevel(logging.WARNING)  # its requests are the page's
        async with self._sandbox():
            cast = await self._cast(fresh)
            if fresh:
                await self._load_sample(cast.office_chat_id)
            return await self._serve(cast, fresh)

    @contextlib.asynccontextmanager
    async def _sandbox(self) -> AsyncIterator[None]:
        restored = snapshot.restore(self.sandbox.world, self.data_dir)
        if not restored:
            await self._continue_update_ids()
        await self.sandbox.start("127.0.0.1", 0)
        saver = asyncio.create_task(self._keep_saving())
        try:
            yield
        finally:
            saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await saver
            snapshot.save(self.sandbox.world, self.data_dir)
            await self.sandbox.stop()

    async def _continue_update_ids(self) -> None:
        """Without saved chats, number updates after the last one the bot handled."""
        if not (self.data_dir / DATABASE_FILE).exists():
            return
        database = Database(self.database_url)
        try:
            await upgrade(database)
            async with database.session() as session:
                last = await session.scalar(select(func.max(ProcessedUpdate.update_id)))
        finally:
            await database.dispose()
        if last:
            self.sandbox.world.default_bot.updates = UpdateQueue(int(last) + 1000)

    async def _keep_saving(self) -> None:
        """Save the sandbox's chats soon after each change, so a crash loses little."""
        world, saved = self.sandbox.world, -1
        while True:
            revision = await world.wait_change(saved, 30)
            if revision != saved:
                snapshot.save(world, self.data_dir)
                saved = revision
            await asyncio.sleep(SAVE_EVERY_SECONDS)

    async def _cast(self, fresh: bool) -> Cast:
        cast = None if fresh else _cast_from_world(self.sandbox.world)
        if cast is None:
            async with SandboxDriver(self.sandbox.url) as driver:
                cast = await create_cast(driver)
        return cast

    async def _load_sample(self, chat_id: int) -> None:
        from bot.sample import load_sample

        database = Database(self.database_url)
        try:
            await upgrade(database)
            async with database.session() as session:
                summary = await load_sample(session, chat_id, self.options.weeks)
        finally:
            await database.dispose()
        self.say("demo.sample_loaded", summary=summary.describe(self.options.locale))

    async def _warm_up(self, cast: Cast) -> None:
        """Most people have written to the bot before: it knows them and can write back.

        Done through the bot, as it happened (each sends /start and is answered), before the
        clock reaches the opening of reports, so the week's prompts find them.
        """
        people = [p for p in cast.personas if p.started]
        async with SandboxDriver(self.sandbox.url, poll=0.2) as driver:
            users = [SandboxUser(p.user_id, p.first_name, p.username) for p in people]
            for user in users:
                await driver.send_text(user, user.id, "/start")
            for user in users:
                with contextlib.suppress(AssertionError):  # a slow answer still comes later
                    await driver.wait_for_message(user.id, timeout=120)
        self.clock.set(max(self.clock.now(), initial_moment(self.clock.now(), SHANGHAI)))

    async def _serve(self, cast: Cast, fresh: bool) -> int:
        env = bot_environment(
            self.sandbox.bot_api_base_url, DEMO_TOKEN, self.database_url, self.clock.path
        )
        self.bot = BotProcess(env, self.data_dir / "bot.log")
        try:
            await self.bot.start()
        except RuntimeError:
            self.say("demo.bot_failed", log=self.bot.log_path)
            await self.bot.stop()
            return 1
        self.bot_state = "running"
        if fresh:
            await self._warm_up(cast)
        page = DemoWeb(self.sandbox, cast, self.clock, SHANGHAI, lambda: self.bot_state)
        page.instance = self._instance()
        runner = web.AppRunner(page.app(), access_log=None, handler_cancellation=True)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.options.host, self.options.port, shutdown_timeout=1.0)
            await site.start()
        except OSError as error:
            other = self.options.port + 1
            host, port = self.options.host, self.options.port
            self.say("demo.port_in_use", host=host, port=port, reason=error.strerror, other=other)
            await runner.cleanup()
            await self.bot.stop()
            return 1
        try:
            self.say("demo.ready", url=self._address(site))
            await self._supervise()
        finally:
            await self.bot.stop()
            await runner.cleanup()
        self.say("demo.stopped", data_dir=self.data_dir)
        return 0

    def _instance(self) -> str:
        """This demo's name (kept until --reset), so a page's memory of what was read
        belongs to one demo and not to the next one on the same address."""
        path = self.data_dir / "instance"
        if not path.exists():
            path.write_text(secrets.token_hex(8), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    def _address(self, site: web.TCPSite) -> str:
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        port = sockets[0].getsockname()[1] if sockets else self.options.port
        host = self.options.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{shown}:{port}"

    async def _supervise(self) -> None:
        """Wait for Ctrl-C; bring the bot back if it dies, as an operator's service would."""
        assert self.bot is not None
        stopping = asyncio.create_task(self.stop.wait())
        try:
            while not self.stop.is_set():
                exited = asyncio.create_task(self.bot.wait())
                await asyncio.wait({stopping, exited}, return_when=asyncio.FIRST_COMPLETED)
                if self.stop.is_set():
                    exited.cancel()
                    break
                self.bot_state = "restarting"
                self.sandbox.world.touch()
                self.say("demo.bot_restarting", code=exited.result())
                await asyncio.sleep(RESTART_DELAY_SECONDS)
                with contextlib.suppress(RuntimeError):
                    await self.bot.start()
                    self.bot_state = "running"
                    self.sandbox.world.touch()
        finally:
            stopping.cancel()
