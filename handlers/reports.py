"""/report, /agenda, /bulletin and the buttons under /report: the Telegram side of bot.reports.

Thin on purpose: the commands go to :mod:`bot.reports.commands` (which finds the office
the person means); the buttons check the right in :mod:`bot.access` again on every press
(a button names what to act on, not who may) and call :mod:`bot.reports.service`.
"""

from __future__ import annotations

import dataclasses

from telegram import Update

from bot import access
from bot.clock import now
from bot.reports import commands, service, text
from handlers.turn import Turn, on_update
from storage.models import Workspace

CALLBACK_PATTERN = rf"^{service.CALLBACK_PREFIX}:"
VIEW = "report.view"
EXPORT = "report.export"
PUBLISH = "bulletin.publish"


async def _command(turn: Turn, command: str) -> None:
    turn.take(await commands.run(command, turn.caller()))


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
            turn.replies.extend(await commands.replies(turn.caller(), command, workspace))
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
