"""A hostile day in the office: people of every role at once, each judged on their own.

``test_fuzz.py`` throws hypothesis examples at one person's view of the bot; this throws a
seeded random stream at the whole office at once. Eight people act concurrently, each
like a person (one thing, then wait for the answer, then the next): the director, a
staff member, three contacts (two groups' primaries and a deputy), a ``member``, someone in
the office chat with no role, and a stranger; in their private chats, in the office chat
and in a group lihui does not serve. What they do covers every command family (the
report dialog and pastes, /decide /decisions /problems, /monthly /assess /adjust /highlight
/rubric, /settings /holiday, /groups /roles /audit, /report /agenda /bulletin) with
ordinary and hostile arguments, and text, HTML-looking text, odd Unicode, over-long and
empty text, photos, Word and other documents, button presses (fresh, stale, twice at once,
another person's, forged), Telegram's redeliveries, and now and then a flood of texts
followed by a press.

Because the bot handles updates concurrently, another person's answer can arrive while
one person acts, so everything is judged per person and per chat, never by global order:

- every update a person sends is answered to that person (a message or an edit in the
  chat it came from, or their private chat; for a press, its answerCallbackQuery) or is
  rightly ignored: noise in a group, anything in the unserved group but /start /help /bind,
  and Telegram's repeats, which change nothing;
- what the budget drops is answered as it promises: a press with its toast (操作太频繁),
  a run of texts with one notice; with the budget raised nothing is dropped at all;
- nothing lands in the private chat of someone who did not ask (the stranger and the
  office member without a role: nobody else's action concerns them);
- the bot logs no ERROR and no traceback, and afterwards the database holds what it must
  (``invariants`` below).

The stream is seeded (``random.Random``) and the seed printed; ``LIHUI_FUZZ_SEED`` replays
one, ``LIHUI_FUZZ_STEPS`` sets the acts per person (README "Tests" gives a longer run).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from docx import Document
from sqlalchemy import func, select

from bot.i18n import SUPPORTED_LOCALES, translate
from sandbox.driver import SandboxDriver, SandboxError, SandboxMessage, SandboxUser
from storage.models import AuditLog, Decision, GoodPractice, ScoreAdjustment, SubmissionRevision
from tests.e2e.conftest import GROUPS, Office, StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.scenario import tiny_png
from tests.e2e.seed import open_session, seed_office
from tests.e2e.test_fuzz import NASTY, invariants

pytestmark = [pytest.mark.e2e, pytest.mark.long]

STEPS = int(os.environ.get("LIHUI_FUZZ_STEPS", "9"))  # acts per person
# The budget as shipped (bot/config.py: 20 at once, then 1 a second), and raised as the
# other scenarios run it (tests/e2e/harness.py bot_env).
BUDGETS = {
    "default-budget": {"LIHUI_FLOOD_BURST": "20", "LIHUI_FLOOD_PER_SECOND": "1"},
    "raised-budget": {},
}
SEEDS = {"default-budget": 20_2001, "raised-budget": 20_2002}

ANSWER_SECONDS = 12.0  # a loaded 2-core machine renders a Word file in a few seconds
QUIET_SECONDS = 0.35  # a chat still this long: the answer's last message is in
SILENCE_SECONDS = 0.4  # how long "rightly ignored" is watched for
FLOOD_TEXTS = 24  # beyond the default burst of 20
OPEN_COMMANDS = ("start", "help", "bind")  # what an unserved group may still ask

WEEK = """就业援助组第48周工作情况汇报
一、本周工作完成情况
1.举办招聘会2场，服务群众５００人次；
2、走访企业37户，新增岗位1,200个。
二、存在的问题
1.招聘会场地仍然不足{n}
三、下步打算
①筹备春季招聘月活动；"""

ORDINARY = [
    "完成了走访企业12家",
    "无",
    "跳过",
    "继续推进",
    "12",
    "1,200",
    "12月15日",
    "下周五",
    "月底",
    "EMP",
    "就业援助组",
    "@wang_fang",
    "人次",
    "是",
    "取消",
    "Tom & Jerry <b>bold</b> &amp; <i>",
    "<b>未闭合",
    "a" * 300,
    "   ",
]
COMMANDS = [
    "/submit",
    "/mystatus",
    "/cancel",
    "/report",
    "/report 2026-W47",
    "/report 2026-W99",
    "/agenda",
    "/bulletin",
    "/decide",
    "/decide 落实第{n}项 <b>议定</b> & 事项",
    "/decisions",
    "/decisions all",
    "/problems",
    "/problems 2026-W40",
    "/monthly",
    "/monthly 2026-11",
    "/monthly 2026-13",
    "/assess",
    "/assess 2026-H2",
    "/assess 2026",
    "/assess 2026-02..2026-05",
    "/assess 2026-H9",
    "/adjust 2026-H2 EMP +2 表现突出{n}",
    "/adjust 2026-H2 VOL -30 扣分{n}",
    "/adjust 2026-H2 NOPE +1 无此组{n}",
    "/adjust",
    "/highlight 好做法{n}",
    "/highlight",
    "/rubric",
    "/rubric on_time=40 decisions=30",
    "/rubric grades=90,80,60 limit=10",
    "/rubric on_time=abc",
    "/settings",
    "/holiday",
    "/holiday 2026-12-01 休息日 调休{n}",
    "/holiday 2026-12-05 工作日",
    "/holiday 2026-12-01 删除",
    "/holiday 明天 休息日",
    "/groups",
    "/roles",
    "/roles staff @sun_member",
    "/roles member @sun_member",
    "/roles revoke @qian_staff",
    "/roles staff @qian_staff",
    "/roles director @nobody_here",
    "/audit",
    "/help",
    "/start",
    "/start bogus_payload",
    "/unbind",
    "/bind",
    "/nonsense",
    "/report@other_bot",
]
FORGED = [
    "s:1",
    "s:３",
    "r:1:submit",
    "r:999999:back",
    "r::",
    "a:au:3:0",
    "a:zz",
    "d:1",
    "dc:1:done",
    "pp:0",
    "pr:1:x",
    "lw:-1",
    "ru:pub:2026-H2",
    "ru:zz",
    "st:x",
    "st:",
    "rp:zz",
    "",
    "²",
    "x" * 64,
]
# Half of a person's commands are the ones their role uses, with arguments that work, so the
# stream gets deep into each family (a decision recorded, a holiday set, a report sent)
# rather than stopping at "not for you" every time.
ROLE_COMMANDS = {
    "director": [
        "/decide",
        "/holiday 2026-12-01 休息日 调休{n}",
        "/adjust 2026-H2 EMP +2 表现突出{n}",
        "/highlight 好做法{n}",
        "/roles",
        "/groups",
        "/settings",
        "/audit",
        "/assess",
        "/report",
        "/bulletin",
    ],
    "staff": [
        "/decide",
        "/decisions",
        "/problems",
        "/monthly",
        "/rubric limit=8",
        "/groups",
        "/settings",
        "/agenda",
        "/report",
        "/highlight",
    ],
    "contact": ["/submit", "/submit", "/mystatus", "/cancel"],
    "member": ["/decisions", "/problems"],
}
ROLE_OF = {"contact2": "contact", "deputy": "contact"}
KINDS = [  # (kind, weight)
    ("command", 30),
    ("text", 14),
    ("press", 22),
    ("twice", 5),
    ("others", 5),
    ("forge", 5),
    ("photo", 4),
    ("document", 4),
    ("paste", 3),
    ("duplicate", 4),
    ("flood", 2),
]


# The office's own unbinding is never confirmed: it would end the service mid-stream and
# leave the rest of the stream nothing to test (tests/e2e/test_access.py covers it).
NEVER_PRESSED = ("a:ub:",)


@dataclass
class Actor:
    key: str
    user: SandboxUser
    rng: random.Random  # one per person: their stream replays whatever the others do
    done: list[str] = field(default_factory=list)  # what was done, for the failure report
    baseline: dict[int, int] = field(default_factory=dict)  # own chat: message -> version
    unasked: list[str] = field(default_factory=list)  # arrived in own chat while idle
    updates: list[int] = field(default_factory=list)  # own update ids, in order
    queries: dict[str, int] = field(default_factory=dict)  # callback query id -> update id
    private_messages: set[int] = field(default_factory=set)  # update ids sent in private

    @property
    def chat(self) -> int:
        return self.user.id


@dataclass
class World:
    """The running office: the bot, its chats, its people, and what went wrong so far."""

    driver: SandboxDriver
    bot: BotProcess
    username: str
    office_chat: int
    stray_chat: int
    actors: dict[str, Actor]
    office_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    stray_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    failures: list[str] = field(default_factory=list)
    counter: int = 0

    def fail(self, actor: Actor, what: str) -> None:
        self.failures.append(f"{actor.key}: {what} (last acts {actor.done[-3:]!r})")

    def unique(self) -> int:
        self.counter += 1
        return self.counter

    def lock_for(self, chat: int) -> asyncio.Lock | None:
        """Group chats are shared: one person acts in each at a time, so what the bot says
        there while they wait is theirs. Private chats need no lock."""
        return {self.office_chat: self.office_lock, self.stray_chat: self.stray_lock}.get(chat)


# --- watching chats --------------------------------------------------------------------------


async def bot_state(driver: SandboxDriver, chat: int) -> dict[int, int]:
    return {m.id: m.version for m in await driver.messages(chat) if m.from_bot}


def changed(before: dict[int, int], after: dict[int, int]) -> bool:
    return any(before.get(i, 0) < v for i, v in after.items())


async def quiet(driver: SandboxDriver, chat: int, limit: float = 6.0) -> dict[int, int]:
    """The chat's bot messages once nothing has changed there for ``QUIET_SECONDS``."""
    deadline = time.monotonic() + limit
    state, still_since = await bot_state(driver, chat), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        now = await bot_state(driver, chat)
        if now != state:
            state, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= QUIET_SECONDS:
            break
    return state


