"""/decisions and /problems: the open ledgers, paged, with buttons for those who manage them.

Readers (``decision.read`` / ``problem.read``) see the pages; managers also get a button
per item: 销号 for a decision (which asks for a note, :mod:`bot.ledgers.decide`), resolve and
flag / unflag for a problem. Buttons name only what to act on (``dc:<id>``,
``pr:<id>:<action>:<page>``, ``dp:<workspace>:<page>``); the caller's right is looked
up on every press, in the workspace of the item pressed. A change finds the item already
changed on a second press and changes nothing.

A page holds at most :data:`PAGE_SIZE` items with texts cut to :data:`SNIPPET`, so a page
and its buttons always fit one Telegram message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import ledgers
from bot.access import may, workspaces_where
from bot.dialog import Pressed
from bot.i18n import translate
from bot.ledgers import decide
from bot.ledgers.pressed import item_for
from bot.replies import Answer, Button, Keyboard, Reply, say
from storage.models import Person, Problem, Workspace

PAGE_SIZE = 10
SNIPPET = 150
NAME = 40  # a group's name in an item's detail line
KINDS = {"d": "decision", "p": "problem"}


def snippet(text: str, limit: int = SNIPPET) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def nav_row(kind: str, workspace_id: int, page: int, total_pages: int) -> list[Button]:
    row = []
    if page > 0:
        row.append(Button("‹", data=f"{kind}p:{workspace_id}:{page - 1}"))
    if page + 1 < total_pages:
        row.append(Button("›", data=f"{kind}p:{workspace_id}:{page + 1}"))
    return row


@dataclass(frozen=True)
class Window:
    """One page of a ledger list: which items it shows, and how it is numbered."""

    items: list[Any]
    number: int  # the page shown, clamped to the pages there are
    total: int  # pages in all (at least one, even for an empty list)

    @classmethod
    def of(cls, items: list[Any], number: int) -> Window:
        total = pages(len(items))
        return cls(items, min(max(number, 0), total - 1), total)

    @property
    def counts(self) -> dict[str, int]:
        """The title's figures: items in all, this page and the pages."""
        return {"count": len(self.items), "page": self.number + 1, "pages": self.total}

    def numbered(self) -> Iterator[tuple[int, Any]]:
        """This page's items with their numbers in the whole list (1-based)."""
        start = self.number * PAGE_SIZE
        return enumerate(self.items[start : start + PAGE_SIZE], start=start + 1)

    def reply(self, lines: list[str], rows: Keyboard, kind: str, workspace_id: int) -> Reply:
        nav = nav_row(kind, workspace_id, self.number, self.total)
        return Reply("\n".join(lines), buttons=[*rows, nav] if nav else rows)


async def open_ledger(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    kind: str,
    workspace: Workspace | None = None,
    private: bool = True,
) -> Answer:
    """/decisions (``kind="d"``) or /problems (``"p"``): in the chat's office, or the reader's.

    In the office chat the decision ledger is read-only: closing one asks for a note, and
    that conversation belongs in the private chat.
    """
    action = f"{KINDS[kind]}.read"
    if workspace is not None:
        if not await may(session, workspace.id, person, action):
            return Answer([Reply(say(locale, "access.denied"))])
        return Answer([await page(session, person, locale, now, kind, workspace, 0, private)])
    offices = await workspaces_where(session, person, action)
    if not offices:
        return Answer([Reply(say(locale, "access.denied"))])
    if len(offices) > 1:
        rows = [[Button(w.title or str(w.chat_id), data=f"lw:{kind}:{w.id}")] for w in offices]
        return Answer([Reply(say(locale, "ledgers.choose_office"), buttons=rows)])
    return Answer([await page(session, person, locale, now, kind, offices[0], 0)])


async def page(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    kind: str,
    workspace: Workspace,
    number: int,
    private: bool = True,
) -> Reply:
    manage = await may(session, workspace.id, person, f"{KINDS[kind]}.manage")
    if kind == "d":
        manage = manage and private
        return await decisions_page(session, locale, now, workspace, number, manage)
    return await problems_page(session, locale, now, workspace, number, manage)


async def decisions_page(
    session: AsyncSession,
    locale: str,
    now: datetime,
    workspace: Workspace,
    number: int,
    manage: bool,
) -> Reply:
    views = await ledgers.live_decisions(session, workspace, now)
    window = Window.of(views, number)
    lines = [say(locale, "ledgers.decisions.title", office=workspace.title, **window.counts)]
    if not views:
        lines.append(say(locale, "ledgers.decisions.empty"))
    buttons: list[Button] = []
    for index, view in window.numbered():
        due = view.due_on.isoformat() if view.due_on else translate(locale, "ledgers.no_due")
        overdue = say(locale, "ledgers.overdue") if view.overdue else ""
        lines.append("")
        lines.append(say(locale, "ledgers.decisions.item", n=index, text=snippet(view.text)))
        lines.append(
            say(
                locale,
                "ledgers.decisions.detail",
                group=snippet(view.group_name, NAME),
                due=due,
                status=translate(locale, f"ledgers.status.{view.status}"),
            )
            + overdue
        )
        if manage:
            label = translate(locale, "ledgers.button.close", n=index)
            buttons.append(Button(label, data=f"dc:{view.id}"))
    rows: Keyboard = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    return window.reply(lines, rows, "d", workspace.id)


