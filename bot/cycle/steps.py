"""What each scheduled step says, and to whom (issue 8): the core of the weekly cycle.

Each step turns into a list of :class:`Outgoing` messages, composed inside the unit of work
that claims the step; the delivery log (:mod:`bot.cycle.delivery_log`) records them before any
is sent. Nothing here sends or knows Telegram: a contact who cannot be reached privately
is learnt from the log afterwards (:func:`compose_after`).

The ``agenda`` and ``summary`` steps come from the reports package and ``monthly`` from
the roll-ups package; until those are installed (merged), the steps log that and say
nothing, and come alive once the modules exist.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import deeplinks
from bot.cycle import Occurrence, at_text, grace, moment_text, step_name
from bot.i18n import translate
from bot.periods import label, parse_period
from bot.replies import Button, Html, Reply, escape, say
from bot.reporting import period_row
from storage.models import Contact, Exemption, Person, Submission, TaskGroup, Workspace

log = logging.getLogger(__name__)

UNDELIVERABLE = "undeliverable"  # the error prefix of a 403 or a contact without a Telegram id


@dataclass(frozen=True)
class Outgoing:
    """One message a step sends: its dedupe key, where to, and what."""

    key: str
    chat_id: int | None  # None: a contact lihui has no Telegram id for (cannot be sent)
    kind: str  # prompt | reminder | office
    reply: Reply
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepContext:
    session: AsyncSession
    workspace: Workspace
    occurrence: Occurrence
    now: datetime
    bot_username: str

    @property
    def locale(self) -> str:
        return self.workspace.locale

    def key(self, *parts: object) -> str:
        head = f"{self.occurrence.step}:{self.workspace.id}:{self.occurrence.key}"
        return ":".join([head, *(str(p) for p in parts)])

    def office(self, reply: Reply, *parts: object) -> list[Outgoing]:
        """A message for the office chat, unless the bot is no longer in it."""
        if not self.workspace.office_chat_active:
            log.info("workspace %s: the bot is not in the office chat; not posting", self.ws)
            return []
        return [Outgoing(self.key("office", *parts), self.workspace.chat_id, "office", reply)]

    @property
    def ws(self) -> int:
        return self.workspace.id


Composer = Callable[[StepContext], Awaitable[list[Outgoing]]]


def local_time(workspace: Workspace, moment: datetime | None, locale: str) -> str:
    if moment is None:
        return ""
    return moment_text(moment.astimezone(ZoneInfo(workspace.timezone)), locale)


async def _groups(session: AsyncSession, workspace: Workspace) -> list[TaskGroup]:
    rows = await session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace.id, TaskGroup.active.is_(True))
        .options(selectinload(TaskGroup.contacts).selectinload(Contact.person))
        .order_by(TaskGroup.position)
    )
    return list(rows)


def _primary(group: TaskGroup) -> list[Contact]:
    primaries = [c for c in group.contacts if c.kind == "primary"]
    return primaries or group.contacts[:1]


def _person_locale(person: Person, workspace: Workspace) -> str:
    return person.locale or workspace.locale


def _private(
    ctx: StepContext, group: TaskGroup, person: Person, kind: str, reply: Reply
) -> Outgoing:
    return Outgoing(
        ctx.key(group.id, person.id),
        person.telegram_user_id,
        kind,
        reply,
        {"group_id": group.id, "person_id": person.id},
    )


def _start_button(locale: str, group: TaskGroup) -> list[list[Button]]:
    return [[Button(say(locale, "cycle.open.button"), data=f"p:{group.id}")]]


async def compose_open(ctx: StepContext) -> list[Outgoing]:
    period = parse_period(ctx.occurrence.key)
    row = await period_row(ctx.session, ctx.workspace, period)
    out = []
    for group in await _groups(ctx.session, ctx.workspace):
        for contact in _primary(group):
            locale = _person_locale(contact.person, ctx.workspace)
            text = say(
                locale,
                "cycle.open.prompt",
                group=group.name,
                period=label(period, locale),
                deadline=local_time(ctx.workspace, row.deadline_at, locale),
            )
            reply = Reply(text, buttons=_start_button(locale, group))
            out.append(_private(ctx, group, contact.person, "prompt", reply))
    return out


async def _missing_groups(ctx: StepContext) -> tuple[list[TaskGroup], int, int, int]:
    """The active groups without a submitted report and not exempt; and the counts."""
    period = parse_period(ctx.occurrence.key)
    row = await period_row(ctx.session, ctx.workspace, period)
    groups = await _groups(ctx.session, ctx.workspace)
    ids = [g.id for g in groups]
    submitted = set(
        await ctx.session.scalars(
            select(Submission.group_id).where(
                Submission.period_id == row.id,
                Submission.state == "submitted",
                Submission.group_id.in_(ids),
            )
        )
    )
    exempt = set(
        await ctx.session.scalars(
            select(Exemption.group_id).where(
                Exemption.period_id == row.id, Exemption.group_id.in_(ids)
            )
        )
    )
    missing = [g for g in groups if g.id not in submitted and g.id not in exempt]
    return missing, len(groups), len(submitted), len(exempt - submitted)


def _names(locale: str, groups: list[TaskGroup]) -> str:
    return translate(locale, "list.separator").join(g.name for g in groups)


async def compose_remind(ctx: StepContext) -> list[Outgoing]:
    missing, _, _, _ = await _missing_groups(ctx)
    if not missing:
        return []
    period = parse_period(ctx.occurrence.key)
    row = await period_row(ctx.session, ctx.workspace, period)
    out = []
    for group in missing:
        for contact in group.contacts:
            locale = _person_locale(contact.person, ctx.workspace)
            text = say(
                locale,
                "cycle.remind.private",
                group=group.name,
                period=label(period, locale),
                deadline=local_time(ctx.workspace, row.deadline_at, locale),
            )
            reply = Reply(text, buttons=_start_button(locale, group))
            out.append(_private(ctx, group, contact.person, "reminder", reply))
    text = say(
        ctx.locale,
        "cycle.remind.office",
        period=label(period, ctx.locale),
        count=len(missing),
        groups=_names(ctx.locale, missing),
        deadline=local_time(ctx.workspace, row.deadline_at, ctx.locale),
    )
    return out + ctx.office(Reply(text))


async def compose_deadline(ctx: StepContext) -> list[Outgoing]:
    missing, expected, submitted, exempt = await _missing_groups(ctx)
    period = parse_period(ctx.occurrence.key)
    lines = [
        say(
            ctx.locale,
            "cycle.deadline.office",
            period=label(period, ctx.locale),
            expected=expected,
            submitted=submitted,
            exempt=exempt,
        )
    ]
    if missing:
        lines.append(say(ctx.locale, "cycle.deadline.missing", groups=_names(ctx.locale, missing)))
    lines.append(say(ctx.locale, "cycle.deadline.late_note"))
    return ctx.office(Reply("\n".join(lines)))


def _office_replies(ctx: StepContext, replies: list[Reply]) -> list[Outgoing]:
    out: list[Outgoing] = []
    for index, reply in enumerate(replies):
        out.extend(ctx.office(reply, index))
    return out


async def compose_agenda(ctx: StepContext) -> list[Outgoing]:
    # Imported when a step runs rather than at start-up: reports bring the renderers.
    from bot.reports.service import agenda_replies

    # The agenda posted before the meeting closes the week's reports to revision (DESIGN §4).
    replies = await agenda_replies(
        ctx.session, ctx.workspace, ctx.occurrence.key, ctx.locale, ctx.now, lock=True
    )
    return _office_replies(ctx, list(replies))


async def compose_summary(ctx: StepContext) -> list[Outgoing]:
    """The bulletin of the week just ended, numbered and posted; unless the office
    already published that week's bulletin by hand (``/report``), which posted it then."""
    from bot.reports.service import publication

    row, created, replies = await publication(
        ctx.session, ctx.workspace, ctx.occurrence.key, ctx.now, None
    )
    if not created:
        log.info(
            "summary step: bulletin of %s was published before; not posted again",
            ctx.occurrence.key,
        )
        return []
    log.info("summary step: bulletin no. %s of %s published", row.number, ctx.occurrence.key)
    return _office_replies(ctx, list(replies))