async def news(driver: SandboxDriver, chat: int, before: dict[int, int]) -> list[str]:
    """What is new or edited in ``chat`` since ``before``, shortly, for a failure report."""
    fresh = [m for m in await driver.messages(chat) if m.from_bot]
    return [m.short()[:120] for m in fresh if before.get(m.id, 0) < m.version]


def in_any_locale(key: str) -> set[str]:
    """The message in each language: the stranger and the bystander read English."""
    return {translate(locale, key) for locale in SUPPORTED_LOCALES}


def dropped_ids(bot: BotProcess) -> set[int]:
    return {int(n) for n in re.findall(r"update (\d+) from user \d+ dropped", bot.log())}


async def update_ids(
    driver: SandboxDriver, sent: list[SandboxMessage], queries: list[str]
) -> list[int | None]:
    """The update ids Telegram gave what was just sent (the log's "dropped" lines name them)."""
    recent = (await driver.updates())["recent"]
    by_message = {
        (u["message"]["chat"]["id"], u["message"]["message_id"]): u["update_id"]
        for u in recent
        if "message" in u
    }
    by_query = {u["callback_query"]["id"]: u["update_id"] for u in recent if "callback_query" in u}
    # None: Telegram never gave it to the bot (privacy mode: talk in a group not meant for it).
    ids = [by_message.get((m.chat_id, m.id)) for m in sent] + [by_query.get(q) for q in queries]
    return [None if i is None else int(i) for i in ids]