async def problems_page(
    session: AsyncSession,
    locale: str,
    now: datetime,
    workspace: Workspace,
    number: int,
    manage: bool,
) -> Reply:
    views = await ledgers.live_problems(session, workspace, now)
    window = Window.of(views, number)
    escalated = sum(1 for v in views if v.escalated)
    title = say(
        locale,
        "ledgers.problems.title",
        office=workspace.title,
        escalated=escalated,
        **window.counts,
    )
    lines = [title]
    if not views:
        lines.append(say(locale, "ledgers.problems.empty"))
    rows: Keyboard = []
    number = window.number
    for index, view in window.numbered():
        key = "ledgers.problems.escalated" if view.escalated else "ledgers.problems.item"
        meeting = say(locale, "ledgers.problems.to_meeting") if view.to_meeting else ""
        lines.append("")
        lines.append(say(locale, key, n=index, text=snippet(view.text)) + meeting)
        lines.append(
            say(
                locale,
                "ledgers.problems.detail",
                group=snippet(view.group_name, NAME),
                weeks=view.age_weeks,
                status=translate(locale, f"ledgers.status.{view.status}"),
            )
        )
        if manage:
            flag = "u" if view.to_meeting else "f"
            rows.append(
                [
                    Button(
                        translate(locale, "ledgers.button.resolve", n=index),
                        data=f"pr:{view.id}:r:{number}",
                    ),
                    Button(
                        translate(locale, f"ledgers.button.{flag}", n=index),
                        data=f"pr:{view.id}:{flag}:{number}",
                    ),
                ]
            )
    return window.reply(lines, rows, "p", workspace.id)


# --- buttons ---------------------------------------------------------------------------------

# Ids of at most nine digits: larger ones are no row of ours, and PostgreSQL's integer
# columns would refuse them as parameters rather than find nothing.
_PAGE = re.compile(r"([dp])p:([0-9]{1,9}):([0-9]{1,6})", re.ASCII)
_OFFICE = re.compile(r"lw:([dp]):([0-9]{1,9})", re.ASCII)
_CLOSE = re.compile(r"dc:([0-9]{1,9})", re.ASCII)
_PROBLEM = re.compile(r"pr:([0-9]{1,9}):([rfu]):([0-9]{1,6})", re.ASCII)
CALLBACK_PATTERN = r"^(d|dc|dp|pp|pr|lw):"


async def on_button(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    data: str,
    pressed: Pressed | None,
    private: bool = True,
) -> Answer:
    """Any ledger button; malformed or foreign data is stale, a missing right refused."""
    if data.startswith("d:"):
        return await decide.on_button(session, person, locale, now, data, pressed)
    if (match := _CLOSE.fullmatch(data)) and private:
        return await decide.begin_close(session, person, locale, now, int(match[1]))
    if match := _PROBLEM.fullmatch(data):
        return await press_problem(
            session, person, locale, now, int(match[1]), match[2], int(match[3]), pressed, private
        )
    if match := _PAGE.fullmatch(data):
        kind, workspace_id, number = match[1], int(match[2]), int(match[3])
        return await turn_page(
            session, person, locale, now, kind, workspace_id, number, pressed, private
        )
    if match := _OFFICE.fullmatch(data):
        workspace = await session.get(Workspace, int(match[2]))
        if workspace is None:
            return Answer([], translate(locale, "ledgers.stale"))
        return await open_ledger(session, person, locale, now, match[1], workspace, private)
    return Answer([], translate(locale, "ledgers.stale"))


async def turn_page(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    kind: str,
    workspace_id: int,
    number: int,
    pressed: Pressed | None,
    private: bool = True,
) -> Answer:
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None or not await may(session, workspace_id, person, f"{KINDS[kind]}.read"):
        return Answer([], translate(locale, "access.denied"))
    reply = await page(session, person, locale, now, kind, workspace, number, private)
    return Answer([_in_place(reply, pressed)])


def _in_place(reply: Reply, pressed: Pressed | None) -> Reply:
    """The page replaces the message whose button was pressed (its buttons go with it)."""
    if pressed is None:
        return reply
    return Reply(reply.text, buttons=reply.buttons, edit_message_id=pressed.message_id)


async def press_problem(
    session: AsyncSession,
    person: Person,
    locale: str,
    now: datetime,
    problem_id: int,
    action: str,
    number: int,
    pressed: Pressed | None,
    private: bool = True,
) -> Answer:
    problem = await item_for(session, Problem, problem_id, person, "problem.manage", locale)
    if isinstance(problem, Answer):
        return problem
    workspace = await session.get(Workspace, problem.workspace_id)
    assert workspace is not None
    if action == "r":
        changed = await ledgers.resolve_problem(session, workspace, problem, person.id, now)
    else:
        changed = await ledgers.flag_problem(
            session, workspace, problem, action == "f", person.id, now
        )
    if not changed:
        return Answer([], translate(locale, "ledgers.unchanged"))
    await session.flush()
    reply = await page(session, person, locale, now, "p", workspace, number, private)
    return Answer([_in_place(reply, pressed)], translate(locale, f"ledgers.problem.done.{action}"))
