"""What other parts of lihui call for reports: replies for the chat, bytes for files.

The handlers (``/report``, ``/agenda``, ``/bulletin`` and their buttons), the weekly
schedule (agenda before the meeting, bulletin on Monday morning) and ``lihui report`` all
come through here, so the chat, the scheduled posts and the command line show the same
content. Every function works inside the caller's unit of work and takes the instant.

Replies carry no chat id: the caller decides where they go (the office chat for a
publication, the asking person's chat otherwise).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, reporting
from bot.i18n import translate
from bot.periods import parse_period
from bot.replies import Attachment, Button, Keyboard, Reply
from bot.reports import documents, numbering, outputs, text
from bot.reports.agenda import Agenda, compile_agenda
from bot.reports.bulletin import Bulletin, compile_bulletin, from_json
from bot.reports.data import PeriodData, load_period
from bot.rollups.buttons import practice_buttons
from storage.models import Period as PeriodRow
from storage.models import PublishedBulletin, Workspace

Kind = Literal["agenda", "bulletin"]
Format = Literal["md", "png", "docx", "xlsx"]
KINDS: tuple[Kind, ...] = ("agenda", "bulletin")
FORMATS: tuple[Format, ...] = ("md", "png", "docx", "xlsx")

# Buttons under /report: "rp:<action>:<workspace id>:<period key>". They name what to act
# on; the right to do it is looked up again on every press (bot.access).
CALLBACK_PREFIX = "rp"
EXPORTS = ("word", "excel", "agenda")
ACTIONS = (*EXPORTS, "publish", "confirm")
# Above this many reports, /report offers no per-group good-practice buttons (bot.rollups):
# Telegram refuses a message whose keyboard holds more than about a hundred buttons.
PRACTICE_BUTTONS_MAX = 60
# The office buttons sent before bot.access.office asked (a person in several offices):
# "rp:pick:<command>:<id>", still honoured when pressed; new questions use "of:".
COMMANDS = ("report", "agenda", "bulletin")


def callback(action: str, workspace_id: int, period_key: str) -> str:
    return f"{CALLBACK_PREFIX}:{action}:{workspace_id}:{period_key}"


def pick_callback(command: str, workspace_id: int) -> str:
    return f"{CALLBACK_PREFIX}:pick:{command}:{workspace_id}"


def parse_pick(data: str) -> tuple[str, int] | None:
    """(command, workspace id) of an office-choice button, or None."""
    parts = data.split(":")
    if len(parts) != 4 or parts[:2] != [CALLBACK_PREFIX, "pick"] or parts[2] not in COMMANDS:
        return None
    number = parts[3]
    return (parts[2], int(number)) if number.isascii() and number.isdigit() else None


def parse_callback(data: str) -> tuple[str, int, str] | None:
    """(action, workspace id, period key) of a report button, or None if it is not one."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != CALLBACK_PREFIX or parts[1] not in ACTIONS:
        return None
    try:
        return parts[1], int(parts[2]), parse_period(parts[3]).key
    except ValueError:
        return None


# --- reading a week -----------------------------------------------------------------------


async def week_data(
    session: AsyncSession,
    workspace: Workspace,
    period_key: str,
    now: datetime,
    *,
    indicators: bool = True,
) -> PeriodData:
    """One week's data; its period row is created on first use (like the dialog does)."""
    period = parse_period(period_key)
    row = await session.scalar(
        select(PeriodRow).where(PeriodRow.workspace_id == workspace.id, PeriodRow.key == period.key)
    )
    if row is None:
        row = await reporting.period_row(session, workspace, period)
    return await load_period(session, workspace, period, row, now, indicators=indicators)


async def current_period_key(session: AsyncSession, workspace: Workspace, now: datetime) -> str:
    """The week being reported now (until Thursday, the week before)."""
    return (await reporting.reporting_period(session, workspace, now)).key


@dataclasses.dataclass(frozen=True)
class _Edition:
    """The bulletin of a week as it would be shown: published (numbered) or a preview."""

    bulletin: Bulletin
    number_line: str
    issued_on: date


async def _edition(
    session: AsyncSession, workspace: Workspace, period_key: str, locale: str, now: datetime
) -> _Edition:
    published = await numbering.find_published(session, workspace.id, period_key)
    if published is not None:
        return _published_edition(workspace, published, locale)
    bulletin = compile_bulletin(await week_data(session, workspace, period_key, now))
    return _Edition(bulletin, _preview(locale), _local_day(workspace, now))


def _published_edition(workspace: Workspace, row: PublishedBulletin, locale: str) -> _Edition:
    return _Edition(
        from_json(row.content),
        text.number_line(locale, row.year, row.number),
        _local_day(workspace, row.published_at),
    )


def _preview(locale: str) -> str:
    return text.number_line(locale, None, None)


def _local_day(workspace: Workspace, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(workspace.timezone)).date()


# --- files ----------------------------------------------------------------------------------


def _file_name(locale: str, what: str, period_key: str, extension: str) -> str:
    return translate(locale, f"reports.file.{what}", period=period_key) + f".{extension}"


