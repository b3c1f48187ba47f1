"""How updates arrive: long polling or a webhook, each acknowledging only handled updates.

python-telegram-bot's own ``Updater`` confirms an update to Telegram as soon as it is
fetched (polling) or received (webhook), before any handler has run, so a crash in
between would lose it. Here the order is reversed: an update is handled first (its
transaction committed, see :mod:`handlers.turn`) and only then confirmed, by advancing the
polling offset or by answering the webhook request with 200. Telegram redelivers what was
not confirmed, and the processed-update mark makes the redelivery harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application

from bot.config import Config

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 20


async def poll_updates(application: Application, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Long-poll getUpdates until ``stop`` is set; confirm each update after handling it."""
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    pause = 0.0
    while not stop.is_set():
        if pause:
            await _sleep_or_stop(stop, pause)
        try:
            updates = await _get_updates(application, offset, stop)
        except Conflict as error:
            log.warning("another instance is polling (%s); waiting", error.message)
            pause = 5.0
            continue
        except (NetworkError, TelegramError) as error:
            pause = min(max(pause * 2, 1.0), 30.0)
            log.warning("getUpdates failed (%s); retrying in %.0fs", error, pause)
            continue
        pause = 0.0
        for update in updates:
            await application.process_update(update)
            offset = update.update_id + 1


async def _get_updates(
    application: Application,  # type: ignore[type-arg]
    offset: int | None,
    stop: asyncio.Event,
) -> tuple[Update, ...]:
    """One long poll, abandoned early when the process is asked to stop."""
    fetch = asyncio.create_task(
        application.bot.get_updates(
            offset=offset,
            timeout=POLL_TIMEOUT_SECONDS,
            read_timeout=POLL_TIMEOUT_SECONDS + 10,
            allowed_updates=Update.ALL_TYPES,
        )
    )
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if fetch not in done:
        fetch.cancel()
        return ()
    return fetch.result()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def webhook_app(application: Application, config: Config) -> web.Application:  # type: ignore[type-arg]
    """An aiohttp app that answers Telegram's POSTs only once the update is handled."""
    path = urlparse(config.webhook_url or "").path or "/"
    secret = config.webhook_secret or ""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if secret and not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return web.Response(status=400)
        log.debug("webhook update %s received", update.update_id)
        await application.process_update(update)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def serve_webhook(
    application: Application,  # type: ignore[type-arg]
    config: Config,
    stop: asyncio.Event,
) -> None:
    """Register the webhook with Telegram and serve it until ``stop`` is set."""
    runner = web.AppRunner(webhook_app(application, config), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.webhook_listen, config.webhook_port)
    await site.start()
    log.info("webhook listening on %s:%s", config.webhook_listen, config.webhook_port)
    await application.bot.set_webhook(
        url=config.webhook_url or "",
        secret_token=config.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
