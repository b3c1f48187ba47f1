"""The agenda and the bulletin laid out for the renderers (:mod:`bot.reports.layout`).

Word gets an :class:`~bot.reports.layout.OfficialDocument` (headings 一、 and （一）, body
paragraphs, tables with repeating headers), Excel gets one :class:`~bot.reports.layout.Sheet`
per concern with typed cells (numbers as numbers, dates as dates, instants as local
wall-clock times, since a spreadsheet has no time zones), and the chart gets a
:class:`~bot.reports.layout.BulletinChart`. The wording comes from the same catalog entries
as the chat text, in plain form.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import translate
from bot.reports import text
from bot.reports.agenda import Agenda
from bot.reports.bulletin import Bulletin
from bot.reports.data import GroupWeek
from bot.reports.layout import (
    Block,
    BulletinChart,
    Cell,
    GroupStatus,
    Heading,
    OfficialDocument,
    Paragraph,
    Sheet,
    Table,
    TrendPoint,
)
from bot.reports.text import PLAIN

# --- Word ----------------------------------------------------------------------------------


def agenda_document(agenda: Agenda, locale: str) -> OfficialDocument:
    loc = locale
    blocks: list[Block] = [Paragraph(line) for line in text.agenda_absent(agenda, loc, PLAIN)]
    blocks.append(_heading(loc, "reports.agenda.section.decisions"))
    blocks += _or_none(loc, [Paragraph(t) for t in text.agenda_decisions(agenda, loc, PLAIN)])
    blocks.append(_heading(loc, "reports.agenda.section.progress"))
    blocks += _or_none(loc, [_progress(loc, i, g) for i, g in enumerate(agenda.progress, 1)])
    blocks.append(_heading(loc, "reports.agenda.section.problems"))
    problems: list[Block] = []
    for index, group in enumerate(agenda.problems, 1):
        problems.append(_group_heading(loc, index, group.group_name))
        problems += [
            Paragraph(text.problem_line(PLAIN, loc, i, p, with_group=False))
            for i, p in enumerate(group.problems, 1)
        ]
    blocks += _or_none(loc, problems)
    blocks.append(_heading(loc, "reports.agenda.section.plans"))
    plans: list[Block] = []
    for index, plan in enumerate(agenda.plans, 1):
        plans.append(Paragraph(plan.plan, lead=_lead(loc, index, plan.group_name)))
    blocks += _or_none(loc, plans)
    return OfficialDocument(
        title=translate(loc, "reports.agenda.title"),
        subtitle=text.period_label(agenda.period_key, loc),
        blocks=tuple(blocks),
        issuer=agenda.workspace_title,
        issued_on=agenda.meeting_on,
    )


def _progress(locale: str, index: int, group: GroupWeek) -> Paragraph:
    lead = _lead(locale, index, group.name)
    if group.reporting == "missing":
        return Paragraph(translate(locale, "reports.doc.missing"), lead=lead)
    if group.reporting == "exempt":
        body = translate(locale, "reports.doc.exempt", reason=group.exempt_reason)
        return Paragraph(body, lead=lead)
    body = translate(
        locale,
        "reports.doc.progress",
        status=text.progress_status(locale, group),
        done=group.done_text,
    )
    return Paragraph(body, lead=lead)


def bulletin_document(
    bulletin: Bulletin, locale: str, number_line: str, issued_on: date
) -> OfficialDocument:
    loc = locale
    blocks: list[Block] = [_heading(loc, "reports.bulletin.section.reporting")]
    blocks += [Paragraph(line) for line in text.bulletin_reporting(bulletin, loc, PLAIN)]
    blocks.append(_heading(loc, "reports.bulletin.section.progress"))
    blocks.append(Paragraph(text.bulletin_progress(bulletin, loc, PLAIN)[0]))
    blocks.append(_status_table(bulletin, loc))
    blocks.append(_heading(loc, "reports.bulletin.section.indicators"))
    blocks += _or_none(loc, [_indicator_table(bulletin, loc)] if bulletin.indicators else [])
    blocks.append(_heading(loc, "reports.bulletin.section.problems"))
    blocks += [Paragraph(line) for line in text.bulletin_problems(bulletin, loc, PLAIN)]
    blocks.append(_heading(loc, "reports.bulletin.section.decisions"))
    blocks += [Paragraph(line) for line in text.bulletin_decisions(bulletin, loc, PLAIN)]
    return OfficialDocument(
        title=translate(loc, "reports.bulletin.title"),
        subtitle=text.period_label(bulletin.period_key, loc),
        blocks=tuple(blocks),
        issuer=bulletin.workspace_title,
        issued_on=issued_on,
        number_line=number_line,
    )


def _status_table(bulletin: Bulletin, locale: str) -> Table:
    rows = tuple(
        (
            str(index),
            group.name,
            translate(locale, f"reports.reporting.{group.reporting}"),
            text.progress_label(locale, group.progress_status if group.reported else None),
            "" if group.percent is None or not group.reported else f"{group.percent}%",
        )
        for index, group in enumerate(bulletin.groups, 1)
    )
    return Table(_header(locale, "status"), rows, widths=(1, 5, 2.2, 2.2, 1.6))


def _indicator_table(bulletin: Bulletin, locale: str) -> Table:
    def value(number: float | None, unit: str = "") -> str:
        return "—" if number is None else f"{text.number(number)}{unit}"

    rows = tuple(
        (
            line.group_name,
            f"{line.name}（{line.unit}）" if line.unit else line.name,
            value(line.week),
            value(line.year_to_date),
            value(line.target),
            "—" if line.attainment is None else text.rate(line.attainment),
        )
        for line in bulletin.indicators
    )
    return Table(_header(locale, "indicators"), rows, widths=(3.4, 3.4, 1.6, 1.8, 1.8, 1.6))


def _heading(locale: str, key: str) -> Heading:
    return Heading(translate(locale, key), level=1)


def _group_heading(locale: str, index: int, name: str) -> Heading:
    return Heading(
        translate(
            locale,
            "reports.agenda.problem_group",
            n=text.chinese_ordinal(index, locale),
            group=name,
        ),
        level=2,
    )


def _lead(locale: str, index: int, name: str) -> str:
    return translate(locale, "reports.doc.lead", n=text.chinese_ordinal(index, locale), group=name)


def _or_none(locale: str, blocks: list[Block]) -> list[Block]:
    return blocks or [Paragraph(translate(locale, "reports.none"))]


# --- Excel ---------------------------------------------------------------------------------


def workbook(bulletin: Bulletin, locale: str, timezone: str) -> list[Sheet]:
    """概览, 填报情况, 重点指标, 存在问题, 议定事项: the week's reports and ledgers."""
    return [
        Sheet(_title(locale, "overview"), _header(locale, "overview"), _overview(bulletin, locale)),
        Sheet(
            _title(locale, "reporting"),
            _header(locale, "reporting"),
            _reporting_rows(bulletin, locale, ZoneInfo(timezone)),
        ),
        Sheet(
            _title(locale, "indicators"),
            _header(locale, "indicator_rows"),
            tuple(
                (
                    line.group_name,
                    line.name,
                    line.unit,
                    line.week,
                    line.year_to_date,
                    line.target,
                    line.attainment,
                )
                for line in bulletin.indicators
            ),
        ),
        Sheet(
            _title(locale, "problems"), _header(locale, "problems"), _problem_rows(bulletin, locale)
        ),
        Sheet(
            _title(locale, "decisions"),
            _header(locale, "decisions"),
            _decision_rows(bulletin, locale),
        ),
    ]


