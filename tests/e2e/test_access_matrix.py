"""Each role × each command: allowed, or refused politely with the database unchanged.

Data-driven: the commands and who may use them come from ``bot.commands.COMMANDS`` (whose
rows follow ``bot.access.POLICY``), so a command another engineer adds is covered by its
row there. What this file needs to know about a command is only how it says "no" when
that is not the common refusal (``access.denied``), in ``REFUSAL``, and where the right is
checked somewhere else than the command itself, in ``GROUP_SKIP``.
"""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS, GROUP_COMMANDS
from bot.i18n import SUPPORTED_LOCALES, translate
from sandbox.driver import SandboxDriver, SandboxMessage, SandboxUser
from tests.e2e.access_world import prompt_recorded, settled_snapshot, snapshot
from tests.e2e.conftest import GROUPS, Office, StartBot
from tests.e2e.seed import seed_office

pytestmark = pytest.mark.e2e

ROLES = ("director", "staff", "member", "contact", "stranger")

# How a command refuses besides the common ``access.denied``.
REFUSAL = {
    "submit": "dialog.not_contact",
    "mystatus": "dialog.not_contact",
    # A non-contact has no report to pause: "nothing in progress" is its polite no.
    "cancel": "dialog.cancel.nothing",
    # The roll-ups say why in private: the person manages no office at all.
    **dict.fromkeys(("assess", "adjust", "monthly", "highlight", "rubric"), "rollups.no_workspace"),
}
# Checked elsewhere in a group, with a reason each:
GROUP_SKIP = {
    # the right is Telegram's (an administrator of the group): tests/e2e/test_access.py
    "bind": "getChatMember",
    # in a group /submit only offers the way into the private chat, where the right is checked
    "submit": "private",
}


# Rights are looked up the same way on either database; PostgreSQL runs a sample of the
# command families (reports, ledgers, settings, roles) to keep the suite's time in bounds.
POSTGRES_SAMPLE = frozenset({"report", "decide", "settings", "roles", "submit"})


def allowed_roles(command: str) -> set[str]:
    allowed = dict(COMMANDS)[command]
    return set(ROLES) if not allowed else {role for role in ROLES if role in allowed}


def refusals(command: str) -> list[str]:
    keys = {"access.denied", REFUSAL.get(command, "access.denied")}
    return [translate(locale, key) for locale in SUPPORTED_LOCALES for key in keys]


def refused(command: str, reply: SandboxMessage) -> bool:
    return any(text in reply.text for text in refusals(command))


ANSWER_SECONDS = 30.0


async def people(driver: SandboxDriver, office: Office) -> dict[str, SandboxUser]:
    staff = await driver.create_user("钱干事", username="qian_staff", language_code="zh-hans")
    member = await driver.create_user("孙成员", username="sun_member", language_code="zh-hans")
    return {
        "director": office.director,
        "staff": staff,
        "member": member,
        "contact": office.zhang,
        "stranger": office.outsider,
    }


async def ask(driver: SandboxDriver, user: SandboxUser, chat_id: int, text: str) -> SandboxMessage:
    await driver.mark_seen(chat_id)
    await driver.send_text(user, chat_id, text)
    # A deadline, not a judgement of speed: /report and /monthly answer with a chart from a
    # render process started for it, which on a loaded 2-core run took more than 10 s twice.
    return await driver.wait_for_message(chat_id, timeout=ANSWER_SECONDS)


@pytest.mark.parametrize("command", [name for name, _ in COMMANDS])
async def test_each_role_is_allowed_or_refused_with_nothing_changed(
    command: str,
    driver: SandboxDriver,
    office: Office,
    database_url: str,
    start_bot: StartBot,
) -> None:
    if database_url.startswith("postgresql") and command not in POSTGRES_SAMPLE:
        pytest.skip("on PostgreSQL the matrix runs a sample of the commands")
    await seed_office(
        database_url,
        office.chat.id,
        GROUPS,
        staff={"zhao_director": "director", "qian_staff": "staff", "sun_member": "member"},
    )
    cast = await people(driver, office)
    for user in (cast["staff"], cast["member"]):
        await driver.set_member(office.chat.id, user, "member")
    await start_bot(database_url)
    bot = str((await driver.bot_info())["user"]["username"])
    for user in cast.values():  # first contact: the roster's @usernames bound to ids
        await ask(driver, user, user.id, "/start")
    contact = cast["contact"]
    await driver.send_text(contact, contact.id, "/submit")  # a report in progress
    prompt = await driver.wait_for_message(contact.id, contains="本周工作完成情况")
    await prompt_recorded(database_url, prompt.id)  # before the first snapshot

    places = [("private", None)]
    if command in GROUP_COMMANDS and command not in GROUP_SKIP:
        places.append(("group", office.chat.id))
    wrong: list[str] = []
    # The database as a refusal just left it: unchanged, so the next attempt's "before".
    # After an allowed command the bot may still be writing: the next "before" waits for it.
    settled = None
    for place, chat in places:
        for role in ROLES:
            user = cast[role]
            text = f"/{command}" if chat is None else f"/{command}@{bot}"
            before = settled or await settled_snapshot(database_url)
            reply = await ask(driver, user, chat or user.id, text)
            expected = role in allowed_roles(command)
            if refused(command, reply) == expected:
                verdict = "refused" if expected else "allowed"
                wrong.append(f"{role} in {place}: {verdict}, got {reply.text[:80]!r}")
            settled = None
            if not expected:
                after = await snapshot(database_url)
                if after != before:
                    wrong.append(f"{role} in {place}: refused but the database changed")
                else:
                    settled = after
    assert not wrong, f"/{command}:\n" + "\n".join(wrong)
