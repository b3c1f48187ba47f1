"""/start, /help, and the short hints for anything the bot does not expect."""

from __future__ import annotations

from telegram import Update

from bot import commands, typed_text
from bot.access import served_workspace
from bot.i18n import translate
from bot.people import contact_groups, roles
from handlers.turn import Turn, on_update


@on_update
async def start(update: Update, turn: Turn) -> None:
    groups = await contact_groups(turn.session, turn.person)
    lines = [turn.say("start.welcome", name=turn.person.display_name)]
    if groups:
        names = translate(turn.locale, "list.separator").join(g.name for g, _ in groups)
        lines.append(turn.say("start.contact", groups=names))
    else:
        lines.append(turn.say("start.not_contact"))
    turn.reply("\n\n".join(lines))


@on_update
async def help_command(update: Update, turn: Turn) -> None:
    bot = turn.services.bot_username
    lines = [turn.say("help.title")]
    names = commands.available(await roles(turn.session, turn.person), turn.private)
    for name in names:
        command = f"/{name}" if turn.private else f"/{name}@{bot}"
        lines.append(f"{command} — {commands.describe(name, turn.locale)}")
    if not turn.private:
        lines.append("")
        if await served_workspace(turn.session, turn.chat_id) is None:
            lines.append(turn.say("help.unregistered_group", chat_id=turn.chat_id))
            lines.append(turn.say("access.help.bind", bot=bot))
        else:
            lines.append(turn.say("help.group_note", bot=bot))
    turn.reply("\n".join(lines))


@on_update
async def unknown_command(update: Update, turn: Turn) -> None:
    turn.reply(turn.say("hint.unknown_command"))


@on_update
async def group_reply(update: Update, turn: Turn) -> None:
    """Someone answered one of the bot's messages in a group: the value a /groups edit
    asked for here, or else a pointer to the private chat, where the dialogs run."""
    text = update.message.text if update.message is not None else None
    answer = await typed_text.on_text(turn.caller(), text) if text is not None else None
    if answer is None:
        turn.reply(turn.say("hint.group_reply", bot=turn.services.bot_username))
        return
    turn.take(answer)