# --- what people do ----------------------------------------------------------------------------


def some_text(world: World, rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.55:
        return rng.choice(ORDINARY) + ("" if rng.random() < 0.5 else f" {rng.randint(1, 99)}")
    if pick < 0.85:
        return rng.choice(NASTY)
    alphabet = "字中文𠀀👨‍👩‍👧<>&;\u202e\u200b\u0301 abc123"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))


def some_command(world: World, rng: random.Random, role: str, place: str) -> str:
    mine = ROLE_COMMANDS.get(ROLE_OF.get(role, role), [])
    text = rng.choice(mine if mine and rng.random() < 0.5 else COMMANDS)
    text = text.replace("{n}", str(world.unique()))
    if rng.random() < 0.15:  # a command with hostile arguments
        text = text.split()[0] + " " + rng.choice(NASTY)[:200]
    if place != "private":
        head, _, rest = text.partition(" ")
        if "@" not in head:
            roll = rng.random()
            suffix = f"@{world.username}" if roll < 0.75 else "" if roll < 0.9 else "@other_bot"
            text = f"{head}{suffix} {rest}".rstrip()
    return text


def docx_bytes(text: str) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def buttons_in(messages: list[SandboxMessage]) -> list[tuple[int, str]]:
    """(message id, callback data) of every callback button, newest message last."""
    found = []
    for message in messages:
        if not message.from_bot:
            continue
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not data.startswith(NEVER_PRESSED):
                    found.append((message.id, data))
    return found


