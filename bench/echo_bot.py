"""The baseline: a bare python-telegram-bot echo bot, run as a process like ``lihui run``.

Every ratio in the benchmark table divides lihui's figure by this bot's, measured in the
same run against the same sandbox, so the ratios hold on a noisy machine. It does the least
a bot can do for the same exchanges: a text is echoed with one inline button under it (as
lihui's prompts carry buttons), and a press of that button is answered and followed by one
new message (as lihui answers « back with the previous question).

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot python -m bench.echo_bot
"""

from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

BACK = "« 上一步"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton(BACK, callback_data="back")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text, reply_markup=KEYBOARD)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or update.effective_chat is None:
        return
    await query.answer()
    await context.bot.send_message(update.effective_chat.id, "上一步", reply_markup=KEYBOARD)


def main() -> None:
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=20)


if __name__ == "__main__":
    main()
