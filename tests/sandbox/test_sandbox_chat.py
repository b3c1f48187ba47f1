"""Group privacy, buttons and callback answers, replies, edits and deletions."""

from __future__ import annotations

import httpx
import pytest
import telegram
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from sandbox.driver import SandboxChat, SandboxDriver, SandboxError, SandboxUser


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=f"cb:{t}")] for t in labels]
    )


@pytest.fixture
async def office(driver: SandboxDriver, alice: SandboxUser, bot: telegram.Bot) -> SandboxChat:
    chat = await driver.create_group("温暖二七领导小组办公室", members=[alice])
    await bot.get_updates(offset=-1)  # forget the join notifications
    (last,) = await bot.get_updates(offset=-1)
    await bot.get_updates(offset=last.update_id + 1)
    return chat


async def test_privacy_mode_in_groups(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser, office: SandboxChat
) -> None:
    said = await bot.send_message(office.id, "请大家填报")
    await driver.send_text(alice, office.id, "/help@lihui_test_bot")
    await driver.send_text(alice, office.id, "/help@otherbot")
    await driver.send_text(alice, office.id, "大家好")
    await driver.send_text(alice, office.id, "/start")
    await driver.send_text(alice, office.id, "收到", reply_to=said.message_id)
    texts = [u.message.text for u in await bot.get_updates()]
    assert texts == ["/help@lihui_test_bot", "/start", "收到"]
    # The chat itself holds everything: the bot's join, its prompt and all five messages.
    assert len(await driver.messages(office.id)) == 7


async def test_privacy_off_and_admin_bots_see_everything(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser, office: SandboxChat
) -> None:
    await driver.set_privacy_mode(False)
    await driver.send_text(alice, office.id, "chatter")
    assert [u.message.text for u in await bot.get_updates()] == ["chatter"]
    assert (await bot.get_me()).can_read_all_group_messages


async def test_service_messages_reach_the_bot(
    bot: telegram.Bot, driver: SandboxDriver, office: SandboxChat
) -> None:
    newcomer = await driver.create_user("新人")
    await driver.set_member(office.id, newcomer, "member")
    await driver.set_member(office.id, newcomer, "left")
    updates = await bot.get_updates()
    assert updates[0].message.new_chat_members[0].id == newcomer.id
    assert updates[1].message.left_chat_member.id == newcomer.id


