"""Telegram side of the ledgers: /decide, /decisions, /problems and their buttons."""

from __future__ import annotations

from telegram import Update

from bot import deeplinks
from bot.access import may
from bot.clock import now
from bot.ledgers import lists as ledger_lists
from bot.ledgers import private
from bot.people import workspace_for_chat
from bot.replies import Button, Reply
from handlers.dialog import pressed_message
from handlers.turn import Turn, on_update

CALLBACK_PATTERN = ledger_lists.CALLBACK_PATTERN


@on_update
async def decide_command(update: Update, turn: Turn) -> None:
    if turn.private:
        turn.take(await private.begin_decide(turn.caller()))
        return
    workspace = await workspace_for_chat(turn.session, turn.chat_id)
    if workspace is None:
        turn.reply(turn.say("help.unregistered_group", chat_id=turn.chat_id))
        return
    if not await may(turn.session, workspace.id, turn.person, "decision.manage"):
        turn.reply(turn.say("access.denied"))
        return
    # The dialog runs in private: the link names this office, so no question about which.
    token = await deeplinks.create(turn.session, workspace.id, now(), purpose="decide")
    link = deeplinks.url(turn.services.bot_username, token)
    button = Button(turn.say("ledgers.decide.open_private"), url=link)
    turn.replies.append(Reply(turn.say("ledgers.decide.in_private"), buttons=[[button]]))


async def _ledger(update: Update, turn: Turn, kind: str) -> None:
    if turn.private:
        turn.take(await private.open_ledger(kind, turn.caller()))
        return
    workspace = await workspace_for_chat(turn.session, turn.chat_id)
    if workspace is None:
        turn.reply(turn.say("help.unregistered_group", chat_id=turn.chat_id))
        return
    answer = await ledger_lists.open_ledger(
        turn.session, turn.person, turn.locale, now(), kind, workspace, turn.private
    )
    turn.take(answer)


@on_update
async def decisions(update: Update, turn: Turn) -> None:
    await _ledger(update, turn, "d")


@on_update
async def problems(update: Update, turn: Turn) -> None:
    await _ledger(update, turn, "p")


@on_update
async def button(update: Update, turn: Turn) -> None:
    query = update.callback_query
    assert query is not None
    pressed = pressed_message(query)
    answer = await ledger_lists.on_button(
        turn.session, turn.person, turn.locale, now(), query.data or "", pressed, turn.private
    )
    turn.take(answer)
