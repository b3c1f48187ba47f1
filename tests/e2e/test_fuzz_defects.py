"""Defects the fuzz suite's day in the office found (tests/e2e/test_fuzz_office.py), each
reproduced on its own so that it stays fixed."""

from __future__ import annotations

import pytest

from sandbox.driver import SandboxDriver, SandboxMessage
from tests.e2e.conftest import Office, StartBot
from tests.e2e.scenario import Person

pytestmark = pytest.mark.e2e


def callback_data(message: SandboxMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row if "callback_data" in button]


async def test_a_button_that_edits_its_message_pressed_under_a_chart_still_answers(
    driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    # Seed 22, 40 acts a person: /groups' "pick a group" data, pressed (forged) under the
    # /report chart, tried to edit a photo's text; Telegram refused, the bot logged an
    # ERROR and the director read "something went wrong".
    bot = await start_bot(seeded_database)
    director = Person(driver, office.director)
    await director.says("/groups")
    picker = await director.reads("")
    [pick, *_] = [data for data in callback_data(picker) if data.startswith("a:g:")]
    await director.says("/report")
    chart = await driver.wait_for_message(director.chat, where=lambda m: "photo" in m.raw)
    await driver.mark_seen(director.chat)
    query = await driver.press_data(director.user, director.chat, chart.id, pick)
    await driver.wait_for_callback_answer(query)
    answer = await driver.wait_for_message(director.chat, where=lambda m: bool(m.buttons))
    assert callback_data(answer) and "photo" not in answer.raw  # the group's fields, anew
    bot.stop()
    bot.assert_clean_log()


@pytest.mark.parametrize("command", ["/assess", "/monthly"])
async def test_a_window_that_looks_like_html_is_refused_with_the_text_shown(
    command: str, driver: SandboxDriver, office: Office, seeded_database: str, start_bot: StartBot
) -> None:
    # Seed 23, 40 acts a person: "/assess@bot </code><pre>" in the office chat. The refusal
    # ("cannot read the month …") quoted the typed text unescaped in HTML, Telegram refused
    # to parse it, and the bot logged an ERROR instead of answering.
    bot = await start_bot(seeded_database)
    director = Person(driver, office.director)
    await director.says(f"{command} </code><pre>")
    refusal = await director.reads("</code><pre>")  # shown as typed, not taken as markup
    assert "</code><pre>" in refusal.text
    bot.stop()
    bot.assert_clean_log()