def expectation(world: World, chat: int, text: str | None) -> str:
    """answer | silence | either: what a message sent into ``chat`` must get back."""
    if chat > 0:
        return "answer"  # a private chat: everything gets a (short, polite) answer
    command = (text or "").split(maxsplit=1)[0] if (text or "").startswith("/") else None
    name, _, addressed = (command or "")[1:].partition("@")
    to_me = addressed.lower() == world.username.lower()
    if chat == world.stray_chat:  # /help, /start and /bind are answered even bare there
        return "either" if name in OPEN_COMMANDS and (to_me or not addressed) else "silence"
    if command is None or (addressed and not to_me):
        return "silence"  # talk among people, or a command for another bot
    return "answer" if to_me else "either"  # a bare /cmd may be for another bot


async def send_message(world: World, actor: Actor, chat: int) -> None:
    """Text, a command, a paste, a photo or a document, into ``chat``; judged at once."""
    driver, rng, user = world.driver, actor.rng, actor.user
    kind = actor.done[-1].split(" ", 1)[0]
    place = "private" if chat > 0 else "group"
    text: str | None = None
    if kind == "command":
        text = some_command(world, rng, actor.key, place)
    elif kind == "text":
        text = some_text(world, rng)
    elif kind == "paste":
        text = WEEK.format(n=world.unique())
    actor.done[-1] += f" {text[:40]!r}" if text is not None else ""
    watch = [chat] if chat == actor.chat else [chat, actor.chat]
    before = {c: await bot_state(driver, c) for c in watch}
    try:
        if text is not None:
            sent = await driver.send_text(user, chat, text)
        elif kind == "photo":
            sent = await driver.send_photo(user, chat, tiny_png(rng.randint(0, 255)))
        elif rng.random() < 0.5:
            sent = await driver.send_document(user, chat, docx_bytes(WEEK.format(n=0)), "周报.docx")
        else:
            junk = rng.choice([b"%PDF-1.4 fuzz", b"PK\x03\x04 not really a docx", b""])
            sent = await driver.send_document(user, chat, junk or b"\x00", "报告.docx")
    except SandboxError:
        return  # something Telegram itself would not let through (empty text, say)
    [update_id] = await update_ids(driver, [sent], [])
    if update_id is None:
        return  # never reached the bot, so nothing to answer
    actor.updates.append(update_id)
    if chat == actor.chat:
        actor.private_messages.add(update_id)
    expected = expectation(world, chat, text)
    if expected == "answer":
        deadline = time.monotonic() + ANSWER_SECONDS
        while True:
            states = [await bot_state(driver, c) for c in watch]
            if any(changed(before[c], s) for c, s in zip(watch, states, strict=True)):
                break
            if update_id in dropped_ids(world.bot):
                break  # judged with the person's other dropped updates, at the end
            if time.monotonic() > deadline:
                world.fail(actor, f"no answer to update {update_id} in chat {chat}")
                break
            await asyncio.sleep(0.1)
    elif expected == "silence":
        await asyncio.sleep(SILENCE_SECONDS)
        after = {c: await bot_state(driver, c) for c in watch}
        said = [await news(driver, c, before[c]) for c in watch if changed(before[c], after[c])]
        if said:
            world.fail(actor, f"update {update_id} in chat {chat} answered {said}, not ignored")


