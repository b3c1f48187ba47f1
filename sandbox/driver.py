"""``SandboxDriver``: write tests as scenarios of people talking to the bot.

Why: end-to-end tests should read like the conversation they check, and must wait for the
bot (a separate process) without sleeping blindly. The driver wraps the sandbox's control
API (``/_sandbox/...``) over HTTP and keeps, per chat, which bot messages this test has
already looked at, so ``wait_for_message`` returns the *next* unseen one.

People and chats::

    create_user(first_name, last_name=None, username=None, language_code=None) -> SandboxUser
    create_group(title, members, admins=(), creator=None, username=None,
                 bot_member=True, bot_admin=False, basic=False) -> SandboxChat
    migrate_group(chat_id, by) -> SandboxChat      # a basic group upgraded to a supergroup
    set_member(chat_id, user_id, status, by=None)     # join / leave / promote; bot too
    block(user) / unblock(user)

Acting as a user (``chat_id`` is the user's own id for their private chat with the bot)::

    send_text(user, chat_id, text, reply_to=None) -> SandboxMessage
    reply(user, chat_id, to_message, text)          # e.g. answering a ForceReply prompt
    send_photo(user, chat_id, data, caption=None, media_group_id=None)  # album: same id
    send_document(user, chat_id, data, name)
    press_button(user, chat_id, text, message_id=None) -> callback query id
    press_data(user, chat_id, message_id, data) -> callback query id  # stale or forged data
    forge_callback(user, chat_id, data, message_id=None)   # a modified client's data

Observing the bot::

    messages(chat_id, after=0) -> list[SandboxMessage]       # current state, edits applied
    wait_for_message(chat_id, contains=None, where=None, timeout=10) -> SandboxMessage
    wait_for_edit(chat_id, message, contains=None, where=None, timeout=10) -> SandboxMessage
    wait_for_callback_answer(query_id, timeout=10) -> dict; callback_answer(query_id)
    expect_no_message(chat_id, within=0.5)
    mark_seen(chat_id)                                        # skip whatever is there now
    commands() / updates() / bot_info()

Steering the fake Telegram::

    set_webhook_targets(urls); redeliver(update_id); inject_fault(kind, method="*", ...);
    clear_faults(); set_flood_limits(enabled); set_privacy_mode(enabled); reset()
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx

# How long one long poll of the sandbox's /wait lasts at most. Every visible change ends it
# early; the bound only keeps a wait responsive should some change not be announced.
WAIT_SLICE_SECONDS = 1.0


@functools.cache
def shared_tls() -> ssl.SSLContext:
    """One TLS context for every HTTP client of this process (``verify=shared_tls()``).

    The sandbox speaks plain HTTP, so none is ever used; but httpx loads the CA bundle
    afresh for each client it builds, some 30 ms of CPU, and a test run builds thousands.
    """
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class SandboxUser:
    id: int
    first_name: str
    username: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class SandboxChat:
    id: int
    title: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class SandboxMessage:
    """A message as stored by the sandbox (the Bot API Message dict is in ``raw``)."""

    raw: dict[str, Any]
    version: int = 1
    from_bot: bool = False
    markup: dict[str, Any] | None = None  # any kind; raw["reply_markup"] is inline only

    @property
    def id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def text(self) -> str:
        """The text, or the caption of a photo or document ("" when neither)."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The markup sent with the message: inline keyboard, ForceReply, reply keyboard..."""
        return self.markup or self.raw.get("reply_markup")

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> SandboxMessage:
        return cls(view["message"], view["version"], view["from_bot"], view.get("reply_markup"))

    @property
    def buttons(self) -> list[list[str]]:
        """Inline keyboard button labels, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text in row]

    @property
    def forces_reply(self) -> bool:
        return bool((self.reply_markup or {}).get("force_reply"))

    @property
    def edited(self) -> bool:
        return "edit_date" in self.raw

    def short(self) -> str:
        who = "bot" if self.from_bot else self.raw.get("from", {}).get("first_name", "?")
        media = (
            " [photo]" if "photo" in self.raw else " [document]" if "document" in self.raw else ""
        )
        extra = f" buttons={self.button_texts}" if self.buttons else ""
        return f"#{self.id} v{self.version} {who}{media}: {self.text[:120]!r}{extra}"


Predicate = Callable[[SandboxMessage], bool]
# How long press_button waits for a button that has not arrived yet (see there why).
BUTTON_WAIT_SECONDS = 5.0

_NOTABLE = ("photo", "document", "new_chat_members", "left_chat_member", "reply_to_message")


class SandboxError(AssertionError):
    """The sandbox refused a control request (unknown user, missing button, ...)."""


class SandboxDriver:
    """Async client for the sandbox's control API; use one per test."""

    def __init__(self, sandbox_url: str, bot_id: int | None = None, poll: float = 1.0) -> None:
        self.url = sandbox_url.rstrip("/")
        self.bot_id = bot_id
        self.poll = poll
        # aiohttp rather than httpx: a test makes thousands of these small requests, and
        # aiohttp's client spends about a third of httpx's CPU on each (measured: 0.4 ms
        # against 1.1 ms for a message listing, both ends in one process).
        self._session: aiohttp.ClientSession | None = None
        self._seen: dict[int, set[int]] = {}
        self._seen_versions: dict[tuple[int, int], int] = {}

    async def __aenter__(self) -> SandboxDriver:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- plumbing --------------------------------------------------------------------------

    def _with_bot(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.bot_id is not None:
            body.setdefault("bot_id", self.bot_id)
        return body

    async def _request(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        params = {"bot_id": self.bot_id} if self.bot_id is not None else None
        json_body = self._with_bot(dict(body)) if body is not None else None
        if self._session is None:  # made in the running loop, as aiohttp wants
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=70.0))
        url = f"{self.url}/_sandbox{path}"
        async with self._session.request(verb, url, json=json_body, params=params) as response:
            data = await response.read()
            if response.status >= 400:
                text = data.decode(errors="replace")
                raise SandboxError(f"sandbox {verb} {path}: {response.status} {text}")
        return json.loads(data)

    # -- people and chats ---------------------------------------------------------------

    async def create_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> SandboxUser:
        body = {"first_name": first_name, "last_name": last_name, "username": username}
        body["language_code"] = language_code
        raw = await self._request("POST", "/users", {k: v for k, v in body.items() if v})
        return SandboxUser(raw["id"], raw["first_name"], raw.get("username"), raw)

    async def create_group(
        self,
        title: str,
        members: Iterable[int | SandboxUser] = (),
        admins: Iterable[int | SandboxUser] = (),
        creator: int | SandboxUser | None = None,
        username: str | None = None,
        bot_member: bool = True,
        bot_admin: bool = False,
        basic: bool = False,
    ) -> SandboxChat:
        body: dict[str, Any] = {
            "type": "group" if basic else "supergroup",
            "title": title,
            "members": [_id(m) for m in members],
            "admins": [_id(a) for a in admins],
            "bot_member": bot_member,
            "bot_admin": bot_admin,
        }
        if creator is not None:
            body["creator"] = _id(creator)
        if username:
            body["username"] = username
        raw = await self._request("POST", "/groups", body)
        return SandboxChat(raw["id"], raw["title"], raw)

    async def migrate_group(self, chat_id: int, by: int | SandboxUser) -> SandboxChat:
        """Upgrade a basic group to a supergroup; returns the new chat (a new id)."""
        raw = await self._request("POST", f"/groups/{chat_id}/migrate", {"by": _id(by)})
        return SandboxChat(raw["id"], raw["title"], raw)

    async def set_member(
        self,
        chat_id: int,
        user: int | SandboxUser,
        status: str,
        by: int | SandboxUser | None = None,
    ) -> None:
        body: dict[str, Any] = {"user_id": _id(user), "status": status}
        if by is not None:
            body["by"] = _id(by)
        await self._request("POST", f"/groups/{chat_id}/members", body)

    async def block(self, user: int | SandboxUser) -> None:
        await self._request("POST", f"/users/{_id(user)}/block")

    async def unblock(self, user: int | SandboxUser) -> None:
        await self._request("POST", f"/users/{_id(user)}/unblock")

    # -- acting as a user ---------------------------------------------------------------

    async def send_text(
        self,
        user: int | SandboxUser,
        chat_id: int,
        text: str,
        reply_to: int | SandboxMessage | None = None,
    ) -> SandboxMessage:
        body: dict[str, Any] = {"user_id": _id(user), "chat_id": chat_id, "text": text}
        if reply_to is not None:
            body["reply_to_message_id"] = _id(reply_to)
        return SandboxMessage(await self._request("POST", "/messages", body))

    async def reply(
        self, user: int | SandboxUser, chat_id: int, to_message: int | SandboxMessage, text: str
    ) -> SandboxMessage:
        return await self.send_text(user, chat_id, text, reply_to=to_message)

    async def send_photo(
        self,
        user: int | SandboxUser,
        chat_id: int,
        data: bytes,
        caption: str | None = None,
        reply_to: int | SandboxMessage | None = None,
        media_group_id: str | None = None,
    ) -> SandboxMessage:
        return await self._send_file(
            user, chat_id, "photo", data, None, caption, reply_to, media_group_id
        )

    async def send_document(
        self,
        user: int | SandboxUser,
        chat_id: int,
        data: bytes,
        file_name: str,
        caption: str | None = None,
        reply_to: int | SandboxMessage | None = None,
        mime_type: str | None = None,
    ) -> SandboxMessage:
        """A user's document; ``mime_type`` as the client declares it (guessed if None)."""
        return await self._send_file(
            user, chat_id, "document", data, file_name, caption, reply_to, mime_type=mime_type
        )

    async def _send_file(
        self,
        user: int | SandboxUser,
        chat_id: int,
        kind: str,
        data: bytes,
        file_name: str | None,
        caption: str | None,
        reply_to: int | SandboxMessage | None,
        media_group_id: str | None = None,
        mime_type: str | None = None,
    ) -> SandboxMessage:
        body: dict[str, Any] = {
            "user_id": _id(user),
            "chat_id": chat_id,
            "kind": kind,
            "data_base64": base64.b64encode(data).decode("ascii"),
        }
        if file_name:
            body["file_name"] = file_name
        if caption is not None:
            body["caption"] = caption
        if reply_to is not None:
            body["reply_to_message_id"] = _id(reply_to)
        if media_group_id is not None:
            body["media_group_id"] = media_group_id
        if mime_type is not None:
            body["mime_type"] = mime_type
        return SandboxMessage(await self._request("POST", "/files", body))

    async def press_button(
        self,
        user: int | SandboxUser,
        chat_id: int,
        text: str,
        message_id: int | SandboxMessage | None = None,
    ) -> str:
        """Press the inline button labelled ``text``; returns the callback query id.

        Like a person, it waits a moment for the button to appear: a reply of several
        messages (an intro, then the prompt with its buttons) arrives one message at a time,
        and a scenario that has read the first may press before the last is there.
        """
        body: dict[str, Any] = {"user_id": _id(user), "chat_id": chat_id, "button_text": text}
        if message_id is not None:
            body["message_id"] = _id(message_id)
        deadline = time.monotonic() + BUTTON_WAIT_SECONDS
        while True:
            try:
                answer = await self._request("POST", "/callbacks", body)
            except SandboxError as error:
                if "no inline button" not in str(error) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(self.poll)
                continue
            return str(answer["callback_query_id"])

    async def press_data(
        self,
        user: int | SandboxUser,
        chat_id: int,
        message_id: int | SandboxMessage,
        data: str,
    ) -> str:
        """Send callback ``data`` from a bot message, whatever its keyboard shows now.

        A double tap (the second press before the edit arrived) or a forged client.
        """
        return await self.forge_callback(user, chat_id, data, message_id)

    async def forge_callback(
        self,
        user: int | SandboxUser,
        chat_id: int,
        data: str,
        message_id: int | SandboxMessage | None = None,
    ) -> str:
        """Act as a modified client: send callback ``data`` no button carries, under the
        given (or the newest) bot message with buttons; returns the callback query id."""
        body: dict[str, Any] = {"user_id": _id(user), "chat_id": chat_id, "callback_data": data}
        if message_id is not None:
            body["message_id"] = _id(message_id)
        answer = await self._request("POST", "/callbacks", body)
        return str(answer["callback_query_id"])

    # -- observing the bot --------------------------------------------------------------

    async def messages(self, chat_id: int, after: int = 0) -> list[SandboxMessage]:
        listing = await self._request("GET", f"/chats/{chat_id}/messages?after={after}")
        return [SandboxMessage.from_view(view) for view in listing["messages"]]

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        where: Predicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (a deadline for polling, read as a scenario)
    ) -> SandboxMessage:
        """The oldest bot message in ``chat_id`` not yet returned by this driver that matches.

        Non-matching messages stay unseen (a later wait can still return them).
        """

        def pick(messages: list[SandboxMessage]) -> SandboxMessage | None:
            seen = self._seen.setdefault(chat_id, set())
            for message in messages:
                if (
                    message.from_bot
                    and message.id not in seen
                    and _matches(message, contains, where)
                ):
                    seen.add(message.id)
                    self._seen_versions[(chat_id, message.id)] = message.version
                    return message
            return None

        what = _describe("new bot message", contains, where)
        return await self._wait(chat_id, pick, what, timeout)

    async def wait_for_edit(
        self,
        chat_id: int,
        message: int | SandboxMessage,
        contains: str | None = None,
        where: Predicate | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 (a deadline for polling, read as a scenario)
    ) -> SandboxMessage:
        """The message once it has been edited since this driver last saw it, and matches."""
        message_id = _id(message)
        baseline = self._seen_versions.get((chat_id, message_id))
        if baseline is None:
            baseline = message.version if isinstance(message, SandboxMessage) else 1

        def pick(messages: list[SandboxMessage]) -> SandboxMessage | None:
            for found in messages:
                fresh = found.id == message_id and found.version > baseline
                if fresh and _matches(found, contains, where):
                    self._seen_versions[(chat_id, message_id)] = found.version
                    return found
            return None

        what = _describe(f"edit of message #{message_id}", contains, where)
        return await self._wait(chat_id, pick, what, timeout)

    async def expect_no_message(self, chat_id: int, within: float = 0.5) -> None:
        """Assert that no unseen bot message arrives in ``chat_id`` for ``within`` seconds."""
        await asyncio.sleep(within)
        seen = self._seen.get(chat_id, set())
        unseen = [m for m in await self.messages(chat_id) if m.from_bot and m.id not in seen]
        if unseen:
            listing = "\n  ".join(m.short() for m in unseen)
            raise AssertionError(
                f"expected no new bot message in chat {chat_id}, got:\n  {listing}"
            )

    async def mark_seen(self, chat_id: int) -> None:
        """Treat every message now in ``chat_id`` as seen (start a fresh expectation)."""
        seen = self._seen.setdefault(chat_id, set())
        for message in await self.messages(chat_id):
            seen.add(message.id)
            self._seen_versions[(chat_id, message.id)] = message.version

    async def _wait(
        self,
        chat_id: int,
        pick: Callable[[list[SandboxMessage]], SandboxMessage | None],
        what: str,
        timeout: float,  # noqa: ASYNC109
    ) -> SandboxMessage:
        deadline = time.monotonic() + timeout
        while True:
            listing = await self._request("GET", f"/chats/{chat_id}/messages")
            messages = [SandboxMessage.from_view(v) for v in listing["messages"]]
            found = pick(messages)
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(_timeout_report(chat_id, what, timeout, messages))
            revision = listing["revision"]
            await self._request(
                "GET", f"/wait?since={revision}&timeout={min(remaining, WAIT_SLICE_SECONDS)}"
            )

    async def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What the bot answered to a button press (None while unanswered)."""
        state = await self._request("GET", f"/callbacks/{query_id}")
        return state["answer"] if state["answered"] else None

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            answer = await self.callback_answer(query_id)
            if answer is not None:
                return answer
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"callback query {query_id} was not answered within {timeout}s"
                )
            await asyncio.sleep(0.05)

    async def commands(self) -> list[dict[str, Any]]:
        return list(await self._request("GET", "/commands"))

    async def updates(self) -> dict[str, Any]:
        return dict(await self._request("GET", "/updates"))

    async def bot_info(self) -> dict[str, Any]:
        return dict(await self._request("GET", "/bot"))

    # -- steering the fake Telegram -----------------------------------------------------

    async def set_webhook_targets(self, urls: Iterable[str]) -> None:
        await self._request("POST", "/webhook/targets", {"urls": list(urls)})

    async def redeliver(self, update_id: int) -> None:
        await self._request("POST", f"/updates/{update_id}/redeliver")

    async def inject_fault(
        self,
        kind: str,
        method: str = "*",
        times: int = 1,
        status: int = 502,
        description: str = "Bad Gateway",
        delay: float = 0.0,
        retry_after: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail: kind error|delay|drop|retry_after.

        With ``chat_id``, only calls into that chat (Telegram's flood waits are per chat).
        """
        body: dict[str, Any] = {
            "chat_id": chat_id,
            "kind": kind,
            "method": method,
            "times": times,
            "status": status,
            "description": description,
            "delay": delay,
            "retry_after": retry_after,
        }
        await self._request("POST", "/faults", body)

    async def armed_faults(self) -> list[dict[str, Any]]:
        """The faults not yet used up."""
        return list((await self._request("GET", "/faults"))["faults"])

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def set_flood_limits(self, enabled: bool) -> None:
        await self._request("POST", "/flood", {"enabled": enabled})

    async def set_privacy_mode(self, enabled: bool) -> None:
        await self._request("POST", "/privacy", {"enabled": enabled})

    async def reset(self) -> None:
        await self._request("POST", "/reset")
        self._seen.clear()
        self._seen_versions.clear()


def _id(value: int | SandboxUser | SandboxChat | SandboxMessage) -> int:
    return value if isinstance(value, int) else value.id


def _matches(message: SandboxMessage, contains: str | None, where: Predicate | None) -> bool:
    if contains is not None and contains not in message.text:
        return False
    return where is None or where(message)


def _describe(what: str, contains: str | None, where: Predicate | None) -> str:
    parts = [what]
    if contains is not None:
        parts.append(f"containing {contains!r}")
    if where is not None:
        parts.append(f"matching {getattr(where, '__name__', 'a predicate')}")
    return " ".join(parts)


def _timeout_report(chat_id: int, what: str, timeout: float, messages: list[SandboxMessage]) -> str:
    listing = "\n  ".join(m.short() for m in messages[-15:]) or "(no messages at all)"
    return f"no {what} in chat {chat_id} within {timeout}s; the chat holds:\n  {listing}"
