"""Who may do what: one policy table, looked up on the server side for every action.

A button's callback data or a command's arguments name *what* to act on, never the
caller's right: the right is always looked up here, in the workspace the action touches.
Roles are ``director``, ``staff`` and ``member`` (:class:`~storage.models.Membership`);
contacts report for their own groups (:class:`~storage.models.Contact`) and are checked by
the dialog itself.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Membership, Person, Workspace

DIRECTOR = "director"
STAFF = "staff"
MEMBER = "member"
ROLES = (DIRECTOR, STAFF, MEMBER)

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
    "roles.manage": frozenset({DIRECTOR}),
    "audit.read": frozenset({DIRECTOR}),
}


def allows(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``; an unknown action is refused to everyone."""
    return role is not None and role in POLICY.get(action, frozenset())


async def role_in(session: AsyncSession, workspace_id: int, person: Person) -> str | None:
    """``director``, ``staff`` or ``member`` in that workspace, or None."""
    return await session.scalar(
        select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.person_id == person.id
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
        .where(Membership.person_id == person.id, Membership.role.in_(roles))
        .order_by(Workspace.id)
    )
    return list(rows)