async def press(world: World, actor: Actor, chat: int) -> None:
    """A press: of a real button (fresh or stale), twice at once, of another person's
    button, or forged data; every press is answered (its spinner stopped)."""
    driver, rng, user = world.driver, actor.rng, actor.user
    kind = actor.done[-1].split(" ", 1)[0]
    if kind == "others":
        other = rng.choice([a for a in world.actors.values() if a is not actor])
        found = buttons_in(await driver.messages(other.chat))
        pool = [data for _, data in found[-8:]] or FORGED
        message_id, data = None, rng.choice(pool)
    elif kind == "forge":
        message_id, data = None, rng.choice(FORGED)
    else:
        found = buttons_in(await driver.messages(chat))
        if not found:
            return
        newest = [b for b in found if b[0] == found[-1][0]]
        # Mostly the newest message's buttons (a dialog moves on), sometimes a stale one.
        message_id, data = rng.choice(newest if rng.random() < 0.7 else found[-8:])
    actor.done[-1] += f" {data!r}"
    times = 2 if kind == "twice" else 1
    try:
        queries = await asyncio.gather(
            *(driver.forge_callback(user, chat, data, message_id) for _ in range(times))
        )
    except SandboxError:
        return  # no bot message with buttons there to press under
    for query, update_id in zip(queries, await update_ids(driver, [], queries), strict=True):
        assert update_id is not None, query  # every press reaches the bot
        actor.queries[query] = update_id
        actor.updates.append(update_id)
    for query in queries:
        await judge_press(world, actor, query)


async def judge_press(world: World, actor: Actor, query: str) -> None:
    try:
        answer = await world.driver.wait_for_callback_answer(query, timeout=ANSWER_SECONDS)
    except AssertionError:
        world.fail(actor, f"press {query} (update {actor.queries[query]}) left spinning")
        return
    toast = answer.get("text") or ""
    if actor.queries[query] in dropped_ids(world.bot) and toast not in in_any_locale(
        "access.flood.press"
    ):
        world.fail(actor, f"dropped press {query} answered {answer!r}, not with the toast")


async def redeliver(world: World, actor: Actor) -> None:
    """Telegram delivers one of the person's earlier updates again: nothing may change."""
    if not actor.updates:
        return
    update_id = actor.rng.choice(actor.updates)
    actor.done[-1] += f" {update_id}"
    async with world.office_lock:
        chats = [actor.chat, world.office_chat]
        # Settled first: under load the last message of an earlier answer can come later
        # than QUIET_SECONDS after the one before it, and must not be taken for an effect.
        before = [await quiet(world.driver, c) for c in chats]
        await world.driver.redeliver(update_id)
        await asyncio.sleep(SILENCE_SECONDS)
        after = [await bot_state(world.driver, c) for c in chats]
    for chat, old, new in zip(chats, before, after, strict=True):
        if changed(old, new):
            what = await news(world.driver, chat, old)
            world.fail(actor, f"the redelivered update {update_id} changed chat {chat}: {what}")


async def flood(world: World, actor: Actor) -> None:
    """Texts at machine speed, more than the default burst, then a press at once."""
    driver = world.driver
    if not buttons_in(await driver.messages(actor.chat)):  # something to press at the end
        [update_id] = await update_ids(
            driver, [await driver.send_text(actor.user, actor.chat, "/submit")], []
        )
        actor.updates.append(update_id or 0)
        await quiet(driver, actor.chat)
    sent = [
        await driver.send_text(actor.user, actor.chat, f"第{i}段 {world.unique()}")
        for i in range(FLOOD_TEXTS)
    ]
    found = buttons_in(await driver.messages(actor.chat))
    message_id, data = found[-1] if found else (None, "r:1:back")
    try:
        queries = [await driver.forge_callback(actor.user, actor.chat, data, message_id)]
    except SandboxError:
        queries = []
    ids = [i for i in await update_ids(driver, sent, queries) if i is not None]
    actor.updates.extend(ids)
    actor.private_messages.update(ids[: len(sent)])
    for query, update_id in zip(queries, ids[len(sent) :], strict=True):
        actor.queries[query] = update_id
        await judge_press(world, actor, query)


async def one_act(world: World, actor: Actor, kind: str | None = None) -> None:
    rng = actor.rng
    kind = kind or rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    roll = rng.random()
    chat = actor.chat if roll < 0.65 else world.office_chat if roll < 0.9 else world.stray_chat
    if kind == "flood":
        chat = actor.chat
    actor.done.append(f"{kind} in {'private' if chat > 0 else chat}")
    lock = world.lock_for(chat) if kind != "duplicate" else None
    async with lock or contextlib.nullcontext():
        if kind in ("command", "text", "paste", "photo", "document"):
            await send_message(world, actor, chat)
        elif kind in ("press", "twice", "others", "forge"):
            await press(world, actor, chat)
        elif kind == "duplicate":
            await redeliver(world, actor)
        else:
            await flood(world, actor)
        if chat != actor.chat:
            await quiet(world.driver, chat)
    actor.baseline = await quiet(world.driver, actor.chat)


