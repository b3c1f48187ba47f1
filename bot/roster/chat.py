"""The roster from the chat: /roster sends it as a workbook, a sent file is previewed, and
确认导入 applies it. The office loads its roster without the server's operator.

A previewed file waits as a :class:`~storage.models.PendingImport` (its parsed rows, not
the file), so a press after a restart still applies exactly what was shown; its status
changes from ``pending`` once, by a conditional update, so a second press (or a press on
another instance) applies nothing twice. Every right is looked up again at the press.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update

from bot import access
from bot.access import office
from bot.access.views import checked, choosable, choose_workspace, denied
from bot.caller import Caller
from bot.invitations import invitations
from bot.replies import Answer, Attachment, Button, Reply, escape
from bot.roster.applying import apply_roster
from bot.roster.model import ImportSummary, RosterGroup, RosterIndicator
from bot.roster.preview import current_roster, fingerprint, plan, preview_text
from bot.roster.upload import Upload
from bot.roster.writing import roster_xlsx
from storage.models import PendingImport, Workspace

ACTION = "roster.manage"
AUDIT_ACTION = "roster.import.chat"
PREFIX = "ro:"
CALLBACK_PATTERN = r"^ro:"
_DATA = re.compile(r"^ro:([yn]):([0-9]{1,10})$")
EXPIRES = timedelta(days=1)  # a preview left this long is not applied; send the file again
KEPT = timedelta(days=7)  # then it is forgotten (an applied import stays in the audit log)
SHOWN_ISSUES = 40  # the rest is counted: one message must stay under Telegram's limit


# --- which office ------------------------------------------------------------------------
# Both go through bot.access.office: /roster asks and is run again by the press; a sent
# file cannot wait in a question (only the command's text is kept), so with several offices
# and none remembered the sender chooses first and sends the file again.


async def roster_office(caller: Caller) -> tuple[Workspace | None, Answer | None]:
    """The office /roster shows (:func:`choose_workspace`: asked, if several)."""
    return await choose_workspace(caller, ACTION, "roster")


async def upload_office(caller: Caller) -> Workspace | Answer | None:
    """The office a sent file is imported into (the preview names it); the question which,
    to answer before sending the file again; or None where they may manage none."""
    if not await access.workspaces_where(caller.session, caller.person, ACTION):
        return None
    chosen = await office.office_for(caller, ACTION, "office")
    if isinstance(chosen, Answer):
        first = Reply(caller.say("roster.upload.choose_office_first"))
        return Answer([first, *chosen.replies])
    return chosen


# --- /roster --------------------------------------------------------------------------------


async def roster_command(caller: Caller) -> Answer:
    if not caller.private:
        return Answer([Reply(caller.say("roster.chat.private_only"))])
    workspace, answer = await roster_office(caller)
    if workspace is None:
        assert answer is not None
        return answer
    return await roster_file(caller, workspace)


async def roster_file(caller: Caller, workspace: Workspace) -> Answer:
    """The office's roster as a workbook with its guide sheet; the template if empty."""
    groups = await current_roster(caller.session, workspace.id)
    title = workspace.title or str(workspace.chat_id)
    key = "roster.chat.export" if groups else "roster.chat.template"
    attachment = Attachment(
        caller.label("roster.chat.file_name"), roster_xlsx(groups, caller.locale)
    )
    text = caller.say(key, title=title, count=len(groups))
    return Answer([Reply(text, attachment=attachment)])


choosable("roster", ACTION, roster_file)
office.command("roster", lambda caller, args: roster_command(caller))


# --- a sent file ----------------------------------------------------------------------------


async def on_upload(caller: Caller, upload: Upload, file_name: str) -> Answer:
    """A spreadsheet sent in private: refused, listed, "nothing changes", or previewed."""
    workspace = await upload_office(caller)
    if isinstance(workspace, Answer):
        return workspace
    if workspace is None:
        await access.refuse(
            caller.session,
            action=ACTION,
            now=caller.now,
            person=caller.person,
            workspace_id=None,
            file=file_name[:100],
        )
        return Answer([Reply(caller.say("roster.upload.not_manager"))])
    if upload.refusal:
        return Answer([Reply(caller.say(upload.refusal))])
    if upload.issues:
        return Answer([Reply(_issues_text(caller, upload))])
    change, base = await plan(caller.session, workspace.id, upload.groups)
    title = workspace.title or str(workspace.chat_id)
    text = preview_text(change, caller.locale, title, file_name)
    if change.empty:
        return Answer([Reply(text)])
    await caller.session.execute(
        delete(PendingImport).where(PendingImport.created_at < caller.now - KEPT)
    )
    pending = PendingImport(
        workspace_id=workspace.id,
        person_id=caller.person.id,
        file_name=file_name[:255],
        rows=[asdict(group) for group in upload.groups],
        base=base,
        status="pending",
        created_at=caller.now,
    )
    caller.session.add(pending)
    await caller.session.flush()
    buttons = [
        [
            Button(caller.label("roster.confirm.apply"), data=f"{PREFIX}y:{pending.id}"),
            Button(caller.label("roster.confirm.cancel"), data=f"{PREFIX}n:{pending.id}"),
        ]
    ]
    return Answer([Reply(text, buttons=buttons)])


