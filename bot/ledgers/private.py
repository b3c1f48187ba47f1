"""/decide, /decisions and /problems in a private chat: in the office
:func:`bot.access.office.office_for` chooses (asked, for a person of several offices).

In the office chat the chat names the office (:mod:`handlers.ledgers`); here the choice is
made once, for every private command, and the ledgers are opened in it.
"""

from __future__ import annotations

from functools import partial

from bot.access.office import command, office_for
from bot.caller import Caller
from bot.ledgers import decide
from bot.ledgers import lists as ledger_lists
from bot.replies import Answer

# command -> the ledger kind it opens (bot.ledgers.lists.KINDS)
LEDGERS = {"decisions": "d", "problems": "p"}


async def open_ledger(kind: str, caller: Caller, args: str = "") -> Answer:
    name = next(n for n, k in LEDGERS.items() if k == kind)
    action = f"{ledger_lists.KINDS[kind]}.read"
    workspace = await office_for(caller, action, name, args)
    if isinstance(workspace, Answer):
        return workspace
    return await ledger_lists.open_ledger(
        caller.session, caller.person, caller.locale, caller.now, kind, workspace
    )


async def begin_decide(caller: Caller, args: str = "") -> Answer:
    workspace = await office_for(caller, "decision.manage", "decide", args)
    if isinstance(workspace, Answer):
        return workspace
    return await decide.begin(
        caller.session, caller.person, caller.locale, caller.now, workspace.id
    )


for _name, _kind in LEDGERS.items():
    command(_name, partial(open_ledger, _kind))
command("decide", begin_decide)
