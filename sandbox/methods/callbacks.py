"""answerCallbackQuery.

Why: Telegram requires every button press to be answered (or the user's client shows a
spinner), and answering an unknown or already answered query is an error the bot must not
make. The answer is kept so a test can check what the user was shown.
"""

from __future__ import annotations

from sandbox.errors import bad_request
from sandbox.methods import Call, method

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    query = call.bot.callback_queries.get(call.get("callback_query_id"))
    if query is None or query.answer is not None:
        raise bad_request(QUERY_INVALID)
    text = call.get("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        key: call.get(key)
        for key in ("text", "show_alert", "url", "cache_time")
        if call.get(key) is not None
    }
    call.world.touch()
    return True
