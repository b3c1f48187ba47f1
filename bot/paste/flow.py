"""Where a paste enters: at any free-text step of the dialog, outside it, or as a .docx.

:func:`on_paste` is called by :mod:`bot.typed_text` for a text that carries report headings
(or, outside any report, one too long to be a chat message), and by the document handler
for a Word file. Telegram cuts a long text into pieces of 4,096 characters that arrive as
consecutive messages: a piece that arrives within :data:`JOIN_WINDOW` of the previous one,
while the dialog still stands where that paste led, is joined to it and the whole is read
again. The pasted text so far is kept in the dialog's state (``data["paste"]``), so the
joining survives a restart between the pieces, and reading the whole again makes applying
it idempotent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import dialog
from bot.paste import join, looks_like_paste, looks_like_report
from bot.paste.steps import AFTER_PASTE
from bot.replies import Answer
from storage.models import DialogState, Person

JOIN_WINDOW = timedelta(seconds=120)


def claims(step: str | None, text: str) -> bool:
    """Whether a typed text may be a paste (cheap: no database), before :func:`on_paste`.

    A text with headings always is. A piece without headings may continue a paste only at
    a step a paste leads to, and may start one (to be offered as a whole) only when no
    report is under way; at the dialog's own free-text steps it is that step's answer.
    """
    if looks_like_report(text):
        return True
    if step in AFTER_PASTE:
        return True
    return step in (None, "idle") and looks_like_paste(text)


def _continues(state: DialogState | None, now: datetime) -> str | None:
    """The paste this piece continues, if the dialog still stands where it led."""
    if state is None or state.step not in AFTER_PASTE or state.data.get("paused"):
        return None
    prior = state.data.get("paste")
    if not prior:
        return None
    at = datetime.fromisoformat(prior["at"])
    return prior["text"] if now - at <= JOIN_WINDOW else None


async def on_paste(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    text: str,
    *,
    document: bool = False,
) -> Answer | None:
    """The answer to a paste; None when the text is not one after all (see :func:`claims`)."""
    state = await dialog.find_state(session, person)
    before = _continues(state, now)
    if before is not None:
        text = join(before, text)
    elif not (document or looks_like_report(text)):
        if state is not None and state.step not in (None, "idle"):
            return None  # a word typed at a step after a paste, long after it: not a piece
        if not looks_like_paste(text):
            return None
    ctx = await dialog.active_ctx(session, person, locale, now)
    if ctx is not None:
        dialog.take_paste(ctx, text)
        return Answer(ctx.replies)
    return await dialog.begin(session, person, locale, now, paste=text)
