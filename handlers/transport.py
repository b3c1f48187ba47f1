"""How updates arrive: long polling or a webhook, each acknowledging only handled updates.

python-telegram-bot's own ``Updater`` confirms an update to Telegram as soon as it is
fetched (polling) or received (webhook), before any handler has run, so a crash in
between would lose it. Here the order is reversed: an update is handled first (its
transaction committed, see :mod:`handlers.turn`) and only then confirmed, by advancing the
polling offset or by answering the webhook request with 200. Telegram redelivers what was
not confirmed, and the processed-update mark makes the redelivery harmless.

Updates are handled concurrently, each person's and each chat's in order
(:mod:`handlers.ordering`): polling confirms up to the lowest update not yet handled, and
the webhook answers each request once its own update is handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from telegram import Update
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application

from bot.config import Config
from handlers.ordering import InOrder, Pending, update_keys

if TYPE_CHECKING:  # aiohttp serves only the webhook: polling does not pay for its import
    from aiohttp import web

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 20
# While an update is unhandled, getUpdates returns it again at once: poll again only when
# something was handled, or after a pause that doubles while nothing is (a slow report
# costs a few polls, not a busy loop; a newcomer's update waits REPOLL_MAX at most).
REPOLL_SECONDS = 0.05
REPOLL_MAX = 0.4
MAX_IN_FLIGHT = 200  # beyond this, fetch no more until some are handled
STOP_GRACE_SECONDS = 10.0


def keys_of(update: Update) -> list[object]:
    user, chat = update.effective_user, update.effective_chat
    return update_keys(user.id if user else None, chat.id if chat else None)


def dispatch(
    application: Application,  # type: ignore[type-arg]
    order: InOrder,
    update: Update,
    pending: Pending | None = None,
) -> asyncio.Task[None]:
    """Handle ``update`` in its own task, behind its person's and chat's earlier updates."""

    def handled() -> None:
        if pending is not None:
            pending.handled(update.update_id)

    async def job() -> None:
        try:
            await application.process_update(update)
        finally:
            handled()

    return order.submit(keys_of(update), job, on_handled=handled)


def _nothing() -> None:
    return None


async def poll_updates(
    application: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    ready: Callable[[], None] = _nothing,
) -> None:
    """Long-poll getUpdates until ``stop`` is set; confirm each update once handled.

    ``ready`` is called once the webhook is out of the way, just before the first poll.
    """
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    ready()
    order, pending = InOrder(), Pending()
    pause, repoll = 0.0, REPOLL_SECONDS
    while not stop.is_set():
        if pause:
            await _sleep_or_stop(stop, pause)
        if pending.in_flight >= MAX_IN_FLIGHT:
            pending.changed.clear()
            await _wait_change(pending, stop, REPOLL_SECONDS)
            continue
        busy = pending.in_flight > 0
        pending.changed.clear()  # before the fetch, so no handling in between goes unseen
        try:
            updates = await _get_updates(application, pending.offset, stop, 0 if busy else None)
        except Conflict as error:
            log.warning("another instance is polling (%s); waiting", error.message)
            pause = 5.0
            continue
        except (NetworkError, TelegramError) as error:
            pause = min(max(pause * 2, 1.0), 30.0)
            log.warning("getUpdates failed (%s); retrying in %.0fs", error, pause)
            continue
        pause = 0.0
        fresh = [update for update in updates if pending.fetched(update.update_id)]
        for update in fresh:
            dispatch(application, order, update, pending)
        if pending.in_flight:
            # Usually handled within milliseconds: then the next poll is a long one again
            # (one getUpdates per update, as before); if not, a short poll after a pause.
            repoll = REPOLL_SECONDS if fresh else min(repoll * 2, REPOLL_MAX)
            await _wait_change(pending, stop, repoll)
    await order.drain(STOP_GRACE_SECONDS)


async def _wait_change(pending: Pending, stop: asyncio.Event, seconds: float) -> None:
    """Until an update in flight is handled, the process is stopped, or ``seconds`` pass."""
    waits = {asyncio.create_task(pending.changed.wait()), asyncio.create_task(stop.wait())}
    _, unfinished = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for task in unfinished:
        task.cancel()


async def _get_updates(
    application: Application,  # type: ignore[type-arg]
    offset: int | None,
    stop: asyncio.Event,
    poll_seconds: int | None = None,
) -> tuple[Update, ...]:
    """One long poll (a short one while updates are in flight), abandoned on stop."""
    wait = POLL_TIMEOUT_SECONDS if poll_seconds is None else poll_seconds
    fetch = asyncio.create_task(
        application.bot.get_updates(
            offset=offset,
            timeout=wait,
            read_timeout=wait + 10,
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
    from aiohttp import web

    path = urlparse(config.webhook_url or "").path or "/"
    secret = config.webhook_secret or ""
    order = InOrder()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if secret and not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return web.Response(status=400)
        log.debug("webhook update %s received", update.update_id)
        # Concurrent requests are handled side by side, each person's in order; the 200
        # (Telegram's confirmation) waits for this update's own handling.
        await asyncio.shield(dispatch(application, order, update))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def serve_webhook(
    application: Application,  # type: ignore[type-arg]
    config: Config,
    stop: asyncio.Event,
    ready: Callable[[], None] = _nothing,
) -> None:
    """Register the webhook with Telegram and serve it until ``stop`` is set.

    ``ready`` is called once the server listens and Telegram knows the URL.
    """
    from aiohttp import web

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
    ready()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