async def live(world: World, actor: Actor) -> None:
    """One person's part of the day: act, wait for the answer, act again."""
    await asyncio.sleep(actor.rng.random() * 0.5)
    # Every day has a flood at least once (the contact's, at a random moment), so the
    # default budget's toast for a dropped press is always put to the test.
    flood_at = actor.rng.randrange(STEPS) if actor.key == "contact" else -1
    for step in range(STEPS):
        now = await bot_state(world.driver, actor.chat)
        if changed(actor.baseline, now):
            actor.unasked += await news(world.driver, actor.chat, actor.baseline)
        await one_act(world, actor, "flood" if step == flood_at else None)


# --- judging the day -------------------------------------------------------------------------


def dropped_runs(actor: Actor, dropped: set[int]) -> list[list[int]]:
    """The person's dropped updates, in runs that an update the budget took interrupts."""
    runs: list[list[int]] = []
    current: list[int] = []
    for update_id in actor.updates:
        if update_id in dropped:
            current.append(update_id)
        elif current:
            runs.append(current)
            current = []
    return runs + ([current] if current else [])


async def judge_budget(world: World, budget: str) -> None:
    """What the budget drops is answered as promised; with the budget raised, nothing is."""
    dropped = dropped_ids(world.bot)
    notice = in_any_locale("access.flood")
    presses = [u for a in world.actors.values() for u in a.queries.values() if u in dropped]
    if budget == "default-budget" and not presses:  # the contact's flood ends in a press
        world.failures.append("no press was dropped: the toast went untested")
    for actor in world.actors.values():
        mine = [u for u in actor.updates if u in dropped]
        if budget == "raised-budget" and mine:
            world.fail(actor, f"updates {mine} dropped with the budget raised")
        for query, update_id in actor.queries.items():  # answered at all, even late
            if await world.driver.callback_answer(query) is None:
                world.fail(actor, f"press {query} (update {update_id}) never answered")
        runs = dropped_runs(actor, dropped)
        texts = [run for run in runs if any(u in actor.private_messages for u in run)]
        messages = [m for m in await world.driver.messages(actor.chat) if m.from_bot]
        notices = sum(1 for m in messages if m.text in notice)
        if notices > len(texts):
            world.fail(actor, f"{notices} notices for {len(texts)} runs of dropped texts")
        first = texts[0] if texts else []
        others = [u for u in first if u not in actor.queries.values()]
        if others and others[0] in actor.private_messages and notices == 0:
            world.fail(actor, f"dropped texts {first} and not one notice")


async def invariants_hold(database_url: str) -> list[str]:
    """What no stream of updates may break, beyond what the schema's constraints enforce
    (one submission per group and week, one dialog position per person, ...)."""
    await invariants(database_url)  # authors, one director per office, every revision audited
    wrong = []
    async with open_session(database_url) as session:
        numbers: dict[int, list[int]] = {}
        for submission_id, number in await session.execute(
            select(SubmissionRevision.submission_id, SubmissionRevision.number)
        ):
            numbers.setdefault(submission_id, []).append(number)
        gaps = {s: n for s, n in numbers.items() if sorted(n) != list(range(1, len(n) + 1))}
        if gaps:
            wrong.append(f"revision numbers with gaps or repeats: {gaps}")
        # Every text typed is unique, so the same decision twice is a press acting twice.
        doubled = await session.execute(
            select(Decision.group_id, Decision.text, func.count())
            .group_by(Decision.group_id, Decision.text, Decision.created_by_id)
            .having(func.count() > 1)
        )
        wrong += [f"decision recorded twice: {row}" for row in doubled.all()]
        doubled = await session.execute(
            select(ScoreAdjustment.group_id, ScoreAdjustment.reason, func.count())
            .where(ScoreAdjustment.withdrawn_at.is_(None))
            .group_by(ScoreAdjustment.group_id, ScoreAdjustment.window_key, ScoreAdjustment.reason)
            .having(func.count() > 1)
        )
        wrong += [f"adjustment recorded twice: {row}" for row in doubled.all()]
        doubled = await session.execute(
            select(GoodPractice.title, func.count())
            .where(GoodPractice.status == "marked")
            .group_by(GoodPractice.title, GoodPractice.revision_id, GoodPractice.passage)
            .having(func.count() > 1)
        )
        wrong += [f"good practice marked twice: {row}" for row in doubled.all()]
    return wrong


