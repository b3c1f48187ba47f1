"""What the roll-ups hand out: files in four formats, and the replies the chat receives.

``md`` is the text, ``png`` the chart, ``docx`` the official document (GB/T 9704, by
:mod:`bot.reports.docx`) and ``xlsx`` the workbook (:mod:`bot.reports.xlsx`). The CLI,
the commands and the scheduled ``monthly`` step all come through here, so the file a
director downloads is the file the office chat was sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translate
from bot.replies import Attachment, Keyboard, Reply
from bot.reports.outputs import document_docx, rendered, workbook_xlsx
from bot.rollups import assessment_views as views
from bot.rollups import charts, monthly_views
from bot.rollups.assessment import Assessment, YearRanking, year_ranking
from bot.rollups.monthly import compile_month
from bot.rollups.months import Month, parse_month
from bot.rollups.refusals import RollupRefused
from storage.models import Workspace

FORMATS = ("md", "png", "docx", "xlsx")


def issuer(workspace: Workspace, locale: str) -> str:
    return workspace.title or translate(locale, "rollups.doc.issuer")


def _today(workspace: Workspace, now: datetime) -> date:
    return now.astimezone(ZoneInfo(workspace.timezone)).date()


def _day_of(assessment: Assessment, workspace: Workspace, now: datetime) -> date:
    """A published assessment keeps its date, so its files come out as they were."""
    if assessment.published_at:
        return (
            datetime.fromisoformat(assessment.published_at)
            .astimezone(ZoneInfo(workspace.timezone))
            .date()
        )
    return _today(workspace, now)


def _bars_of(assessment: Assessment) -> list[charts.Bar]:
    return [charts.Bar(s.name, s.final, s.grade, s.rank) for s in assessment.scores]


async def assessment_file(
    assessment: Assessment, workspace: Workspace, fmt: str, locale: str, now: datetime
) -> bytes:
    if fmt == "md":
        return views.assessment_markdown(assessment, locale).encode()
    if fmt == "png":
        title = views.assessment_title(assessment, locale)
        return await rendered(
            charts.ranking_chart,
            title,
            _bars_of(assessment),
            assessment.rubric["thresholds"],
            locale,
        )
    if fmt == "docx":
        day = _day_of(assessment, workspace, now)
        return await document_docx(
            views.assessment_document(assessment, issuer(workspace, locale), day, locale)
        )
    if fmt == "xlsx":
        return await workbook_xlsx(
            views.assessment_sheets(assessment, locale), _day_of(assessment, workspace, now)
        )
    raise RollupRefused("rollups.error.bad_format", format=fmt)


async def year_file(
    ranking: YearRanking, workspace: Workspace, fmt: str, locale: str, now: datetime
) -> bytes:
    if fmt == "md":
        return views.year_markdown(ranking, locale).encode()
    if fmt == "png":
        bars = [charts.Bar(r.name, r.final, r.grade, r.rank) for r in ranking.rows]
        return await rendered(
            charts.ranking_chart,
            views.year_title(ranking, locale),
            bars,
            ranking.thresholds,
            locale,
        )
    if fmt == "docx":
        day = _today(workspace, now)
        document = views.year_document(ranking, issuer(workspace, locale), day, locale)
        return await document_docx(document)
    if fmt == "xlsx":
        return await workbook_xlsx(views.year_sheets(ranking, locale), _today(workspace, now))
    raise RollupRefused("rollups.error.bad_format", format=fmt)


async def monthly_file(
    session: AsyncSession, workspace: Workspace, month: Month, fmt: str, locale: str, now: datetime
) -> bytes:
    summary = await compile_month(session, workspace, month, now)
    if fmt == "md":
        return monthly_views.monthly_markdown(summary, locale).encode()
    if fmt == "png":
        title = monthly_views.title(summary, locale)
        return await rendered(charts.monthly_chart, summary, title, locale)
    if fmt == "docx":
        return await document_docx(
            monthly_views.monthly_document(summary, issuer(workspace, locale), locale)
        )
    if fmt == "xlsx":
        return await workbook_xlsx(monthly_views.monthly_sheets(summary, locale), summary.issued_on)
    raise RollupRefused("rollups.error.bad_format", format=fmt)


async def monthly_replies(
    session: AsyncSession, workspace: Workspace, month: str, locale: str, now: datetime
) -> list[Reply]:
    """The month's summary for the office chat: chart with a caption, the text, the Word file.

    ``month`` is ``"YYYY-MM"``, the month the summary is about (the scheduled step passes
    the month just ended, on the first working day of the next). A file the renderers
    cannot make (no chart font, no Word renderer) is left out rather than costing the
    office the whole summary.
    """
    summary = await compile_month(session, workspace, parse_month(month), now)
    title = monthly_views.title(summary, locale)
    replies = []
    try:
        png = await rendered(charts.monthly_chart, summary, title, locale)
        chart = Attachment(f"monthly-{month}.png", png, "photo")
        replies.append(Reply(monthly_views.caption(summary, locale), attachment=chart))
    except RollupRefused:
        pass
    replies.append(Reply(monthly_views.monthly_html(summary, locale)))
    try:
        document = monthly_views.monthly_document(summary, issuer(workspace, locale), locale)
        word = Attachment(f"monthly-{month}.docx", await document_docx(document))
    except RollupRefused:
        return replies
    replies.append(Reply(translate(locale, "rollups.monthly.file_caption"), attachment=word))
    return replies


async def assessment_replies(
    assessment: Assessment,
    workspace: Workspace,
    locale: str,
    now: datetime,
    buttons: Keyboard | None = None,
) -> list[Reply]:
    """``/assess``: the table with every component's raw numbers, the ranking chart, and
    the Word and Excel files."""
    return await _files_replies(
        f"assessment-{assessment.window_key}",
        views.assessment_html(assessment, locale),
        lambda fmt: assessment_file(assessment, workspace, fmt, locale, now),
        locale,
        buttons,
    )


async def year_replies(
    session: AsyncSession, workspace: Workspace, year: int, locale: str, now: datetime
) -> list[Reply]:
    ranking = await year_ranking(session, workspace, year, now)
    return await _files_replies(
        f"ranking-{year}", views.year_html(ranking, locale),
        lambda fmt: year_file(ranking, workspace, fmt, locale, now), locale, None,
    )  # fmt: skip


async def _files_replies(
    stem: str,
    text: str,
    render: Callable[[str], Awaitable[bytes]],
    locale: str,
    buttons: Keyboard | None,
) -> list[Reply]:
    """The text first (with its buttons), then the chart, the Word and the Excel file,
    each left out if this machine cannot make it."""
    replies = [Reply(text, buttons=buttons or [])]
    for fmt, kind in (("png", "photo"), ("docx", "document"), ("xlsx", "document")):
        try:
            data = await render(fmt)
        except RollupRefused:
            continue
        attachment = Attachment(f"{stem}.{fmt}", data, kind)
        replies.append(Reply(translate(locale, f"rollups.file.{fmt}"), attachment=attachment))
    return replies
