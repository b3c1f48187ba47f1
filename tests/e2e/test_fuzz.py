"""Hostile input, generated: every command and dialog step gets random and nasty text,
media where text is expected, forged, stale and other people's button data, duplicate
updates, and updates from strangers and unserved chats.

One long-lived ``lihui run`` per test (a process per example would be far too slow); each
example is a short sequence of actions, after which the bot must have handled everything,
logged no ERROR and no traceback (a call the strict sandbox refused shows up as one), and
changed nothing it should not:

- strangers, members and unserved chats change no data at all;
- whatever contacts and the director do, every report belongs to a group its author
  reports for, each office keeps exactly one director, and every revision is audited.

``LIHUI_FUZZ_EXAMPLES`` sets the number of examples per test (default 8, so the suite
stays fast); README "Tests" gives the longer run. ``test_fuzz_office.py`` is the other
half: the whole office at once, every role and command family, judged person by person.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.commands import COMMANDS
from sandbox.driver import SandboxDriver, SandboxError, SandboxUser
from sandbox.server import ThreadedSandbox
from storage.models import AuditLog, Contact, Membership, Submission, SubmissionRevision
from tests.e2e.access_world import snapshot
from tests.e2e.conftest import GROUPS, Office, StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.scenario import tiny_png
from tests.e2e.seed import open_session, seed_office

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("LIHUI_FUZZ_EXAMPLES", "8"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

# --- what people type ------------------------------------------------------------------------

NASTY = [
    "👨‍👩‍👧‍👦🇨🇳🏳️‍🌈",  # ZWJ sequences and flags
    "𠀀𠀁𪚥 𝕏",  # outside the BMP: surrogate pairs in UTF-16
    "\u202eusers\u202c مرحبا שלום",  # right-to-left override, Arabic, Hebrew
    "e\u0301\u0301\u0301 Z\u0351\u0352\u0353",  # combining marks
    "\x00\x01\x07\x1b[31m\x7f",  # control characters
    "\u3164",  # the Hangul filler "blank message"
    "\u115f\u1160\uffa0\u2800",
    "<b>粗体</b> <a href='x'>link</a> &amp; &lt; <script>alert(1)</script>",
    "</code><pre>",
    "1,200人次",
    "５００",
    "-1e309",
    "NaN",
    "100%",
    "@zhang_wei",
    "@" + "a" * 40,
    "无",
    "取消",
    "很多" * 2000,  # long
    "字" * 4096,  # as long as Telegram allows
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
)
COMMAND_NAMES = [name for name, _ in COMMANDS] + ["report", "nonsense", "start"]


@st.composite
def commands(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(COMMAND_NAMES))
    suffix = draw(st.sampled_from(["", "@{bot}", "@other_bot"]))
    args = draw(st.one_of(st.just(""), TEXT.map(lambda t: " " + t[:100])))
    return f"/{name}{suffix}{args}"


IDS = st.one_of(st.integers(0, 8), st.integers(10**12, 10**18), st.sampled_from([-1, 2**63]))
VERBS = ["in", "ub", "rv", "ho", "hy", "au", "g", "gl", "ge", "x", "zz"]


@st.composite
def callback_data(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return f"s:{draw(IDS)}"
    if kind == 1:
        action = draw(st.sampled_from(["submit", "back", "skip", "keep", "0", "edit:done", "²"]))
        return f"r:{draw(IDS)}:{action}"
    if kind == 2:
        ids = draw(st.lists(IDS, max_size=3))
        return ":".join(["a", draw(st.sampled_from(VERBS)), *map(str, ids)])[:64]
    if kind == 3:
        return draw(st.sampled_from(["s:", "r::", "a:", "a:au:３:0", "a:au:²:0", "s:３", ""]))
    data = draw(st.text(max_size=64)).encode("utf-8")[:64].decode("utf-8", "ignore")
    return data


@dataclass(frozen=True)
class Act:
    """One thing one person does: ``kind`` says what, ``payload`` with what."""

    who: str
    where: str  # private | office | stray (a group lihui does not serve)
    kind: str  # text | command | photo | document | forge | press | duplicate
    payload: Any = None


def acts(people: list[str]) -> st.SearchStrategy[Act]:
    who = st.sampled_from(people)
    where = st.sampled_from(["private", "private", "office", "stray"])
    return st.one_of(
        st.builds(Act, who, where, st.just("text"), TEXT),
        st.builds(Act, who, where, st.just("command"), commands()),
        st.builds(Act, who, where, st.just("photo"), st.integers(0, 255)),
        st.builds(Act, who, where, st.just("document"), st.integers(0, 255)),
        st.builds(Act, who, where, st.just("forge"), callback_data()),
        st.builds(Act, who, where, st.just("press"), st.integers(0, 1000)),
        st.builds(Act, who, where, st.just("duplicate"), st.integers(0, 1000)),
    )


# --- driving one example -----------------------------------------------------------------------


@dataclass
class World:
    sandbox: ThreadedSandbox
    bot: BotProcess
    bot_username: str
    cast: dict[str, SandboxUser]
    office_chat: int
    stray_chat: int
    database_url: str


def chat_of(world: World, act: Act) -> int:
    if act.where == "office":
        return world.office_chat
    if act.where == "stray":
        return world.stray_chat
    return world.cast[act.who].id


async def perform(driver: SandboxDriver, world: World, act: Act) -> None:
    user, chat = world.cast[act.who], chat_of(world, act)
    try:
        if act.kind == "text":
            await driver.send_text(user, chat, act.payload)
        elif act.kind == "command":
            await driver.send_text(user, chat, act.payload.replace("{bot}", world.bot_username))
        elif act.kind == "photo":
            await driver.send_photo(user, chat, tiny_png(act.payload), caption=None)
        elif act.kind == "document":
            await driver.send_document(user, chat, b"%PDF-1.4 fuzz", f"f{act.payload}.pdf")
        elif act.kind == "forge":
            await driver.forge_callback(user, chat, act.payload)
        elif act.kind == "press":
            await press_some_button(driver, user, chat, act.payload)
        elif act.kind == "duplicate":
            recent = (await driver.updates())["recent"]
            if recent:
                await driver.redeliver(recent[-1 - act.payload % len(recent)]["update_id"])
    except SandboxError:
        pass  # something Telegram itself would not let through (empty text, no such button)


async def press_some_button(driver: SandboxDriver, user: SandboxUser, chat: int, pick: int) -> None:
    messages = [m for m in await driver.messages(chat) if m.from_bot and m.button_texts]
    if not messages:
        return
    message = messages[-1 - pick % min(len(messages), 3)]  # mostly recent, sometimes stale
    labels = message.button_texts
    if not labels:
        return
    await driver.press_button(user, chat, labels[pick % len(labels)], message.id)


async def settle(driver: SandboxDriver, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Until the bot has fetched (and so handled) every update sent so far."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (await driver.bot_info())["pending_update_count"]:
        assert asyncio.get_running_loop().time() < deadline, "the bot stopped handling updates"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.15)  # the last update's replies


def assert_log_clean(bot: BotProcess, acts_done: list[Act]) -> None:
    bad = [line for line in bot.log().splitlines() if " ERROR " in line or "Traceback" in line]
    assert not bad, f"after {acts_done!r}:\n" + "\n".join(bad[:10])


async def invariants(database_url: str) -> None:
    """What no sequence of actions may break."""
    async with open_session(database_url) as session:
        edited = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "groups.edit")
        )
        # A report's author reports for its group, unless /groups changed who does since.
        foreign = (
            0
            if edited
            else await session.scalar(
                select(func.count())
                .select_from(Submission)
                .where(
                    Submission.started_by_id.is_not(None),
                    ~select(Contact.id)
                    .where(
                        Contact.group_id == Submission.group_id,
                        Contact.person_id == Submission.started_by_id,
                    )
                    .exists(),
                )
            )
        )
        assert foreign == 0, "a report was started by someone who does not report for the group"
        directors = (
            await session.execute(
                select(Membership.workspace_id, func.count())
                .where(Membership.role == "director")
                .group_by(Membership.workspace_id)
            )
        ).all()
        assert all(n == 1 for _, n in directors), directors
        revisions = await session.scalar(select(func.count()).select_from(SubmissionRevision))
        audited = await session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "report.submit")
        )
        assert revisions == audited, (revisions, audited)


async def make_world(
    driver: SandboxDriver,
    sandbox: ThreadedSandbox,
    office: Office,
    url: str,
    start_bot: StartBot,
) -> World:
    member = await driver.create_user("孙成员", username="sun_member", language_code="zh-hans")
    await driver.set_member(office.chat.id, member, "member")
    owner = await driver.create_user("群主", username="some_owner")  # never acts: no /bind
    stray = await driver.create_group(
        "随便一个群", members=[owner, office.outsider, member, office.zhang], creator=owner
    )
    await seed_office(
        url, office.chat.id, GROUPS, staff={"zhao_director": "director", "sun_member": "member"}
    )
    bot = await start_bot(url)
    cast = {
        "director": office.director,
        "contact": office.zhang,
        "contact2": office.li,
        "deputy": office.wang,
        "member": member,
        "stranger": office.outsider,
    }
    username = str((await driver.bot_info())["user"]["username"])
    return World(sandbox, bot, username, cast, office.chat.id, stray.id, url)


def run_examples(world: World, strategy: st.SearchStrategy[list[Act]], check: Any) -> int:
    """Run the hypothesis examples in this (worker) thread, one event loop per example."""
    ran = 0

    @FUZZ
    @given(strategy)
    def example(sequence: list[Act]) -> None:
        nonlocal ran
        ran += 1
        asyncio.run(one_example(world, sequence, check))

    example()
    return ran


async def one_example(world: World, sequence: list[Act], check: Any) -> None:
    async with SandboxDriver(world.sandbox.url, poll=0.1) as driver:
        before = await snapshot(world.database_url)
        for act in sequence:
            await perform(driver, world, act)
        await settle(driver)
        assert_log_clean(world.bot, sequence)
        await check(world, before, sequence)


# --- the tests ---------------------------------------------------------------------------------


async def nothing_changed(world: World, before: dict[str, Any], sequence: list[Act]) -> None:
    assert await snapshot(world.database_url) == before, sequence


async def test_strangers_members_and_unserved_chats_change_nothing(
    driver: SandboxDriver,
    sandbox: ThreadedSandbox,
    office: Office,
    database_url: str,
    start_bot: StartBot,
) -> None:
    world = await make_world(driver, sandbox, office, database_url, start_bot)
    outsiders = st.lists(acts(["stranger", "member"]), min_size=1, max_size=6)
    # Anyone at all, but in the group lihui does not serve.
    stray = st.lists(
        acts(list(world.cast)).map(lambda a: Act(a.who, "stray", a.kind, a.payload)),
        min_size=1,
        max_size=4,
    )
    ran = await asyncio.to_thread(run_examples, world, st.one_of(outsiders, stray), nothing_changed)
    assert ran >= min(EXAMPLES, 1)


async def only_allowed_changes(world: World, before: dict[str, Any], sequence: list[Act]) -> None:
    await invariants(world.database_url)


async def test_contacts_and_the_director_break_nothing(
    driver: SandboxDriver,
    sandbox: ThreadedSandbox,
    office: Office,
    database_url: str,
    start_bot: StartBot,
) -> None:
    world = await make_world(driver, sandbox, office, database_url, start_bot)
    insiders = st.lists(acts(["director", "contact", "contact2", "deputy"]), min_size=1, max_size=8)
    ran = await asyncio.to_thread(run_examples, world, insiders, only_allowed_changes)
    assert ran >= min(EXAMPLES, 1)