async def _agenda_file(agenda: Agenda, locale: str) -> Attachment:
    data = await outputs.document_docx(documents.agenda_document(agenda, locale))
    return Attachment(_file_name(locale, "agenda", agenda.period_key, "docx"), data)


async def _bulletin_file(edition: _Edition, locale: str) -> Attachment:
    document = documents.bulletin_document(
        edition.bulletin, locale, edition.number_line, edition.issued_on
    )
    name = "bulletin" if edition.number_line != _preview(locale) else "preview"
    return Attachment(
        _file_name(locale, name, edition.bulletin.period_key, "docx"),
        await outputs.document_docx(document),
    )


async def _workbook_file(edition: _Edition, locale: str, timezone: str) -> Attachment:
    sheets = documents.workbook(edition.bulletin, locale, timezone)
    return Attachment(
        _file_name(locale, "workbook", edition.bulletin.period_key, "xlsx"),
        await outputs.workbook_xlsx(sheets),
    )


async def _chart_file(edition: _Edition, locale: str) -> Attachment:
    chart = documents.chart(edition.bulletin, locale, edition.number_line)
    return Attachment(
        _file_name(locale, "chart", edition.bulletin.period_key, "png"),
        await outputs.chart_png(chart),
        kind="photo",
    )


def _file_reply(caption: str, attachment: Attachment, buttons: Keyboard | None = None) -> Reply:
    """A file with its caption. The file is drawn in the render process
    (:mod:`bot.reports.outputs`), so the event loop goes on with other people's updates
    meanwhile (a 1,000-group bulletin's Word file takes a few hundred milliseconds)."""
    return Reply(caption, buttons=buttons or [], attachment=attachment)


# --- the facade -----------------------------------------------------------------------------


async def agenda_replies(
    session: AsyncSession,
    workspace: Workspace,
    period_key: str,
    locale: str,
    now: datetime,
    *,
    lock: bool = False,
) -> list[Reply]:
    """The meeting's agenda: the text, then the Word file.

    ``lock=True`` is for the agenda posted before the meeting: from then on the week's
    reports can no longer be revised (DESIGN §4), so the meeting reads what was posted.
    A director's ``/agenda`` is a look, and locks nothing.
    """
    if lock:
        await lock_agenda(session, workspace, period_key, now)
    agenda = compile_agenda(await week_data(session, workspace, period_key, now))
    caption = text.say(text.HTML, locale, "reports.file.agenda_caption")
    return [
        Reply(text.clip(text.agenda_text(agenda, locale), locale, "reports.file.agenda_caption")),
        _file_reply(caption, await _agenda_file(agenda, locale)),
    ]


async def lock_agenda(
    session: AsyncSession, workspace: Workspace, period_key: str, now: datetime
) -> None:
    """Mark the week's agenda as compiled (once): the dialog then refuses revisions."""
    row = await reporting.period_row(session, workspace, parse_period(period_key))
    if row.agenda_compiled_at is None:
        row.agenda_compiled_at = now


async def _bulletin_replies(edition: _Edition, locale: str) -> list[Reply]:
    caption = text.bulletin_caption(edition.bulletin, locale, edition.number_line)
    return [
        _file_reply(caption, await _chart_file(edition, locale)),
        Reply(
            text.clip(
                text.bulletin_text(edition.bulletin, locale, edition.number_line),
                locale,
                "reports.file.bulletin_caption",
            )
        ),
        _file_reply(
            text.say(text.HTML, locale, "reports.file.bulletin_caption"),
            await _bulletin_file(edition, locale),
        ),
    ]


async def bulletin_preview_replies(
    session: AsyncSession, workspace: Workspace, period_key: str, locale: str, now: datetime
) -> list[Reply]:
    """The bulletin as it would be published now, marked 预览 and without a number."""
    bulletin = compile_bulletin(await week_data(session, workspace, period_key, now))
    preview = _Edition(bulletin, _preview(locale), _local_day(workspace, now))
    return await _bulletin_replies(preview, locale)


async def publish_bulletin(
    session: AsyncSession,
    workspace: Workspace,
    period_key: str,
    now: datetime,
    person_id: int | None,
) -> tuple[int, list[Reply]]:
    """Publish the week's bulletin (idempotent): its number, and what to post.

    A week published before keeps its number and its stored content; the replies
    (chart with caption, text, Word file, in the workspace's language) are rebuilt from
    that content, so posting them again shows the same bulletin.
    """
    row, _, replies = await publication(session, workspace, period_key, now, person_id)
    return row.number, replies


async def publication(
    session: AsyncSession,
    workspace: Workspace,
    period_key: str,
    now: datetime,
    person_id: int | None,
) -> tuple[PublishedBulletin, bool, list[Reply]]:
    """Like :func:`publish_bulletin`, and whether this very call published it.

    A button pressed twice (or by two people at once) must post the bulletin once: the
    caller posts only when this call is the one that numbered it.
    """
    row = await numbering.find_published(session, workspace.id, period_key)
    created = False
    if row is None:
        bulletin = compile_bulletin(await week_data(session, workspace, period_key, now))
        row, created = await numbering.publish(session, workspace, bulletin, now, person_id)
        if created:
            audit.record(
                session,
                action="bulletin.publish",
                now=now,
                workspace_id=workspace.id,
                person_id=person_id,
                after={"period": period_key, "year": row.year, "number": row.number},
            )
    locale = workspace.locale or "zh-CN"
    replies = await _bulletin_replies(_published_edition(workspace, row, locale), locale)
    return row, created, replies


