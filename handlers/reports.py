"""/report, /agenda, /bulletin and the buttons under /report: the Telegram side of bot.reports.

Thin on purpose: find the workspace the person means, check the right in
:mod:`bot.access` (on every command and every press: a button names what to act on, not
who may), call :mod:`bot.reports.service`, queue its replies on the turn.
"""

from __future__ import annotations

import dataclasses

from telegram import Update

from bot import access
from bot.clock import now
from bot.cycle import uncertain
from bot.people import workspace_for_chat
from bot.replies import Button, Reply
from bot.reports import service, text
from handlers.turn import Turn, on_update
from storage.models import Workspace

CALLBACK_PATTERN = rf"^{service.CALLBACK_PREFIX}:"
VIEW = "report.view"
EXPORT = "report.export"
PUBLISH = "bulletin.publish"


async def _workspace(turn: Turn, command: str) -> Workspace | None:
    """The office the command is about, or None after telling the person why not.

    In the office chat it is that chat's workspace; in private, the one office where the
    person has the right, or a choice of buttons when there are several.
    """
    if not turn.private:
        workspace = await workspace_for_chat(turn.session, turn.chat_id)
        if workspace is None:
            turn.reply(turn.say("help.unregistered_group", chat_id=turn.chat_id))
            return None
        if not await access.may(turn.session, workspace.id, turn.person, VIEW):
            turn.reply(turn.say("access.denied"))
            return None
        return workspace
    found = await access.workspaces_where(turn.session, turn.person, VIEW)
    if not found:
        turn.reply(turn.say("access.denied"))
        return None
    if len(found) > 1:
        rows = [[Button(w.title, service.pick_callback(command, w.id))] for w in found]
        turn.replies.append(Reply(turn.say("reports.pick_workspace"), buttons=rows))
        return None
    return found[0]


async def _answer(turn: Turn, command: str, workspace: Workspace) -> None:
    session, moment, locale = turn.session, now(), turn.locale
    if command == "report":
        turn.replies.extend(await service.status_replies(session, workspace, moment, locale))
        turn.replies.extend(await uncertain.notice(turn.caller(), workspace))
        return
    key = await service.current_period_key(session, workspace, moment)
    if command == "agenda":
        replies = await service.agenda_replies(session, workspace, key, locale, moment)
    else:
        replies = await service.bulletin_preview_replies(session, workspace, key, locale, moment)
    turn.replies.extend(replies)


async def _command(turn: Turn, command: str) -> None:
    workspace = await _workspace(turn, command)
    if workspace is not None:
        await _answer(turn, command, workspace)


@on_update
async def report(update: Update, turn: Turn) -> None:
    await _command(turn, "report")


@on_update
async def agenda(update: Update, turn: Turn) -> None:
    await _command(turn, "agenda")


@on_update
async def bulletin(update: Update, turn: Turn) -> None:
    await _command(turn, "bulletin")


@on_update
async def button(update: Update, turn: Turn) -> None:
    data = update.callback_query.data if update.callback_query else None
    pick = service.parse_pick(data or "")
    if pick is not None:
        command, workspace_id = pick
        workspace = await _allowed(turn, workspace_id, VIEW)
        if workspace is not None:
            await _answer(turn, command, workspace)
        return
    parsed = service.parse_callback(data or "")
    if parsed is None:
        turn.toast("reports.stale")
        return
    action, workspace_id, period_key = parsed
    workspace = await _allowed(turn, workspace_id, EXPORT if action in service.EXPORTS else PUBLISH)
    if workspace is None:
        return
    if action in service.EXPORTS:
        reply = await service.export_reply(
            turn.session, workspace, period_key, action, turn.locale, now()
        )
        turn.replies.append(reply)
    elif action == "publish":
        prompt = await service.publication_prompt(
            turn.session, workspace, period_key, turn.locale, now()
        )
        turn.replies.append(prompt)
    else:
        await _publish(turn, workspace, period_key)


async def _allowed(turn: Turn, workspace_id: int, action: str) -> Workspace | None:
    workspace = await turn.session.get(Workspace, workspace_id)
    if workspace is None or not await access.may(turn.session, workspace.id, turn.person, action):
        turn.toast("access.denied", alert=True)
        return None
    return workspace


async def _publish(turn: Turn, workspace: Workspace, period_key: str) -> None:
    """Post the bulletin to the office chat, once, however often the button is pressed."""
    row, created, replies = await service.publication(
        turn.session, workspace, period_key, now(), turn.person.id
    )
    number = text.number_line(turn.locale, row.year, row.number)
    if not created:
        period = text.period_label(period_key, turn.locale)
        turn.reply(turn.say("reports.publish.already", number=number, period=period))
        return
    turn.replies.extend(dataclasses.replace(r, chat_id=workspace.chat_id) for r in replies)
    if turn.chat_id != workspace.chat_id:
        turn.reply(turn.say("reports.publish.done", number=number))
    else:
        turn.toast("reports.publish.done", number=number)
