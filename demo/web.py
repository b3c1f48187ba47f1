"""The demo page's server: static files, a few JSON endpoints, live changes as SSE.

Acting as a person (writing, uploading, pressing a button) goes through the sandbox's own
control API, mounted here under the same ``/_sandbox/`` paths so the page needs one origin
only; just the endpoints a person uses are exposed (no reset, no fault injection). What the
page shows is read from the sandbox's world in this same process and event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.clock import FileClock
from demo import steps
from demo.cast import Cast
from sandbox.server import SandboxServer
from sandbox.state import MessageLog, StoredMessage

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
# The control endpoints a person on the page needs (method, path below /_sandbox).
PERSON_ENDPOINTS = frozenset(
    {
        ("POST", "/_sandbox/messages"),
        ("POST", "/_sandbox/files"),
        ("POST", "/_sandbox/callbacks"),
        ("GET", "/_sandbox/callbacks/{query_id}"),
        ("GET", "/_sandbox/chats/{chat_id}/messages"),
        ("GET", "/_sandbox/state"),
    }
)
KEEPALIVE_SECONDS = 15.0


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data, ensure_ascii=False), content_type="application/json"
    )


def _preview(stored: StoredMessage) -> dict[str, Any]:
    """What a chat list shows of a message: its kind, a short text, who sent it and when."""
    data = stored.data
    kind = "photo" if "photo" in data else "document" if "document" in data else "text"
    if "new_chat_members" in data or "left_chat_member" in data:
        kind = "service"
    text = str(data.get("text") or data.get("caption") or "")
    if kind == "document":
        text = text or str(data["document"].get("file_name", ""))
    return {
        "id": stored.message_id,
        "kind": kind,
        "text": text[:80],
        "from_id": stored.sender_id,
        "date": data.get("date"),
    }


class DemoWeb:
    """The page and its API, over one sandbox, one cast and the demo clock."""

    def __init__(
        self,
        sandbox: SandboxServer,
        cast: Cast,
        clock: FileClock,
        tz: tzinfo,
        bot_state: Callable[[], str],
    ) -> None:
        self.sandbox = sandbox
        self.world = sandbox.world
        self.cast = cast
        self.clock = clock
        self.tz = tz
        self.bot_state = bot_state
        self.instance = ""  # names this demo's data, for the page's local memory
        self._moving = asyncio.Lock()  # one walk of the clock at a time

    def app(self) -> web.Application:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.add_routes(
            [
                web.get("/", self.index),
                web.get("/api/demo", self.demo_info),
                web.get("/api/overview", self.overview),
                web.get("/api/clock", self.get_clock),
                web.post("/api/clock", self.set_clock),
                web.get("/api/events", self.events),
                web.get("/api/files/{file_id}", self.file),
                web.static("/static", STATIC),
            ]
        )
        person_routes = [
            route
            for route in self.sandbox.control.routes()
            if (route.method, route.path) in PERSON_ENDPOINTS
        ]
        app.add_routes(person_routes)
        return app

    async def index(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def demo_info(self, request: web.Request) -> web.Response:
        bot = self.world.default_bot.user
        return _json({"bot": bot.to_api(), "instance": self.instance, **self.cast.to_json()})

    def _log_of(self, chat_id: int) -> MessageLog | None:
        group = self.world.groups.get(chat_id)
        if group is not None:
            return group.log
        return self.world.default_bot.private_logs.get(chat_id)

    async def overview(self, request: web.Request) -> web.Response:
        """Per chat: the newest message and how many there are (for badges and previews)."""
        chats = [self.cast.office_chat_id] + [p.user_id for p in self.cast.personas]
        listing = {}
        for chat_id in chats:
            message_log = self._log_of(chat_id)
            messages = list(message_log.messages.values()) if message_log else []
            listing[str(chat_id)] = {
                "last": _preview(messages[-1]) if messages else None,
                "count": len(messages),
                "newest_id": messages[-1].message_id if messages else 0,
            }
        return _json({"chats": listing, "bot": self.bot_state(), "revision": self.world.revision})

    def _clock_view(self) -> dict[str, Any]:
        now = self.clock.now()
        return {
            "now": now.astimezone(self.tz).isoformat(),
            "timezone": str(self.tz),
            "steps": [stop.to_json(self.tz) for stop in steps.upcoming(now, self.tz)],
        }

    async def get_clock(self, request: web.Request) -> web.Response:
        return _json(self._clock_view())

    async def set_clock(self, request: web.Request) -> web.Response:
        """Move the demo clock forward to a step (just before it) or to a chosen time.

        With the scheduled steps in the bot, the clock walks through every step on the way,
        pausing at each for the bot to act, so the week happens rather than being skipped.
        """
        try:
            body = await request.json()
            now = self.clock.now()
            if "step" in body:
                stop = next(s for s in steps.upcoming(now, self.tz) if s.step == body["step"])
                target, final = stop.at, steps.jump_target(stop)
            else:
                target = datetime.fromisoformat(str(body["at"]))
                if target.tzinfo is None:
                    target = target.replace(tzinfo=self.tz)
                final = target
        except (ValueError, KeyError, TypeError, StopIteration):
            return _json({"error": "bad_time"}, 400)
        if final <= now:
            return _json({"error": "past"}, 400)
        if self._moving.locked():
            return _json({"error": "busy"}, 409)
        walk = steps.stops_until(now, target, self.tz)
        if "step" in body:
            walk = walk[:-1]  # the chosen step itself is where the clock stops
        async with self._moving:
            if walk:  # first let the bot finish whatever is due now, or it would seem missed
                await asyncio.sleep(steps.SETTLE_SECONDS)
            for stop in walk:
                await self._move(steps.jump_target(stop))
                await asyncio.sleep(steps.LEAD_IN.total_seconds() + steps.SETTLE_SECONDS)
            await self._move(max(final, self.clock.now()))
        return _json(self._clock_view())

    async def _move(self, moment: datetime) -> None:
        if moment > self.clock.now():
            self.clock.set(moment)
            log.info("demo clock moved to %s", moment.astimezone(self.tz).isoformat())
        self.world.touch()  # every open page refreshes its clock

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: the world's revision whenever something visible changes."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        since = -1
        with contextlib.suppress(ConnectionError):  # the page was closed
            while True:
                revision = await self.world.wait_change(since, KEEPALIVE_SECONDS)
                if revision != since:
                    await response.write(f"data: {revision}\n\n".encode())
                    since = revision
                else:
                    await response.write(b": keepalive\n\n")
        return response

    async def file(self, request: web.Request) -> web.Response:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "private, max-age=86400"}
        if stored.file_name:
            name = quote(stored.file_name)
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        content_type = stored.mime_type or (
            "image/png" if stored.data[:4] == b"\x89PNG" else "image/jpeg"
        )
        return web.Response(body=stored.data, content_type=content_type, headers=headers)