async def status_replies(
    session: AsyncSession, workspace: Workspace, now: datetime, locale: str
) -> list[Reply]:
    """/report: where the week stands, its agenda, the chart, and the export buttons."""
    period_key = await current_period_key(session, workspace, now)
    # No indicators: neither the status, the agenda nor the chart shows them.
    data = await week_data(session, workspace, period_key, now, indicators=False)
    agenda = compile_agenda(data)
    # Where the week stands *now*: the live figures, marked as a preview even once published.
    edition = _Edition(compile_bulletin(data), _preview(locale), _local_day(workspace, now))
    status = text.status_text(data, locale, workspace.timezone, now)
    caption = text.bulletin_caption(edition.bulletin, locale, edition.number_line)
    # A good-practice button per report of the week (bot.rollups: /highlight gives the title).
    reported = [(g.group_id, g.name) for g in data.groups if g.reported]
    if len(reported) > PRACTICE_BUTTONS_MAX:
        reported = []  # Telegram refuses a keyboard of hundreds of buttons; /highlight remains
    return [
        Reply(
            text.clip(
                status + "\n\n" + text.agenda_text(agenda, locale),
                locale,
                "reports.button.agenda",
            ),
            buttons=practice_buttons(reported, period_key, locale),
        ),
        _file_reply(
            caption,
            await _chart_file(edition, locale),
            buttons=report_buttons(locale, workspace, period_key),
        ),
    ]


def report_buttons(locale: str, workspace: Workspace, period_key: str) -> Keyboard:
    def button(action: str) -> Button:
        return Button(
            translate(locale, f"reports.button.{action}"),
            callback(action, workspace.id, period_key),
        )

    return [[button("word"), button("excel")], [button("agenda"), button("publish")]]


async def export_reply(
    session: AsyncSession,
    workspace: Workspace,
    period_key: str,
    what: str,
    locale: str,
    now: datetime,
) -> Reply:
    """One file for an export button: the bulletin's Word, the workbook, or the agenda's Word."""
    if what == "agenda":
        agenda = compile_agenda(await week_data(session, workspace, period_key, now))
        caption = text.say(text.HTML, locale, "reports.file.agenda_caption")
        return _file_reply(caption, await _agenda_file(agenda, locale))
    edition = await _edition(session, workspace, period_key, locale, now)
    if what == "excel":
        caption = text.say(text.HTML, locale, "reports.file.workbook_caption")
        return _file_reply(caption, await _workbook_file(edition, locale, workspace.timezone))
    caption = text.say(text.HTML, locale, "reports.file.bulletin_caption")
    return _file_reply(caption, await _bulletin_file(edition, locale))


async def publication_prompt(
    session: AsyncSession, workspace: Workspace, period_key: str, locale: str, now: datetime
) -> Reply:
    """Ask before publishing, naming the number it will get (or the one it already has)."""
    period = text.period_label(period_key, locale)
    row = await numbering.find_published(session, workspace.id, period_key)
    if row is not None:
        number = text.number_line(locale, row.year, row.number)
        return Reply(
            text.say(text.HTML, locale, "reports.publish.already", number=number, period=period)
        )
    year = numbering.issue_year(workspace, now)
    number = text.number_line(
        locale, year, await numbering.next_number(session, workspace.id, year)
    )
    confirm = Button(
        translate(locale, "reports.button.confirm"), callback("confirm", workspace.id, period_key)
    )
    return Reply(
        text.say(text.HTML, locale, "reports.publish.confirm", number=number, period=period),
        buttons=[[confirm]],
    )


async def render_report(
    session: AsyncSession,
    workspace: Workspace,
    period_key: str,
    kind: Kind,
    fmt: Format,
    locale: str,
    now: datetime,
) -> bytes:
    """A report as a file's bytes, for ``lihui report``: the same content as in the chat.

    The chart (png) and the workbook (xlsx) are the week's whatever the kind; a published
    bulletin is rendered from its stored content, with its number.
    """
    if kind == "agenda" and fmt in ("md", "docx"):
        agenda = compile_agenda(await week_data(session, workspace, period_key, now))
        if fmt == "md":
            return (text.agenda_text(agenda, locale, text.MARKDOWN) + "\n").encode()
        return (await _agenda_file(agenda, locale)).data
    edition = await _edition(session, workspace, period_key, locale, now)
    if fmt == "md":
        body = text.bulletin_text(edition.bulletin, locale, edition.number_line, text.MARKDOWN)
        return (body + "\n").encode()
    if fmt == "png":
        return (await _chart_file(edition, locale)).data
    if fmt == "xlsx":
        return (await _workbook_file(edition, locale, workspace.timezone)).data
    return (await _bulletin_file(edition, locale)).data
