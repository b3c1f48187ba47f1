"""Bot API methods the sandbox implements, one module per family.

Each handler is registered under its exact Bot API name with ``@method("sendMessage")`` and
receives a ``Call`` whose parameters were already checked against the schema. It returns
the ``result`` value; the server wraps it in Telegram's envelope and checks it against the
method's documented return type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.schema import Schema
from sandbox.state import Bot, World
from sandbox.upload import UploadedFile


@dataclass
class Call:
    """One Bot API request, as a handler sees it."""

    world: World
    bot: Bot
    schema: Schema
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


Handler = Callable[[Call], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def load_all() -> dict[str, Handler]:
    """Import every method module (they register themselves) and return the registry."""
    from sandbox.methods import (  # noqa: F401
        bot_info,
        callbacks,
        chat_info,
        editing,
        files,
        polling,
        sending,
    )

    return HANDLERS
