"""Delivering updates to a bot's webhook, as Telegram does.

Why: in production lihui runs behind a webhook, possibly several instances behind a load
balancer, and must handle each update once even when Telegram delivers it twice. The
sandbox POSTs every pending Update as JSON with ``X-Telegram-Bot-Api-Secret-Token``, keeps
it queued until a 2xx answer (recording the failure for getWebhookInfo otherwise), and can
spread deliveries round-robin over several test receivers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import aiohttp

from sandbox.errors import SchemaViolation
from sandbox.schema import load_schema
from sandbox.state import Bot, World

log = logging.getLogger("sandbox.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DELIVERY_TIMEOUT = 30.0


class WebhookRunner:
    """One delivery loop per bot with a webhook; started by setWebhook, ends with it."""

    def __init__(self, world: World, strict: bool = True) -> None:
        self.world = world
        self.strict = strict
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def ensure(self, bot: Bot) -> None:
        task = self._tasks.get(bot.id)
        if task is None or task.done():
            self._tasks[bot.id] = asyncio.get_running_loop().create_task(self._run(bot))

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()

    async def _run(self, bot: Bot) -> None:
        in_flight: set[int] = set()
        deliveries: set[asyncio.Task[None]] = set()
        while bot.webhook is not None:
            ready = [u for u in bot.updates.pending if u["update_id"] not in in_flight]
            free = bot.webhook.max_connections - len(in_flight)
            for update in ready[: max(free, 0)]:
                in_flight.add(update["update_id"])
                task = asyncio.create_task(self._deliver(bot, update, in_flight))
                deliveries.add(task)
                task.add_done_callback(deliveries.discard)
            await bot.updates.wait_arrival(0.2)

    async def _deliver(self, bot: Bot, update: dict[str, Any], in_flight: set[int]) -> None:
        update_id = update["update_id"]
        try:
            try:
                error = await self._post(bot, update)
            except SchemaViolation as violation:  # a sandbox bug: keep it visible, retry later
                error = f"sandbox produced an invalid Update: {violation}"
            if error is None:
                bot.updates.remove(update_id)
                self.world.touch()
                return
            if bot.webhook is not None:
                bot.webhook.last_error_date = self.world.now()
                bot.webhook.last_error_message = error
            log.info("webhook delivery of update %s failed: %s", update_id, error)
            await asyncio.sleep(self.world.webhook_retry_delay)
        finally:
            in_flight.discard(update_id)
            bot.updates.wake()

    async def _post(self, bot: Bot, update: dict[str, Any]) -> str | None:
        """POST one update; None on success, else the error getWebhookInfo reports."""
        webhook = bot.webhook
        if webhook is None:
            return "webhook removed"
        if self.strict:
            problems = load_schema().problems(update, ("Update",), "Update")
            if problems:
                log.error("STRICT MODE: webhook Update breaks the schema: %s", problems)
                raise SchemaViolation("; ".join(problems))
        targets = bot.webhook_targets or [webhook.url]
        url = targets[bot.webhook_turn % len(targets)]
        bot.webhook_turn += 1
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers[SECRET_HEADER] = webhook.secret_token
        try:
            session = self._client()
            body = json.dumps(update, ensure_ascii=False)
            async with session.post(url, data=body.encode(), headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {exc.__class__.__name__}: {exc}"

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session