async def test_button_press_and_answer(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await bot.get_updates(offset=-1)
    (start,) = await bot.get_updates(offset=-1)
    await bot.get_updates(offset=start.update_id + 1)
    prompt = await bot.send_message(
        alice.id, "进展如何？", reply_markup=keyboard("正常推进", "滞后")
    )
    query_id = await driver.press_button(alice, alice.id, "正常推进")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query.id == query_id
    assert query.data == "cb:正常推进"
    assert query.message.message_id == prompt.message_id
    assert query.from_user.id == alice.id
    assert await driver.callback_answer(query_id) is None
    assert await query.answer("已记录")
    assert await driver.callback_answer(query_id) == {"text": "已记录"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("again")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")


async def test_a_modified_client_forges_callback_data(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await bot.get_updates(offset=-1)
    (start,) = await bot.get_updates(offset=-1)
    await bot.get_updates(offset=start.update_id + 1)
    prompt = await bot.send_message(alice.id, "进展如何？", reply_markup=keyboard("正常推进"))
    query_id = await driver.forge_callback(alice, alice.id, "s:42")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert (query.id, query.data) == (query_id, "s:42")  # no button carries it
    assert query.message.message_id == prompt.message_id
    assert await query.answer()


async def test_press_unknown_button_is_a_clear_error(
    driver: SandboxDriver, alice: SandboxUser
) -> None:
    with pytest.raises(AssertionError, match="no inline button 'nope'"):
        await driver.press_button(alice, alice.id, "nope")


async def test_callback_data_longer_than_64_bytes(bot: telegram.Bot, alice: SandboxUser) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(alice.id, "fine", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="中" * 22)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(alice.id, "refused", reply_markup=too_long)


async def test_force_reply_and_reply_to_message(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    prompt = await bot.send_message(alice.id, "请输入完成率", reply_markup=ForceReply())
    seen = await driver.wait_for_message(alice.id, contains="完成率", timeout=2)
    assert seen.forces_reply
    answer = await driver.reply(alice, alice.id, to_message=seen, text="80%")
    assert answer.raw["reply_to_message"]["message_id"] == prompt.message_id
    updates = await bot.get_updates()
    assert updates[-1].message.reply_to_message.text == "请输入完成率"
    reply = await bot.send_message(alice.id, "好的", reply_to_message_id=answer.id)
    assert reply.reply_to_message.text == "80%"
    again = await bot.send_message(
        alice.id, "嗯", reply_parameters=telegram.ReplyParameters(answer.id)
    )
    assert again.reply_to_message.message_id == answer.id
    assert "reply_to_message" not in (await driver.messages(alice.id))[-1].raw["reply_to_message"]
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_to_message_id=9999)


async def test_reply_keyboard_markup_and_remove(bot: telegram.Bot, alice: SandboxUser) -> None:
    markup = telegram.ReplyKeyboardMarkup([["是", "否"]], one_time_keyboard=True)
    sent = await bot.send_message(alice.id, "确认？", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards to the bot...
    removed = await bot.send_message(alice.id, "好", reply_markup=telegram.ReplyKeyboardRemove())
    assert removed.text == "好"


async def test_edits_are_visible_and_not_modified_is_refused(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    sent = await bot.send_message(alice.id, "进度：0%", reply_markup=keyboard("刷新"))
    seen = await driver.wait_for_message(alice.id, timeout=2)
    edited = await bot.edit_message_text("进度：50%", alice.id, sent.message_id)
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # omitting reply_markup removes the keyboard
    after = await driver.wait_for_edit(alice.id, seen, contains="50%", timeout=2)
    assert after.edited and after.buttons == [] and after.version == 2
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("进度：50%", alice.id, sent.message_id)
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard("OK"))
    assert (await driver.wait_for_edit(alice.id, seen, timeout=2)).buttons == [["OK"]]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", alice.id, 9999)
    user_message = (await driver.messages(alice.id))[0]
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", alice.id, user_message.id)


async def test_edit_caption(bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser) -> None:
    from sandbox.samples import png_bytes

    photo = await bot.send_photo(alice.id, png_bytes(), caption="图1")
    edited = await bot.edit_message_caption(
        alice.id, photo.message_id, caption="<b>图2</b>", parse_mode="HTML"
    )
    assert edited.caption == "图2"
    assert edited.caption_entities[0].type == "bold"


async def test_delete_message(bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser) -> None:
    sent = await bot.send_message(alice.id, "temporary")
    assert await bot.delete_message(alice.id, sent.message_id)
    assert all(m.id != sent.message_id for m in await driver.messages(alice.id))
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


async def test_wait_for_message_lists_what_arrived(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    await bot.send_message(alice.id, "something else")
    with pytest.raises(AssertionError) as caught:
        await driver.wait_for_message(alice.id, contains="欢迎", timeout=0.3)
    report = str(caught.value)
    assert "containing '欢迎'" in report and "something else" in report
    # The non-matching message was not consumed.
    assert (await driver.wait_for_message(alice.id, timeout=0.3)).text == "something else"
    await driver.expect_no_message(alice.id, within=0.1)


async def test_user_messages_in_private_chat_are_numbered_with_the_bot(
    api: httpx.AsyncClient, driver: SandboxDriver, alice: SandboxUser
) -> None:
    sent = (await api.post("sendMessage", data={"chat_id": alice.id, "text": "x"})).json()
    mine = await driver.send_text(alice, alice.id, "y")
    assert mine.id == sent["result"]["message_id"] + 1


async def test_a_basic_group_upgraded_to_a_supergroup_tells_the_bot_both_ids(
    bot: telegram.Bot, driver: SandboxDriver, alice: SandboxUser
) -> None:
    basic = await driver.create_group("办公室", members=[alice], basic=True)
    assert basic.raw["type"] == "group"
    await bot.get_updates(offset=-1)
    (last,) = await bot.get_updates(offset=-1)
    await bot.get_updates(offset=last.update_id + 1)
    upgraded = await driver.migrate_group(basic.id, by=alice)
    assert upgraded.raw["type"] == "supergroup" and upgraded.id != basic.id
    updates = await bot.get_updates()
    assert [(u.message.chat.id, u.message.migrate_to_chat_id) for u in updates[:1]] == [
        (basic.id, upgraded.id)
    ]
    assert updates[1].message.chat.id == upgraded.id
    assert updates[1].message.migrate_from_chat_id == basic.id
    await bot.send_message(upgraded.id, "升级后照常发送")
    with pytest.raises(SandboxError, match="only a basic group"):
        await driver.migrate_group(basic.id, by=alice)  # only once
