"""/report, /agenda and /bulletin without Telegram: find the office, compile, answer.

In the office chat the chat names the office; in private :func:`bot.access.office.office_for`
does (and asks, for a person of several offices). The buttons under the answers are
:mod:`bot.reports.service`'s.
"""

from __future__ import annotations

from functools import partial

from bot import access
from bot.access import office
from bot.caller import Caller
from bot.cycle import uncertain
from bot.people import workspace_for_chat
from bot.replies import Answer, Reply
from bot.reports import service
from storage.models import Workspace

VIEW = "report.view"


async def run(name: str, caller: Caller, args: str = "") -> Answer:
    """``/report``, ``/agenda`` or ``/bulletin`` (``name``), in the office it is about."""
    if caller.private:
        workspace = await office.office_for(caller, VIEW, name, args)
        if isinstance(workspace, Answer):
            return workspace
    else:
        found = await workspace_for_chat(caller.session, caller.chat_id)
        if found is None:
            return Answer([Reply(caller.say("help.unregistered_group", chat_id=caller.chat_id))])
        if not await access.may(caller.session, found.id, caller.person, VIEW):
            return Answer([Reply(caller.say("access.denied"))])
        workspace = found
    return Answer(await replies(caller, name, workspace))


async def replies(caller: Caller, name: str, workspace: Workspace) -> list[Reply]:
    session, moment, locale = caller.session, caller.now, caller.locale
    if name == "report":  # and, to those who may resend, what may not have arrived
        status = await service.status_replies(session, workspace, moment, locale)
        return [*status, *await uncertain.notice(caller, workspace)]
    key = await service.current_period_key(session, workspace, moment)
    if name == "agenda":
        return await service.agenda_replies(session, workspace, key, locale, moment)
    return await service.bulletin_preview_replies(session, workspace, key, locale, moment)


for _name in service.COMMANDS:
    office.command(_name, partial(run, _name))
