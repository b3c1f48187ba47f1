"""Everything the fake Telegram remembers: bots, users, chats, messages, files, updates.

Why a single in-memory ``World``: the sandbox is a test double, so state lives for one run
and is reset between tests. All of it is touched only from the server's event loop, so it
needs no locks. Objects are kept in the Bot API's own JSON shape (``to_api()`` or plain
dicts) so that what is stored is exactly what is returned, and can be schema-checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sandbox.faults import FaultInjector
from sandbox.flood import FloodLimits
from sandbox.updates import UpdateQueue

DEFAULT_BOT_USERNAME = "lihui_test_bot"
DEFAULT_BOT_FIRST_NAME = "例会助手"
GROUP_ID_BASE = -1001234567000  # supergroup ids look like -100xxxxxxxxxx
BASIC_GROUP_ID_BASE = -4001234000  # basic groups have short negative ids
JsonDict = dict[str, Any]


class WebhookStarter(Protocol):
    """Starts delivering a bot's updates to its webhook (see ``sandbox.webhook``)."""

    def ensure(self, bot: Bot) -> None: ...


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def private_chat(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class StoredMessage:
    """A Message as the Bot API shows it, plus bookkeeping the API does not show."""

    data: JsonDict
    sender_id: int
    version: int = 1  # bumped by every edit, so watchers can tell an edit happened
    # Any reply markup sent with it. The Bot API shows only inline keyboards in
    # Message.reply_markup; tests also need to see ForceReply and reply keyboards.
    markup: JsonDict | None = None
    # The version the control API last checked against the schema: a chat is listed again
    # at every change while a test waits, and an unchanged message need not be checked again.
    checked_version: int = 0

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])


@dataclass
class MessageLog:
    """The messages of one chat, with Telegram's per-chat increasing message ids."""

    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_id: int = 1

    def allocate_id(self) -> int:
        message_id = self.next_id
        self.next_id += 1
        return message_id


@dataclass
class Group:
    id: int
    title: str
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)  # user or bot id -> status
    log: MessageLog = field(default_factory=MessageLog)
    kind: str = "supergroup"  # or "group": a basic group, which can be upgraded (migrated)
    migrated_to: int | None = None

    def to_chat(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.kind, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data

    def is_member(self, user_id: int) -> bool:
        return self.members.get(user_id, "left") not in ("left", "kicked")


@dataclass
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: JsonDict | None = None


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class Bot:
    token: str
    user: User
    privacy_mode: bool = True
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    webhook: WebhookConfig | None = None
    webhook_targets: list[str] = field(default_factory=list)  # load-balanced test receivers
    webhook_turn: int = 0  # round-robin position over webhook_targets
    commands: dict[str, list[JsonDict]] = field(default_factory=dict)  # scope+lang key
    started: set[int] = field(default_factory=set)  # users who wrote to the bot in private
    blocked: set[int] = field(default_factory=set)
    private_logs: dict[int, MessageLog] = field(default_factory=dict)
    callback_queries: dict[str, CallbackQueryRecord] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.user.id

    def private_log(self, user_id: int) -> MessageLog:
        return self.private_logs.setdefault(user_id, MessageLog())


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None


class World:
    """The whole fake Telegram; one per ``SandboxServer``."""

    def __init__(
        self,
        default_token: str = "123456789:sandbox-default-token",
        bot_username: str = DEFAULT_BOT_USERNAME,
        flood_limits: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.flood_limits_default = flood_limits
        self.flood = FloodLimits(enabled=flood_limits)
        self.faults = FaultInjector()
        self.default_token = default_token
        self.default_bot_username = bot_username
        self.bots: dict[str, Bot] = {}
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.files: dict[str, StoredFile] = {}
        self._user_ids = itertools.count(100000001)
        self._group_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self.revision = 0
        self.webhook_runner: WebhookStarter | None = None  # set by the server
        self.webhook_retry_delay = 0.5  # seconds before a failed delivery is tried again
        self._changed = asyncio.Event()
        self.waiting = 0  # /wait long polls open now: lets a test see one is in flight
        # Called with (chat id, message) for every new message, in the server's thread: the
        # benchmarks time a reply at the moment it reaches "Telegram", not when polled.
        self.message_observers: list[Callable[[int, StoredMessage], None]] = []
        self.bot_for_token(default_token, username=bot_username)

    def reset(self) -> None:
        """Forget users, chats, files and updates; bots keep their tokens and usernames."""
        for bot in self.bots.values():
            bot.webhook = None  # ends its delivery loop
            bot.updates.wake()
        self.bots = {
            token: Bot(token, bot.user, updates=UpdateQueue(bot.updates.next_update_id))
            for token, bot in self.bots.items()
        }
        self.users.clear()
        self.groups.clear()
        self.files.clear()
        self.faults.clear()
        self.flood = FloodLimits(enabled=self.flood_limits_default)
        self.touch()

    # -- identity --------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def bot_for_token(self, token: str, username: str | None = None) -> Bot:
        """The bot behind ``token``, created on first use (any ``<digits>:<secret>`` works)."""
        if token not in self.bots:
            bot_id = int(token.split(":", 1)[0])
            name = username or f"sandbox{bot_id}_bot"
            user = User(bot_id, DEFAULT_BOT_FIRST_NAME, username=name, is_bot=True)
            self.bots[token] = Bot(token, user)
        return self.bots[token]

    @property
    def default_bot(self) -> Bot:
        return self.bots[self.default_token]

    def bot_by_id(self, bot_id: int | None) -> Bot:
        if bot_id is None:
            return self.default_bot
        for bot in self.bots.values():
            if bot.id == bot_id:
                return bot
        raise KeyError(f"no bot with id {bot_id}")

    def create_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        user = User(next(self._user_ids), first_name, last_name, username, language_code)
        self.users[user.id] = user
        return user

    def create_group(
        self, title: str, username: str | None = None, kind: str = "supergroup"
    ) -> Group:
        base = GROUP_ID_BASE if kind == "supergroup" else BASIC_GROUP_ID_BASE
        group = Group(base - next(self._group_ids), title, username, kind=kind)
        self.groups[group.id] = group
        return group

    def person(self, user_id: int) -> User | None:
        """A user or a bot by id (members of a group can be either)."""
        if user_id in self.users:
            return self.users[user_id]
        return next((bot.user for bot in self.bots.values() if bot.id == user_id), None)

    # -- files -------------------------------------------------------------------------------

    def store_file(self, data: bytes, folder: str, extension: str, **meta: Any) -> StoredFile:
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"{folder[:2].upper()}AC{secrets.token_urlsafe(24)}",
            file_unique_id=f"AQAD{secrets.token_urlsafe(8)}",
            data=data,
            file_path=f"{folder}/file_{number}.{extension}",
            **meta,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    # -- change notification (for the driver and a demo page) -----------------------------

    def touch(self) -> None:
        """Record that something visible changed and wake everyone waiting for that."""
        self.revision += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_change(self, since: int, seconds: float) -> int:
        """The revision once it differs from ``since``, or after ``seconds`` anyway."""
        if self.revision == since:
            self.waiting += 1
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), seconds)
            finally:
                self.waiting -= 1
        return self.revision
