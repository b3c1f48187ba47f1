"""Run the sandbox: ``SandboxServer`` in a running loop, or ``start_in_thread`` beside one.

Why two ways: the demo (``python -m sandbox``) simply runs the server in its own loop, while
tests run it in a background thread with its own event loop, so it keeps serving the real
bot (a subprocess) whatever the test's loop is doing, and survives the test loop's
per-test lifecycle.

python-telegram-bot is pointed at the sandbox with::

    Application.builder().token(TOKEN).base_url(server.bot_api_base_url)
        .base_file_url(server.file_base_url)
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

from aiohttp import web

from sandbox.api import BotApi
from sandbox.control import ControlApi
from sandbox.state import DEFAULT_BOT_USERNAME, World
from sandbox.webhook import WebhookRunner

log = logging.getLogger("sandbox")
DEFAULT_TOKEN = "123456789:sandbox-default-token"
SHUTDOWN_GRACE = 1.0  # seconds an in-flight request may finish in once the sandbox stops


class SandboxServer:
    """The fake Bot API plus the control API, on one aiohttp server."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        flood_limits: bool = True,
        strict: bool = True,
    ) -> None:
        self.token = token
        self.world = World(token, bot_username, flood_limits=flood_limits)
        self.strict = strict
        self.webhooks = WebhookRunner(self.world, strict=strict)
        self.world.webhook_runner = self.webhooks
        self.api = BotApi(self.world, strict=strict)
        self.control = ControlApi(self.world, strict=strict, reset=self.world.reset)
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    def app(self) -> web.Application:
        # A user upload comes base64 in JSON (4/3 of its size): room for media.py's 64 MB.
        app = web.Application(client_max_size=96 * 1024 * 1024)
        app.add_routes(self.api.routes())
        app.add_routes(self.control.routes())
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # A long poll still open at stop (a bot's getUpdates, a driver's /wait) would hold
        # the runner's cleanup for aiohttp's default 60 s; past this grace it is cancelled.
        self._runner = web.AppRunner(
            self.app(),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=SHUTDOWN_GRACE,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.host = host
        self.port = sockets[0].getsockname()[1] if sockets else port
        log.info("sandbox listening on %s (bot token %s)", self.url, self.token)

    async def stop(self) -> None:
        await self.webhooks.close()
        for bot in self.world.bots.values():
            bot.updates.wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def bot_api_base_url(self) -> str:
        """python-telegram-bot's ``base_url``: it appends the token and the method."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.url}/file/bot"


@dataclass
class ThreadedSandbox:
    """A ``SandboxServer`` running in a daemon thread with its own event loop."""

    server: SandboxServer
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def bot_api_base_url(self) -> str:
        return self.server.bot_api_base_url

    @property
    def file_base_url(self) -> str:
        return self.server.file_base_url

    @property
    def token(self) -> str:
        return self.server.token

    def stop(self, timeout: float = 10.0) -> None:
        if not self.thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop)
        future.result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    token: str = DEFAULT_TOKEN,
    bot_username: str = DEFAULT_BOT_USERNAME,
    flood_limits: bool = True,
    strict: bool = True,
) -> ThreadedSandbox:
    """Start a sandbox in a background thread; returns once it accepts connections."""
    server = SandboxServer(token, bot_username, flood_limits=flood_limits, strict=strict)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start(host, port))
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    thread = threading.Thread(target=run, name="telegram-sandbox", daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise RuntimeError("sandbox failed to start") from failure[0]
    return ThreadedSandbox(server, loop, thread)
