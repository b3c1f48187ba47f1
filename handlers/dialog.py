"""Telegram side of the report dialog: translate updates into calls of :mod:`bot.dialog`."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes, filters

from bot import deeplinks, dialog, invitations, typed_text
from bot.clock import now
from bot.ledgers import decide
from bot.paste import docx as paste_docx
from bot.people import workspace_for_chat
from bot.replies import Answer, Button, Reply
from handlers import roster
from handlers.turn import Callback, Turn, on_update, sent_file

CALLBACK_PATTERN = r"^[rsp]:"  # anything after it is checked by bot.dialog
HAS_PAYLOAD = filters.Regex(r"^/start(@\w+)?\s+\S")


@on_update
async def submit(update: Update, turn: Turn) -> None:
    if turn.private:
        turn.take(await dialog.begin(turn.session, turn.person, turn.locale, now()))
        return
    await submit_in_group(turn)


async def submit_in_group(turn: Turn) -> None:
    """In the office chat the dialog cannot run: offer a button into the private chat."""
    workspace = await workspace_for_chat(turn.session, turn.chat_id)
    if workspace is None:
        turn.reply(turn.say("help.unregistered_group", chat_id=turn.chat_id))
        return
    token = await deeplinks.create(turn.session, workspace.id, now())
    link = deeplinks.url(turn.services.bot_username, token)
    button = Button(turn.say("dialog.group.open_private"), url=link)
    turn.replies.append(Reply(turn.say("dialog.group.submit_here"), buttons=[[button]]))


@on_update
async def start_with_payload(update: Update, turn: Turn) -> None:
    assert update.effective_message is not None
    token = (update.effective_message.text or "").split(maxsplit=1)[1].strip()
    link = await deeplinks.resolve(turn.session, token)
    if link is None:
        turn.reply(turn.say("dialog.bad_link"))
        return
    if link.purpose == "decide":  # /decide@bot in the office chat pointed here
        turn.take(
            await decide.begin(turn.session, turn.person, turn.locale, now(), link.workspace_id),
        )
        return
    if link.purpose == invitations.PURPOSE:  # a group's invitation, posted in the office chat
        turn.take(await invitations.open_invitation(turn.caller(), link))
        return
    answer = await dialog.begin(turn.session, turn.person, turn.locale, now(), link.group_id)
    turn.take(answer)


@on_update
async def cancel(update: Update, turn: Turn) -> None:
    turn.take(await typed_text.cancel(turn.caller()))


@on_update
async def my_status(update: Update, turn: Turn) -> None:
    turn.take(await dialog.my_status(turn.session, turn.person, turn.locale, now()))


@on_update
async def answer(update: Update, turn: Turn) -> None:
    message = update.effective_message
    assert message is not None
    if message.photo:
        photo = message.photo[-1]  # the largest size
        said = await dialog.on_photo(
            turn.session,
            turn.person,
            turn.locale,
            now(),
            photo.file_id,
            photo.file_unique_id,
            album=message.media_group_id,
        )
    elif message.text is not None:
        said = await typed_text.on_text(turn.caller(), message.text, _replied_prompt(message))
        assert said is not None  # in private, something always answers a text
    else:
        said = Answer([Reply(turn.say("dialog.unsupported_message"))])
    turn.take(said)


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A weekly report sent as a Word file: its text is a paste (bot.paste.flow).

    The file is fetched and read before the update's unit of work opens, so that neither
    the download nor the parse holds the database; only the text (or the refusal) enters it.
    """
    if roster.is_roster_file(update):  # a spreadsheet is a roster to import, not a report
        await roster.document(update, context)
        return
    file = sent_file(update)
    read = await paste_docx.read_report(file.name, file.mime_type, file.size, file.fetch)
    await _take_document(read)(update, context)


def _take_document(read: paste_docx.Read) -> Callback:
    @on_update
    async def take(update: Update, turn: Turn) -> None:
        if read.refusal:
            turn.reply(turn.say(read.refusal))
            return
        turn.take(await typed_text.on_document(turn.caller(), read.text))

    return take


def _replied_prompt(message: Message) -> int | None:
    """The id of the bot's message this one replies to (a prompt, perhaps an old one)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return None
    return replied.message_id if replied.from_user.id == message.get_bot().id else None


def pressed_message(query: CallbackQuery) -> dialog.Pressed | None:
    """The message a pressed button sat on, with the button's label, to close it after."""
    message = query.message
    if message is None or not getattr(message, "text", None):
        return None
    label = next(
        (
            b.text
            for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
            for b in row
            if b.callback_data == query.data
        ),
        "",
    )
    # text_html: the message rebuilt from its entities, so its bold heading survives.
    return dialog.Pressed(message.message_id, message.text_html, label)


@on_update
async def button(update: Update, turn: Turn) -> None:
    query = update.callback_query
    assert query is not None
    pressed = pressed_message(query) if turn.private else None
    answer = await dialog.on_button(
        turn.session, turn.person, turn.locale, now(), query.data or "", pressed
    )
    turn.take(answer)


@on_update
async def stale_button(update: Update, turn: Turn) -> None:
    """A button lihui does not know (from an old version of the bot): say so briefly."""
    turn.toast("dialog.stale")
