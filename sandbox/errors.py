"""Bot API errors in Telegram's exact wire shape.

Why: the bot under test must see the same envelope, HTTP status and description wording as
from api.telegram.org, so that python-telegram-bot raises the same exception classes
(BadRequest, Forbidden, RetryAfter, ...) and the bot's error handling is exercised for real.
"""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """An answer ``{"ok": false, ...}``; the HTTP status equals ``error_code`` as on Telegram."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def not_found() -> BotApiError:
    return BotApiError(404, "Not Found")


def unauthorized() -> BotApiError:
    return BotApiError(401, "Unauthorized")


def conflict(detail: str) -> BotApiError:
    return BotApiError(409, f"Conflict: {detail}")


class SchemaViolation(Exception):
    """The sandbox itself produced an object that the Bot API schema does not allow.

    Why: in strict mode this is a bug in the sandbox (or drift from Telegram's reference), and
    it must fail loudly instead of teaching the bot a protocol Telegram does not speak.
    """
