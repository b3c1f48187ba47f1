"""getUpdates and the webhook methods.

Why: these decide how updates reach the bot. getUpdates and a webhook exclude each other
(409 while a webhook is set), and ``allowed_updates`` / ``drop_pending_updates`` behave as
on Telegram, so the bot's start-up sequence (deleteWebhook, then polling; or setWebhook
with a secret token) is exercised for real.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.chats import snapshot
from sandbox.errors import bad_request, conflict
from sandbox.methods import Call, method
from sandbox.state import WebhookConfig

WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    bot = call.bot
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    if call.get("allowed_updates") is not None:
        bot.updates.allowed_updates = list(call.get("allowed_updates"))
    limit = min(max(int(call.get("limit", 100)), 1), 100)
    timeout = max(0, int(call.get("timeout", 0)))
    found = await bot.updates.poll(
        call.get("offset"),
        limit,
        timeout,
        interrupted=lambda: conflict(WEBHOOK_ACTIVE) if bot.webhook is not None else None,
    )
    return [snapshot(update) for update in found]


@method("setWebhook")
async def set_webhook(call: Call) -> bool:
    url: str = call.get("url")
    bot = call.bot
    if not url:
        bot.webhook = None
        return True
    if not re.match(r"^https?://", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.get("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = int(call.get("max_connections", 40))
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if call.get("allowed_updates") is not None:
        bot.updates.allowed_updates = list(call.get("allowed_updates"))
    if call.get("drop_pending_updates"):
        bot.updates.drop_all()
    bot.webhook = WebhookConfig(url, secret, max_connections, call.get("ip_address"))
    bot.updates.wake()  # a waiting getUpdates must notice
    if call.world.webhook_runner is not None:
        call.world.webhook_runner.ensure(bot)
    return True


@method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    call.bot.webhook = None
    if call.get("drop_pending_updates"):
        call.bot.updates.drop_all()
    return True


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> dict[str, Any]:
    bot = call.bot
    info: dict[str, Any] = {
        "url": bot.webhook.url if bot.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates.pending),
    }
    if bot.webhook is not None:
        info["max_connections"] = bot.webhook.max_connections
        if bot.webhook.ip_address:
            info["ip_address"] = bot.webhook.ip_address
        if bot.webhook.last_error_date is not None:
            info["last_error_date"] = bot.webhook.last_error_date
            info["last_error_message"] = bot.webhook.last_error_message
    if bot.updates.allowed_updates:
        info["allowed_updates"] = list(bot.updates.allowed_updates)
    return info
