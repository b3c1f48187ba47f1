"""getMe, sending and reading back, access rules, commands: through PTB and raw HTTP."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import telegram
from telegram.error import BadRequest, Forbidden

from sandbox.driver import SandboxDriver, SandboxUser, shared_tls
from sandbox.server import ThreadedSandbox, start_in_thread


async def test_get_me_through_python_telegram_bot(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "lihui_test_bot"
    assert me.first_name == "例会助手"
    assert me.id == int(bot.token.split(":")[0])


async def test_raw_envelope_and_status(api: httpx.AsyncClient) -> None:
    ok = await api.post("getMe")
    assert ok.status_code == 200
    assert ok.json()["ok"] is True
    missing = await api.post("sendMessage", data={"text": "hi"})
    assert missing.status_code == 400
    body = missing.json()
    assert body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith("Bad Request: chat_id is empty")


async def test_unknown_method_is_404(api: httpx.AsyncClient) -> None:
    response = await api.post("sendMesage", data={"chat_id": 1, "text": "x"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(api: httpx.AsyncClient) -> None:
    assert (await api.get("getme")).json()["ok"] is True


async def test_any_digits_token_is_its_own_bot(sandbox: ThreadedSandbox) -> None:
    other = telegram.Bot("42:other-secret", base_url=sandbox.bot_api_base_url)
    async with other:
        assert other.bot.id == 42
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        response = await client.post(f"{sandbox.bot_api_base_url}not-a-token/getMe")
    assert response.status_code == 404


async def test_misspelled_parameter_is_refused(
    api: httpx.AsyncClient, bot: telegram.Bot, alice: SandboxUser
) -> None:
    response = await api.post("sendMessage", data={"chat_id": alice.id, "txt": "hi"})
    assert response.status_code == 400
    assert response.json()["description"] == (
        "Bad Request: unknown parameter 'txt' for method sendMessage"
    )
    with pytest.raises(BadRequest, match=r"(?i)unknown parameter 'foo' for method sendMessage"):
        await bot.send_message(alice.id, "hi", api_kwargs={"foo": 1})


async def test_missing_required_parameter_raises_bad_request(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(123, "")


async def test_json_body_is_accepted(api: httpx.AsyncClient, alice: SandboxUser) -> None:
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}
    body = {"chat_id": alice.id, "text": "json", "reply_markup": markup}
    response = await api.post("sendMessage", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["reply_markup"] == markup


async def test_ill_typed_parameter_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "sendMessage", data={"chat_id": "1", "text": "x", "reply_markup": "{"}
    )
    assert response.status_code == 400
    assert "can't parse reply_markup JSON object" in response.json()["description"]


async def test_send_message_and_read_back(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    sent = await bot.send_message(alice.id, "你好，<b>王丽</b>", parse_mode="HTML")
    assert sent.text == "你好，王丽"
    assert sent.chat.id == alice.id and sent.chat.type == "private"
    assert sent.from_user.id == bot.bot.id
    seen = await driver.wait_for_message(alice.id, contains="王丽", timeout=2)
    assert seen.id == sent.message_id
    assert seen.entities == [{"offset": 3, "length": 2, "type": "bold"}]
    with pytest.raises(AssertionError, match="no new bot message"):
        await driver.wait_for_message(alice.id, timeout=0.3)


async def test_user_message_carries_bot_command_entity(
    driver: SandboxDriver, bot: telegram.Bot
) -> None:
    user = await driver.create_user("李")
    await driver.send_text(user, user.id, "/report@lihui_test_bot 本周 @wang_li")
    (update,) = await bot.get_updates()
    message = update.message
    assert message.text == "/report@lihui_test_bot 本周 @wang_li"
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    assert kinds == [("bot_command", 0, 22), ("mention", 26, 8)]
    assert message.chat.id == user.id == message.from_user.id


async def test_bot_cannot_initiate_conversation(bot: telegram.Bot, driver: SandboxDriver) -> None:
    stranger = await driver.create_user("陌生人")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello")


async def test_blocked_user(bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser) -> None:
    await driver.block(alice)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "hello")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    await driver.unblock(alice)
    assert (await bot.send_message(alice.id, "back")).text == "back"


async def test_group_membership_rules(bot: telegram.Bot, driver: SandboxDriver) -> None:
    boss = await driver.create_user("主任")
    office = await driver.create_group("办公室", members=[boss], bot_member=False)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(office.id, "hi")
    await driver.set_member(office.id, bot.bot.id, "member", by=boss)
    updates = await bot.get_updates()
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[1].message.new_chat_members[0].id == bot.bot.id
    assert (await bot.send_message(office.id, "大家好")).chat.type == "supergroup"


async def test_chat_members_and_admins(bot: telegram.Bot, driver: SandboxDriver) -> None:
    boss = await driver.create_user("主任")
    clerk = await driver.create_user("干事")
    member = await driver.create_user("成员")
    office = await driver.create_group(
        "温暖二七领导小组办公室", members=[member], admins=[clerk], creator=boss
    )
    assert office.id < -1000000000000
    statuses = {
        user.id: (await bot.get_chat_member(office.id, user.id)).status
        for user in (boss, clerk, member)
    }
    assert statuses == {boss.id: "creator", clerk.id: "administrator", member.id: "member"}
    admins = await bot.get_chat_administrators(office.id)
    assert {a.user.id for a in admins} == {boss.id, clerk.id}
    await driver.set_member(office.id, member, "left")
    assert (await bot.get_chat_member(office.id, member.id)).status == "left"
    chat = await bot.get_chat(office.id)
    assert chat.title == "温暖二七领导小组办公室" and chat.type == "supergroup"


async def test_commands_roundtrip(bot: telegram.Bot, driver: SandboxDriver) -> None:
    commands = [telegram.BotCommand("start", "开始"), telegram.BotCommand("help", "帮助")]
    assert await bot.set_my_commands(commands, language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == tuple(commands)
    assert await bot.get_my_commands() == ()
    listing = await driver.commands()
    assert listing[0]["language_code"] == "zh"
    assert [c["command"] for c in listing[0]["commands"]] == ["start", "help"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([telegram.BotCommand("Bad-Name", "x")])
    assert await bot.delete_my_commands(language_code="zh")
    assert await driver.commands() == []


async def test_chat_action_and_trivial_methods(bot: telegram.Bot, alice: SandboxUser) -> None:
    assert await bot.send_chat_action(alice.id, "typing")
    assert await bot.close()


async def test_unknown_chat_action_is_refused(bot: telegram.Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")


async def test_state_overview_for_a_demo_page(
    sandbox: ThreadedSandbox, driver: SandboxDriver, alice: SandboxUser
) -> None:
    office = await driver.create_group("办公室", members=[alice])
    async with httpx.AsyncClient(verify=shared_tls()) as client:
        state = (await client.get(f"{sandbox.url}/_sandbox/state")).json()
    assert [u["id"] for u in state["users"]] == [alice.id]
    assert state["started"] == [alice.id]
    (group,) = state["groups"]
    assert group["chat"]["id"] == office.id
    assert group["members"][str(alice.id)] == "creator"


def test_stopping_does_not_wait_for_an_open_long_poll() -> None:
    """A driver's /wait (or a bot's getUpdates) still open must not hold the stop for 60 s."""
    handle = start_in_thread(flood_limits=False)
    revision = httpx.get(f"{handle.url}/_sandbox/wait?since=-1").json()["revision"]
    outcome: list[object] = []

    def poll() -> None:
        try:
            url = f"{handle.url}/_sandbox/wait?since={revision}&timeout=60"
            outcome.append(httpx.get(url, timeout=90))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    for _ in range(500):
        if handle.server.world.waiting:
            break
        time.sleep(0.01)
    else:
        pytest.fail("the long poll never reached the sandbox")

    handle.stop(timeout=5.0)  # raises TimeoutError if the cleanup waits out the poll
    poller.join(5.0)
    assert not handle.thread.is_alive()
    assert outcome, "the long poll was left hanging after the sandbox stopped"
