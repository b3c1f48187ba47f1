"""Strict mode: everything the sandbox answers is checked against Telegram's schema."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from sandbox.driver import SandboxDriver, SandboxUser, shared_tls
from sandbox.methods import HANDLERS, Call
from sandbox.samples import png_bytes
from sandbox.schema import load_schema
from sandbox.server import SandboxServer, ThreadedSandbox

USER = {"id": 1, "is_bot": False, "first_name": "A"}


def test_validator_catches_missing_and_extra_fields() -> None:
    schema = load_schema()
    assert schema.problems(USER, ("User",), "u") == []
    assert schema.problems({"id": 1, "first_name": "A"}, ("User",), "u") == [
        "u.is_bot: required field of User is missing"
    ]
    assert schema.problems({**USER, "nickname": "x"}, ("User",), "u") == [
        "u: User has no field 'nickname'"
    ]


def test_validator_checks_types_arrays_and_nesting() -> None:
    schema = load_schema()
    chat = {"id": 5, "type": "private"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": {**USER, "id": "1"}}
    assert schema.problems(message, ("Message",), "m") == ["m.from.id: expected Integer, got str"]
    entities = [{"type": "bold", "offset": 0, "length": True}]
    found = schema.problems({**message, "from": USER, "entities": entities}, ("Message",), "m")
    assert found == ["m.entities[0].length: expected Integer, got bool"]


def test_union_types_use_the_discriminator() -> None:
    schema = load_schema()
    owner = {"status": "creator", "user": USER, "is_anonymous": False}
    assert schema.problems(owner, ("ChatMember",), "cm") == []
    assert schema.problems({**owner, "status": "boss"}, ("ChatMember",), "cm") != []


def test_method_specs_come_from_the_committed_schema() -> None:
    schema = load_schema()
    send = schema.method("sendMessage")
    assert send is not None
    assert send.params["chat_id"].required and send.params["text"].required
    assert send.returns == ("Message",)
    assert schema.method("noSuchMethod") is None


async def test_strict_mode_turns_a_broken_answer_into_500(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_get_me(call: Call) -> dict[str, Any]:
        return {"id": 1, "is_bot": True, "first_name": "x", "favourite_colour": "blue"}

    server = SandboxServer(flood_limits=False)
    monkeypatch.setitem(server.api.handlers, "getMe", broken_get_me)
    await server.start()
    try:
        async with httpx.AsyncClient(verify=shared_tls()) as client:
            with caplog.at_level(logging.ERROR, logger="sandbox.api"):
                response = await client.post(f"{server.bot_api_base_url}{server.token}/getMe")
    finally:
        await server.stop()
    assert response.status_code == 500
    assert "User has no field 'favourite_colour'" in response.json()["description"]
    assert "STRICT MODE" in caplog.text
    assert HANDLERS["getMe"] is not broken_get_me  # the registry itself was not touched


async def test_lenient_mode_lets_a_broken_answer_through(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_get_me(call: Call) -> dict[str, Any]:
        return {"id": 1, "is_bot": True, "first_name": "x", "favourite_colour": "blue"}

    server = SandboxServer(strict=False)
    monkeypatch.setitem(server.api.handlers, "getMe", broken_get_me)
    await server.start()
    try:
        async with httpx.AsyncClient(verify=shared_tls()) as client:
            response = await client.post(f"{server.bot_api_base_url}{server.token}/getMe")
    finally:
        await server.stop()
    assert response.json()["result"]["favourite_colour"] == "blue"


async def _call(api: httpx.AsyncClient, method: str, **params: Any) -> Any:
    files = params.pop("files", None)
    response = await api.post(method, data=params, files=files)
    body = response.json()
    assert response.status_code == 200 and body["ok"], (method, body)
    return body["result"]


async def test_every_returned_object_matches_the_schema(
    sandbox: ThreadedSandbox, api: httpx.AsyncClient, driver: SandboxDriver, alice: SandboxUser
) -> None:
    """Exercise each object kind the sandbox returns and check it independently here too."""
    schema = load_schema()
    boss = await driver.create_user("主任")
    office = await driver.create_group("办公室", members=[alice], admins=[boss], bot_admin=True)
    keyboard = '{"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}'
    sent = await _call(api, "sendMessage", chat_id=alice.id, text="hi", reply_markup=keyboard)
    await driver.send_text(alice, office.id, "/help")
    await driver.press_button(alice, alice.id, "好")
    photo = await _call(api, "sendPhoto", chat_id=alice.id, files={"photo": png_bytes()})
    results: dict[str, Any] = {
        "getMe": await _call(api, "getMe"),
        "sendMessage": sent,
        "sendPhoto": photo,
        "getUpdates": await _call(api, "getUpdates"),
        "getWebhookInfo": await _call(api, "getWebhookInfo"),
        "getChat": await _call(api, "getChat", chat_id=office.id),
        "getChatMember": await _call(api, "getChatMember", chat_id=office.id, user_id=boss.id),
        "getChatAdministrators": await _call(api, "getChatAdministrators", chat_id=office.id),
        "getFile": await _call(api, "getFile", file_id=photo["photo"][0]["file_id"]),
        "getMyCommands": await _call(api, "getMyCommands"),
        "editMessageText": await _call(
            api, "editMessageText", chat_id=alice.id, message_id=sent["message_id"], text="hey"
        ),
    }
    kinds = {key for update in results["getUpdates"] for key in update if key != "update_id"}
    assert kinds == {"message", "callback_query", "my_chat_member"}
    for method, result in results.items():
        spec = schema.method(method)
        assert spec is not None
        assert schema.returns_problems(spec, result) == [], method
    views = await driver.messages(office.id)
    for view in views:
        assert schema.problems(view.raw, ("Message",), "Message") == []