# --- the test -----------------------------------------------------------------------------------


async def cast_of(driver: SandboxDriver, office: Office) -> dict[str, SandboxUser]:
    staff = await driver.create_user("钱干事", username="qian_staff", language_code="zh-hans")
    member = await driver.create_user("孙成员", username="sun_member", language_code="zh-hans")
    stranger = await driver.create_user("Nobody", username="nobody_at_all", language_code="en")
    for user in (staff, member):
        await driver.set_member(office.chat.id, user, "member")
    return {
        "director": office.director,
        "staff": staff,
        "contact": office.zhang,
        "contact2": office.li,
        "deputy": office.wang,
        "member": member,
        "bystander": office.outsider,  # in the office chat, no role in it
        "stranger": stranger,  # not even in the office chat
    }


# Nobody's action concerns these two: whatever reaches their private chat unasked went to
# the wrong person.
UNCONCERNED = ("bystander", "stranger")


@pytest.mark.parametrize("budget", list(BUDGETS))
async def test_a_hostile_day_in_the_office_answers_each_person(
    budget: str,
    driver: SandboxDriver,
    office: Office,
    database_url: str,
    start_bot: StartBot,
) -> None:
    seed = int(os.environ.get("LIHUI_FUZZ_SEED") or SEEDS[budget])
    print(f"fuzz seed {seed} ({budget}, {STEPS} acts a person): LIHUI_FUZZ_SEED={seed}")
    staff = {"zhao_director": "director", "qian_staff": "staff", "sun_member": "member"}
    await seed_office(database_url, office.chat.id, GROUPS, staff=staff)
    cast = await cast_of(driver, office)
    owner = await driver.create_user("群主", username="some_owner")
    stray = await driver.create_group("随便一个群", members=[owner, *cast.values()], creator=owner)
    bot = await start_bot(database_url, BUDGETS[budget])
    username = str((await driver.bot_info())["user"]["username"])
    # The bot greets the unserved group it was added to once: that is before the day starts.
    await driver.wait_for_message(stray.id, contains=f"/bind@{username}")
    actors = {key: Actor(key, user, random.Random(f"{seed}:{key}")) for key, user in cast.items()}
    world = World(driver, bot, username, office.chat.id, stray.id, actors)
    started = time.monotonic()
    await asyncio.gather(*(live(world, actor) for actor in actors.values()))
    deadline = time.monotonic() + 30
    while (await driver.bot_info())["pending_update_count"]:
        assert time.monotonic() < deadline, f"seed {seed}: the bot stopped handling updates"
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # the last answers, and the dropped updates' marks
    await judge_budget(world, budget)
    for key in UNCONCERNED:
        if actors[key].unasked:
            world.fail(actors[key], f"was sent, unasked: {actors[key].unasked}")
    for actor in actors.values():
        print(f"{actor.key}: {len(actor.updates)} updates; unasked: {actor.unasked}")
        if os.environ.get("LIHUI_FUZZ_DEBUG"):
            print("  did:", actor.done)
            for m in (await driver.messages(actor.chat))[-12:]:
                print("   ", m.short()[:160])
    print(
        f"{sum(len(a.updates) for a in actors.values())} updates in "
        f"{time.monotonic() - started:.1f} s; dropped: {len(dropped_ids(bot))}"
    )
    async with open_session(database_url) as session:  # what the stream got done, to read
        print("audit:", dict(Counter(await session.scalars(select(AuditLog.action)))))
    bad = [line for line in bot.log().splitlines() if " ERROR " in line or "Traceback" in line]
    world.failures += [f"the bot logged: {line}" for line in bad[:10]]
    world.failures += await invariants_hold(database_url)
    assert not world.failures, f"seed {seed} ({budget}):\n" + "\n".join(world.failures)