async def compose_monthly(ctx: StepContext) -> list[Outgoing]:
    from bot.rollups import monthly_replies

    replies = await monthly_replies(
        ctx.session, ctx.workspace, ctx.occurrence.key, ctx.locale, ctx.now
    )
    return _office_replies(ctx, list(replies))


COMPOSERS: dict[str, Composer] = {
    "open": compose_open,
    "remind": compose_remind,
    "deadline": compose_deadline,
    "agenda": compose_agenda,
    "summary": compose_summary,
    "monthly": compose_monthly,
}


async def compose(ctx: StepContext) -> list[Outgoing]:
    return await COMPOSERS[ctx.occurrence.step](ctx)


@dataclass(frozen=True)
class Unreached:
    """A contact the private prompt did not reach (403, or no Telegram id known)."""

    group_id: int
    person_id: int


def _mention(person: Person) -> str:
    name = person.display_name or person.username or "?"
    if person.telegram_user_id is not None:
        return f'<a href="tg://user?id={person.telegram_user_id}">{escape(name)}</a>'
    return escape(f"@{person.username}" if person.username else name)


async def compose_after(ctx: StepContext, unreached: list[Unreached]) -> list[Outgoing]:
    """What a step says once its private messages are done: for ``open``, the office chat
    names the contacts it could not reach, with a deep-link button for each group."""
    if ctx.occurrence.step != "open" or not unreached:
        return []
    period = parse_period(ctx.occurrence.key)
    row = await period_row(ctx.session, ctx.workspace, period)
    lines = [say(ctx.locale, "cycle.open.unreached", period=label(period, ctx.locale))]
    buttons: list[list[Button]] = []
    for item in unreached:
        group = await ctx.session.get(TaskGroup, item.group_id)
        person = await ctx.session.get(Person, item.person_id)
        if group is None or person is None:
            continue
        lines.append(
            say(
                ctx.locale,
                "cycle.open.unreached_line",
                group=group.name,
                who=Html(_mention(person)),
            )
        )
        token = await deeplinks.create(
            ctx.session, ctx.workspace.id, ctx.now, group_id=group.id, period_id=row.id
        )
        label_text = say(ctx.locale, "cycle.open.unreached_button", group=group.name)
        buttons.append([Button(label_text, url=deeplinks.url(ctx.bot_username, token))])
    return ctx.office(Reply("\n".join(lines), buttons=buttons), "unreached")


def compose_skipped(workspace: Workspace, skipped: list[Occurrence]) -> Reply:
    """One line for the office chat: the steps missed beyond the grace period."""
    locale = workspace.locale
    items = translate(locale, "list.separator").join(
        translate(
            locale, "cycle.skipped.item", step=step_name(o.step, locale), at=at_text(o, locale)
        )
        for o in skipped
    )
    hours = int(grace(workspace.settings).total_seconds() // 3600)
    return Reply(say(locale, "cycle.skipped.office", hours=hours, steps=Html(escape(items))))
