"""The Bot API endpoint: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``.

Why one dispatcher: every request goes through the same steps Telegram's front end takes
(token, method lookup, injected faults, parameter checks) and every answer through the
same strict check against the schema, so no method can bypass the protocol.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from aiohttp import web

from sandbox.errors import BotApiError, SchemaViolation, not_found, too_many_requests
from sandbox.faults import Fault
from sandbox.methods import Call, load_all
from sandbox.params import check_params, read_raw
from sandbox.schema import Schema, load_schema
from sandbox.state import World

log = logging.getLogger("sandbox.api")
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


def envelope(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
    )


def error_response(error: BotApiError) -> web.Response:
    return envelope(error.payload(), error.code)


class BotApi:
    """Serves the Bot API for every bot of one ``World``."""

    def __init__(self, world: World, strict: bool = True, schema: Schema | None = None) -> None:
        self.world = world
        self.strict = strict
        self.schema = schema or load_schema()
        self.handlers = dict(load_all())  # per server, so a test may replace one safely

    def routes(self) -> list[web.RouteDef]:
        return [
            web.route("*", "/bot{token}/{method}", self.handle),
            web.get("/file/bot{token}/{path:.+}", self.download),
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        try:
            return envelope({"ok": True, "result": await self._call(request, token, name)})
        except BotApiError as error:
            log.info("%s -> %s %s", name, error.code, error.description)
            return error_response(error)
        except SchemaViolation as violation:
            log.error("STRICT MODE: %s", violation)
            return error_response(BotApiError(500, f"Internal Server Error: {violation}"))
        except _DropConnection:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        except Exception as exc:  # a sandbox bug: answer clearly instead of a bare 500
            log.exception("sandbox crashed in %s", name)
            return error_response(BotApiError(500, f"Internal Server Error: {exc!r} in {name}"))

    async def _call(self, request: web.Request, token: str, name: str) -> Any:
        if not TOKEN_RE.match(token):
            raise not_found()
        spec = self.schema.method(name)
        if spec is None:
            raise not_found()
        raw, files = await read_raw(request)
        await self._inject_fault(spec.name, raw.get("chat_id"))
        handler = self.handlers.get(spec.name)
        if handler is None:
            raise BotApiError(501, f"Not Implemented: the lihui sandbox has no {spec.name}")
        params = check_params(self.schema, spec, raw, files)
        call = Call(self.world, self.world.bot_for_token(token), self.schema, params, files)
        result = await handler(call)
        self.check_result(spec.name, result)
        return result

    def check_result(self, method_name: str, result: Any) -> None:
        """Strict mode: refuse to answer with anything the schema does not allow."""
        spec = self.schema.method(method_name)
        if not self.strict or spec is None:
            return
        problems = self.schema.returns_problems(spec, result)
        if problems:
            raise SchemaViolation(f"{method_name} result breaks the schema: {'; '.join(problems)}")

    async def _inject_fault(self, method_name: str, chat_id: object = None) -> None:
        fault: Fault | None = self.world.faults.take(method_name, chat_id)
        if fault is None:
            return
        log.info("injecting %s fault into %s", fault.kind, method_name)
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay)
        elif fault.kind == "drop":
            raise _DropConnection
        elif fault.kind == "retry_after":
            raise too_many_requests(fault.retry_after)
        else:
            raise BotApiError(fault.status, fault.description)

    async def download(self, request: web.Request) -> web.StreamResponse:
        # Only a bot that exists downloads: Telegram answers 404 for any other token.
        if request.match_info["token"] not in self.world.bots:
            raise web.HTTPNotFound()
        stored = self.world.file_by_path(request.match_info["path"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type="application/octet-stream")


class _DropConnection(Exception):
    """Close the client's connection without any answer (an injected network fault)."""