def _title(locale: str, sheet: str) -> str:
    return translate(locale, f"reports.sheet.{sheet}")


def _header(locale: str, table: str) -> tuple[str, ...]:
    """Column headers: one catalog entry per table, columns separated by "|"."""
    return tuple(translate(locale, f"reports.columns.{table}").split("|"))


def _yes(locale: str, flag: bool) -> str:
    return translate(locale, "reports.yes" if flag else "reports.no")


def _overview(bulletin: Bulletin, locale: str) -> tuple[tuple[Cell, ...], ...]:
    counts, progress = bulletin.counts, bulletin.progress_counts
    values: list[tuple[str, Cell]] = [
        ("period", text.period_label(bulletin.period_key, locale)),
        ("expected", counts.expected),
        ("on_time", counts.on_time),
        ("late", counts.late),
        ("missing", counts.missing),
        ("exempt", counts.exempt),
        ("on_time_rate", round(counts.on_time_rate, 4)),
        ("on_track", progress["on_track"]),
        ("delayed", progress["delayed"]),
        ("blocked", progress["blocked"]),
        ("problems_opened", len(bulletin.problems_opened)),
        ("problems_resolved", len(bulletin.problems_resolved)),
        ("problems_open", len(bulletin.problems_open)),
        ("problems_escalated", len(bulletin.escalated)),
        ("decisions_due", len(bulletin.decisions_due)),
        ("decisions_overdue", len(bulletin.decisions_overdue)),
    ]
    return tuple((translate(locale, f"reports.overview.{key}"), value) for key, value in values)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def _reporting_rows(bulletin: Bulletin, locale: str, tz: ZoneInfo) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            index,
            group.name,
            translate(locale, f"reports.reporting.{group.reporting}"),
            _local(group.submitted_at, tz),
            text.progress_label(locale, group.progress_status if group.reported else None),
            group.percent if group.reported else None,
            group.done_text,
            group.plan_text,
            group.exempt_reason,
        )
        for index, group in enumerate(bulletin.groups, 1)
    )


def _problem_rows(bulletin: Bulletin, locale: str) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            problem.group_name,
            problem.text,
            translate(locale, f"reports.ledger.{problem.status}"),
            problem.opened_period_key,
            problem.age_weeks,
            _yes(locale, problem.to_meeting),
            _yes(locale, problem.escalated),
            problem.note,
        )
        for problem in bulletin.problems_open
    )


def _decision_rows(bulletin: Bulletin, locale: str) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            decision.group_name,
            decision.text,
            decision.due_on,
            translate(locale, f"reports.ledger.{decision.status}"),
            _yes(locale, decision.overdue),
            decision.note,
        )
        for decision in bulletin.decisions_open
    )


# --- the chart -----------------------------------------------------------------------------


def chart(bulletin: Bulletin, locale: str, number_line: str) -> BulletinChart:
    return BulletinChart(
        title=translate(
            locale,
            "reports.chart.title",
            number=number_line,
            period=text.period_label(bulletin.period_key, locale),
        ),
        groups=tuple(
            GroupStatus(
                group.name,
                group.progress_status if group.reported else None,
                group.percent if group.reported else None,
            )
            for group in bulletin.groups
        ),
        trend=tuple(
            TrendPoint(
                text.week_label(week.period_key, locale), week.on_time_rate, week.open_problems
            )
            for week in bulletin.trend
        ),
        locale=locale,
    )