def _issues_text(caller: Caller, upload: Upload) -> str:
    """One message: every row and column at fault (the user's text escaped)."""
    lines = [escape(issue.describe(caller.locale)) for issue in upload.issues[:SHOWN_ISSUES]]
    if len(upload.issues) > SHOWN_ISSUES:
        lines.append(caller.say("roster.preview.more", count=len(upload.issues) - SHOWN_ISSUES))
    head = caller.say("roster.upload.issues", count=len(upload.issues))
    return "\n".join([head, *lines, caller.say("roster.upload.nothing_applied")])


# --- 确认导入 and 取消 -------------------------------------------------------------------------


async def press(
    caller: Caller, data: str, message_id: int | None, bot_username: str = ""
) -> Answer:
    """A ``ro:`` button: the pending import it names, decided once, by its uploader."""
    match = _DATA.match(data)
    pending = await caller.session.get(PendingImport, int(match[2])) if match else None
    if match is None or pending is None:
        return Answer(toast=caller.label("roster.confirm.stale"))
    if pending.person_id != caller.person.id:
        return Answer(toast=caller.label("roster.confirm.not_yours"))
    if pending.status != "pending":
        return Answer(toast=caller.label(f"roster.confirm.already_{pending.status}"))
    workspace = await checked(caller, pending.workspace_id, ACTION)
    if workspace is None:
        return await denied(caller, ACTION, pending.workspace_id, button="ro", quiet=True)
    if match[1] == "n":
        return await _cancel(caller, pending, message_id)
    return await _confirm(caller, workspace, pending, message_id, bot_username)


async def _decide(caller: Caller, pending: PendingImport, status: str) -> bool:
    """Move the import out of ``pending``; False if another press did so first."""
    result = await caller.session.execute(
        update(PendingImport)
        .where(PendingImport.id == pending.id, PendingImport.status == "pending")
        .values(status=status, decided_at=caller.now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _edited(caller: Caller, message_id: int | None, text: str, toast: str) -> Answer:
    return Answer([Reply(text, edit_message_id=message_id)], toast)


async def _cancel(caller: Caller, pending: PendingImport, message_id: int | None) -> Answer:
    if not await _decide(caller, pending, "cancelled"):
        return Answer(toast=caller.label("roster.confirm.already_done"))
    text = caller.say("roster.confirm.cancelled", file=pending.file_name)
    return _edited(caller, message_id, text, caller.label("roster.confirm.cancelled_short"))


async def _confirm(
    caller: Caller,
    workspace: Workspace,
    pending: PendingImport,
    message_id: int | None,
    bot_username: str,
) -> Answer:
    if caller.now - pending.created_at > EXPIRES or await _roster_changed(caller, pending):
        await _decide(caller, pending, "cancelled")
        text = caller.say("roster.confirm.outdated", file=pending.file_name)
        return _edited(caller, message_id, text, caller.label("roster.confirm.outdated_short"))
    if not await _decide(caller, pending, "applied"):
        return Answer(toast=caller.label("roster.confirm.already_done"))
    summary = await apply_roster(
        caller.session,
        workspace.chat_id,
        groups_of_rows(pending.rows),
        actor_id=caller.person.id,
        action=AUDIT_ACTION,
    )
    text = caller.say("roster.confirm.applied", summary=summary.describe(caller.locale))
    answer = _edited(caller, message_id, text, caller.label("roster.confirm.applied_short"))
    answer.replies.extend(await post_import_replies(caller, workspace, summary, bot_username))
    return answer


async def _roster_changed(caller: Caller, pending: PendingImport) -> bool:
    """Whether the roster changed since the preview (another import or a /groups edit):
    the preview no longer says what the press would do."""
    return fingerprint(await current_roster(caller.session, pending.workspace_id)) != pending.base


def groups_of_rows(rows: list[dict[str, Any]]) -> list[RosterGroup]:
    """The groups a pending import keeps as JSON, back as roster rows."""
    groups = []
    for row in rows:
        indicators = [RosterIndicator(**item) for item in row.get("indicators", [])]
        groups.append(RosterGroup(**{**row, "indicators": indicators}))
    return groups


async def post_import_replies(
    caller: Caller, workspace: Workspace, summary: ImportSummary, bot_username: str
) -> list[Reply]:
    """What is said right after an import from the chat was applied, in the same unit of
    work (the import is flushed, not yet committed, so the replies go out only if it
    commits): the office chat's message with each group's invitation, and the checklist
    of contacts for whoever confirmed, and for the director if that was staff
    (:func:`bot.invitations.invitations`)."""
    return await invitations(
        caller.session, workspace, caller.locale, caller.now, bot_username, caller.person
    )
