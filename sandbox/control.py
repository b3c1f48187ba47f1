"""The control API under ``/_sandbox/``: how tests and the demo page play the other side.

Why a separate HTTP API (and not Python calls into the server): the sandbox runs in its
own thread or process, and a web page must be able to drive it too. Every endpoint takes
and returns JSON; Telegram objects inside answers are the same dicts the bot sees.

Endpoints (``bot_id`` is optional everywhere; default: the server's default bot):

- ``POST /_sandbox/reset``: forget everything except the bots' identities.
- ``GET  /_sandbox/bot``: the bot's user, webhook, privacy mode, pending update count.
- ``POST /_sandbox/users`` {first_name, last_name?, username?, language_code?} -> User.
- ``POST /_sandbox/groups`` {title, members, admins?, creator?, username?, bot_member?,
  bot_admin?, type?: supergroup|group} -> Chat.
- ``POST /_sandbox/groups/{chat_id}/migrate`` {by}: upgrade a basic group to a supergroup
  (``migrate_to_chat_id`` / ``migrate_from_chat_id``) -> the new Chat.
- ``POST /_sandbox/groups/{chat_id}/members`` {user_id, status, by?}: join, leave, promote
  (status "member", "administrator", "left", ...); the bot itself can be added or removed.
- ``POST /_sandbox/messages`` {user_id, chat_id, text, reply_to_message_id?} -> Message.
- ``POST /_sandbox/files`` {user_id, chat_id, kind: photo|document, data_base64,
  file_name?, mime_type?, caption?, reply_to_message_id?} -> Message.
- ``POST /_sandbox/callbacks`` {user_id, chat_id, button_text, message_id?}
  -> {callback_query_id, message_id, data}. With ``data`` instead of ``button_text``: a
  modified client's forged callback data, under the given (or newest) message with buttons.
- ``GET  /_sandbox/callbacks/{id}`` -> {answered, answer}.
- ``GET  /_sandbox/chats/{chat_id}/messages?after=ID`` -> {messages: [{message, version,
  from_bot}], revision}. Edits replace the stored message (with ``edit_date`` and a
  higher ``version``); deleted messages are gone.
- ``POST /_sandbox/users/{id}/block`` and ``/unblock``.
- ``POST /_sandbox/webhook/targets`` {urls}: load-balance webhook deliveries round-robin.
- ``POST /_sandbox/updates/{update_id}/redeliver``: deliver a delivered update again.
- ``GET  /_sandbox/updates``: {pending, recent} updates of the bot.
- ``POST /_sandbox/faults`` {kind: error|delay|drop|retry_after, method?, times?, status?,
  description?, delay?, retry_after?, chat_id?}; ``DELETE /_sandbox/faults`` clears them;
  ``GET /_sandbox/faults`` lists those still armed (a test waits for one to be used).
- ``POST /_sandbox/flood`` {enabled}; ``POST /_sandbox/privacy`` {enabled}.
- ``GET  /_sandbox/commands`` -> [{scope, language_code, commands}].
- ``GET  /_sandbox/state``: every user and group (with member statuses), for a demo page.
- ``GET  /_sandbox/wait?since=REV&timeout=S`` -> {revision}: returns when anything visible
  changes (a cheap long poll for drivers and web pages).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox import actions
from sandbox.actions import ActionError
from sandbox.chats import ChatRef, find_chat
from sandbox.errors import BotApiError
from sandbox.faults import Fault
from sandbox.schema import load_schema
from sandbox.state import Bot, JsonDict, StoredMessage, World
from sandbox.upload import UploadedFile

log = logging.getLogger("sandbox.control")
PREFIX = "/_sandbox"
Endpoint = Callable[[web.Request], Awaitable[Any]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(data, ensure_ascii=False), content_type="application/json"
    )


class ControlApi:
    def __init__(self, world: World, strict: bool = True, reset: Callable[[], None] | None = None):
        self.world = world
        self.strict = strict
        self._reset = reset

    def routes(self) -> list[web.RouteDef]:
        table: list[tuple[str, str, Endpoint]] = [
            ("POST", "/reset", self.reset),
            ("GET", "/bot", self.bot_info),
            ("POST", "/users", self.create_user),
            ("POST", "/groups", self.create_group),
            ("POST", "/groups/{chat_id}/members", self.set_member),
            ("POST", "/groups/{chat_id}/migrate", self.migrate_group),
            ("POST", "/messages", self.send_message),
            ("POST", "/files", self.send_file),
            ("POST", "/callbacks", self.press_button),
            ("GET", "/callbacks/{query_id}", self.callback_answer),
            ("GET", "/chats/{chat_id}/messages", self.messages),
            ("POST", "/users/{user_id}/block", self.block),
            ("POST", "/users/{user_id}/unblock", self.unblock),
            ("POST", "/webhook/targets", self.webhook_targets),
            ("POST", "/updates/{update_id}/redeliver", self.redeliver),
            ("GET", "/updates", self.updates),
            ("POST", "/faults", self.add_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/faults", self.armed_faults),
            ("POST", "/flood", self.flood),
            ("POST", "/privacy", self.privacy),
            ("GET", "/commands", self.commands),
            ("GET", "/wait", self.wait),
            ("GET", "/state", self.state),
        ]
        return [web.route(verb, PREFIX + path, self._wrap(fn)) for verb, path, fn in table]

    def _wrap(self, endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            try:
                return _json(await endpoint(request))
            except ActionError as error:
                return _json({"error": str(error)}, error.status)
            except BotApiError as error:
                return _json({"error": error.description}, error.code)
            except (KeyError, TypeError, ValueError) as error:
                log.info("bad control request %s: %r", request.path, error)
                return _json({"error": f"bad request: {error!r}"}, 400)

        return handle

    # -- helpers -------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        return body

    def _bot(self, source: dict[str, Any] | Any) -> Bot:
        bot_id = source.get("bot_id")
        try:
            return self.world.bot_by_id(int(bot_id) if bot_id is not None else None)
        except KeyError as exc:
            raise ActionError(str(exc), 404) from exc

    def _checked(self, type_name: str, data: Any) -> Any:
        if self.strict:
            problems = load_schema().problems(data, (type_name,), type_name)
            if problems:
                log.error("STRICT MODE: control answer breaks the schema: %s", problems)
                raise ActionError(f"sandbox bug, {type_name} breaks the schema: {problems}", 500)
        return data

    def _message_view(self, bot: Bot, stored: StoredMessage) -> JsonDict:
        if stored.checked_version != stored.version:
            self._checked("Message", stored.data)
            stored.checked_version = stored.version
        return {
            "message": stored.data,
            "version": stored.version,
            "from_bot": stored.sender_id == bot.id,
            "reply_markup": stored.markup,
        }

    # -- endpoints -----------------------------------------------------------------------

    async def reset(self, request: web.Request) -> JsonDict:
        if self._reset is not None:
            self._reset()
        return {"ok": True}

    async def bot_info(self, request: web.Request) -> JsonDict:
        bot = self._bot(request.query)
        return {
            "user": bot.user.to_api(),
            "webhook_url": bot.webhook.url if bot.webhook else None,
            "webhook_targets": bot.webhook_targets,
            "privacy_mode": bot.privacy_mode,
            "pending_update_count": len(bot.updates.pending),
        }

    async def create_user(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        user = self.world.create_user(
            str(body["first_name"]),
            body.get("last_name"),
            body.get("username"),
            body.get("language_code"),
        )
        self.world.touch()
        return self._checked("User", user.to_api())

    async def create_group(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        bot = self._bot(body)
        members = [int(m) for m in body.get("members", [])]
        admins = [int(a) for a in body.get("admins", [])]
        creator_id = int(body.get("creator") or (admins or members or [0])[0])
        creator = actions.user_of(self.world, creator_id)
        kind = str(body.get("type", "supergroup"))
        if kind not in ("supergroup", "group"):
            raise ActionError("type must be supergroup or group")
        group = self.world.create_group(str(body["title"]), body.get("username"), kind)
        group.members[creator.id] = "creator"
        for user_id in {*members, *admins} - {creator.id}:
            actions.user_of(self.world, user_id)
            group.members[user_id] = "administrator" if user_id in admins else "member"
        if body.get("bot_member", True):
            status = "administrator" if body.get("bot_admin") else "member"
            actions.set_member(self.world, group, bot.user, status, creator)
        self.world.touch()
        return self._checked("Chat", group.to_chat())

    async def set_member(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        group = self.world.groups.get(int(request.match_info["chat_id"]))
        if group is None:
            raise ActionError("no such group", 404)
        person = self.world.person(int(body["user_id"]))
        if person is None:
            raise ActionError(f"no user or bot with id {body['user_id']}", 404)
        status = str(body.get("status", "member"))
        actor = self.world.person(int(body.get("by", person.id))) or person
        actions.set_member(self.world, group, person, status, actor)
        return {"ok": True}

    async def migrate_group(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        group = self.world.groups.get(int(request.match_info["chat_id"]))
        if group is None:
            raise ActionError("no such group", 404)
        actor = actions.user_of(self.world, int(body["by"]))
        return self._checked("Chat", actions.migrate(self.world, group, actor).to_chat())

    async def send_message(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        bot = self._bot(body)
        user = actions.user_of(self.world, int(body["user_id"]))
        reply_to = body.get("reply_to_message_id")
        stored = actions.send_text(
            self.world,
            bot,
            user,
            int(body["chat_id"]),
            str(body["text"]),
            int(reply_to) if reply_to is not None else None,
        )
        return self._checked("Message", stored.data)

    async def send_file(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        bot = self._bot(body)
        user = actions.user_of(self.world, int(body["user_id"]))
        try:
            data = base64.b64decode(body["data_base64"], validate=True)
        except binascii.Error as exc:
            raise ActionError("data_base64 is not valid base64") from exc
        upload = UploadedFile(data, body.get("file_name"), body.get("mime_type"))
        reply_to = body.get("reply_to_message_id")
        stored = actions.send_file(
            self.world,
            bot,
            user,
            int(body["chat_id"]),
            upload,
            str(body.get("kind", "photo")),
            body.get("caption"),
            int(reply_to) if reply_to is not None else None,
            body.get("media_group_id"),
        )
        return self._checked("Message", stored.data)

    async def press_button(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        bot = self._bot(body)
        user = actions.user_of(self.world, int(body["user_id"]))
        message_id = body.get("message_id")
        query = actions.press_button(
            self.world,
            bot,
            user,
            int(body["chat_id"]),
            str(body.get("button_text", "")),
            int(message_id) if message_id is not None else None,
            str(body["callback_data"]) if "callback_data" in body else None,
        )
        return {
            "callback_query_id": query.id,
            "message_id": query.message_id,
            "data": query.data,
        }

    async def callback_answer(self, request: web.Request) -> JsonDict:
        bot = self._bot(request.query)
        query = bot.callback_queries.get(request.match_info["query_id"])
        if query is None:
            raise ActionError("no such callback query", 404)
        return {"answered": query.answer is not None, "answer": query.answer}

    def _chat(self, bot: Bot, chat_id: str) -> ChatRef:
        return find_chat(self.world, bot, int(chat_id))

    async def messages(self, request: web.Request) -> JsonDict:
        bot = self._bot(request.query)
        ref = self._chat(bot, request.match_info["chat_id"])
        after = int(request.query.get("after", 0))
        views = [
            self._message_view(bot, stored)
            for message_id, stored in sorted(ref.log.messages.items())
            if message_id > after
        ]
        return {"messages": views, "revision": self.world.revision}

    async def block(self, request: web.Request) -> JsonDict:
        return await self._set_blocked(request, True)

    async def unblock(self, request: web.Request) -> JsonDict:
        return await self._set_blocked(request, False)

    async def _set_blocked(self, request: web.Request, blocked: bool) -> JsonDict:
        bot = self._bot(request.query)
        user = actions.user_of(self.world, int(request.match_info["user_id"]))
        actions.block(self.world, bot, user, blocked)
        return {"ok": True}

    async def webhook_targets(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        bot = self._bot(body)
        bot.webhook_targets = [str(url) for url in body.get("urls", [])]
        bot.webhook_turn = 0
        return {"ok": True, "urls": bot.webhook_targets}

    async def redeliver(self, request: web.Request) -> JsonDict:
        bot = self._bot(request.query)
        update = bot.updates.requeue(int(request.match_info["update_id"]))
        if update is None:
            raise ActionError("no such update in the recent history", 404)
        return {"ok": True, "update": update}

    async def updates(self, request: web.Request) -> JsonDict:
        bot = self._bot(request.query)
        return {"pending": bot.updates.pending, "recent": list(bot.updates.history.values())}

    async def add_fault(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        if body.get("kind") not in ("error", "delay", "drop", "retry_after"):
            raise ActionError("kind must be one of error, delay, drop, retry_after")
        known = (
            "kind",
            "method",
            "times",
            "status",
            "description",
            "delay",
            "retry_after",
            "chat_id",
        )
        fault = Fault(**{key: body[key] for key in known if key in body})
        self.world.faults.arm(fault)
        return {"ok": True}

    async def armed_faults(self, request: web.Request) -> JsonDict:
        return {"faults": [dict(vars(fault)) for fault in self.world.faults.faults]}

    async def clear_faults(self, request: web.Request) -> JsonDict:
        self.world.faults.clear()
        return {"ok": True}

    async def flood(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        self.world.flood.enabled = bool(body["enabled"])
        self.world.flood.reset()
        return {"ok": True, "enabled": self.world.flood.enabled}

    async def privacy(self, request: web.Request) -> JsonDict:
        body = await self._body(request)
        bot = self._bot(body)
        bot.privacy_mode = bool(body["enabled"])
        return {"ok": True, "enabled": bot.privacy_mode}

    async def commands(self, request: web.Request) -> list[JsonDict]:
        bot = self._bot(request.query)
        listing = []
        for key, commands in bot.commands.items():
            scope, language_code = json.loads(key)
            listing.append({"scope": scope, "language_code": language_code, "commands": commands})
        return listing

    async def wait(self, request: web.Request) -> JsonDict:
        since = int(request.query.get("since", -1))
        seconds = min(float(request.query.get("timeout", 10)), 60.0)
        return {"revision": await self.world.wait_change(since, seconds)}

    async def state(self, request: web.Request) -> JsonDict:
        bot = self._bot(request.query)
        groups = [
            {"chat": group.to_chat(), "members": {str(k): v for k, v in group.members.items()}}
            for group in self.world.groups.values()
        ]
        return {
            "bot": bot.user.to_api(),
            "users": [user.to_api() for user in self.world.users.values()],
            "started": sorted(bot.started),
            "blocked": sorted(bot.blocked),
            "groups": groups,
            "revision": self.world.revision,
        }
