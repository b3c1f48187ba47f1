"""Who may do what: one policy table, looked up on the server side for every action.

A button's callback data or a command's arguments name *what* to act on, never the
caller's right: the right is always looked up here, in the workspace the action touches.
Roles are ``director``, ``staff`` and ``member`` (:class:`~storage.models.Membership`);
contacts report for their own groups (:class:`~storage.models.Contact`) and are checked by
the dialog itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from storage.models import Membership, Person, Workspace

log = logging.getLogger(__name__)

DIRECTOR = "director"
STAFF = "staff"
MEMBER = "member"
ROLES = (DIRECTOR, STAFF, MEMBER)
# Not roles in a workspace, but the other kinds of people the tests and /help speak of.
CONTACT = "contact"
STRANGER = "stranger"

MANAGERS = frozenset({DIRECTOR, STAFF})
READERS = frozenset({DIRECTOR, STAFF, MEMBER})

# action -> the roles that may do it. Add a row here rather than an ``if role == ...``.
POLICY: dict[str, frozenset[str]] = {
    "report.view": MANAGERS,
    "report.export": MANAGERS,
    "bulletin.publish": MANAGERS,
    "decision.manage": MANAGERS,
    "decision.read": READERS,
    "problem.manage": MANAGERS,
    "problem.read": READERS,
    "settings.manage": MANAGERS,
    "assessment.manage": MANAGERS,
    "highlight.manage": MANAGERS,
    "groups.manage": MANAGERS,
    "roster.manage": MANAGERS,
    "invite.send": MANAGERS,
    # Sending a scheduled message again (or letting it go) that may not have arrived.
    "delivery.resend": MANAGERS,
    "roles.manage": frozenset({DIRECTOR}),
    "audit.read": frozenset({DIRECTOR}),
    "workspace.unbind": frozenset({DIRECTOR}),
    # /office: any role names an office the person may work in.
    "office.choose": READERS,
}


def allows(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown action is refused to everyone."""
    return role is not None and role in POLICY.get(action, frozenset())


async def role_in(session: AsyncSession, workspace_id: int, person: Person) -> str | None:
    """``director``, ``staff`` or ``member`` in that workspace, or None.

    An unbound (inactive) workspace grants nobody anything: its data stays, unserved.
    """
    return await session.scalar(
        select(Membership.role)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(
            Membership.workspace_id == workspace_id,
            Membership.person_id == person.id,
            Workspace.active.is_(True),
        )
    )


async def may(session: AsyncSession, workspace_id: int, person: Person, action: str) -> bool:
    return allows(await role_in(session, workspace_id, person), action)


async def workspaces_where(session: AsyncSession, person: Person, action: str) -> list[Workspace]:
    """The active workspaces in which ``person`` may do ``action``, oldest first.

    A private-chat command acts on one of these: when there are several, the handler asks
    which office is meant rather than guessing.
    """
    roles = POLICY.get(action, frozenset())
    rows = await session.scalars(
        select(Workspace)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(
            Membership.person_id == person.id,
            Membership.role.in_(roles),
            Workspace.active.is_(True),
        )
        .order_by(Workspace.id)
    )
    return list(rows)


async def served_workspace(session: AsyncSession, chat_id: int) -> Workspace | None:
    """The active workspace bound to ``chat_id``: the only kind lihui serves."""
    return await session.scalar(
        select(Workspace).where(Workspace.chat_id == chat_id, Workspace.active.is_(True))
    )


async def refuse(
    session: AsyncSession,
    *,
    action: str,
    now: datetime,
    person: Person | None,
    workspace_id: int | None,
    **details: Any,
) -> None:
    """Write down a refused attempt: in the audit log (the director sees it in /audit) and
    in the process log, so a forged button or a stranger's /bind leaves a trace.

    The refused change itself never happens; only this entry is added.
    """
    person_id = person.id if person is not None else None
    if workspace_id is not None and await session.get(Workspace, workspace_id) is None:
        # A forged id names no office: keep it as a detail, not as a (dangling) reference.
        details["named_workspace_id"], workspace_id = workspace_id, None
    log.warning(
        "refused %s for person %s in workspace %s %s", action, person_id, workspace_id, details
    )
    audit.record(
        session,
        action="access.denied",
        now=now,
        workspace_id=workspace_id,
        person_id=person_id,
        attempted=action,
        **details,
    )
