"""The monthly summary as chat text, Markdown, an official document and a workbook."""

from __future__ import annotations

from bot.i18n import translate
from bot.parsing import format_number
from bot.periods import format_day
from bot.replies import escape, say
from bot.reports.layout import Block, Heading, OfficialDocument, Paragraph, Sheet, Table
from bot.rollups.assessment_views import cols, month_name
from bot.rollups.monthly import GroupMonth, IndicatorMonth, MonthlySummary

CHINESE_NUMERALS = "一二三四五六七八九十"


def percent(part: int | float, whole: int | float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def title(summary: MonthlySummary, locale: str) -> str:
    return translate(locale, "rollups.monthly.title", month=month_name(summary.month.key, locale))


def weeks_text(summary: MonthlySummary, locale: str) -> str:
    first, last = summary.weeks[0], summary.weeks[-1]
    return translate(
        locale, "rollups.monthly.weeks", first=first.week, last=last.week,
        start=format_day(first.start, locale), end=format_day(last.end, locale),
    )  # fmt: skip


def overall_text(summary: MonthlySummary, locale: str) -> str:
    return translate(
        locale, "rollups.monthly.overall", due=summary.due, reported=summary.reported,
        rate=percent(summary.reported, summary.due), on_time=summary.on_time,
        on_time_rate=percent(summary.on_time, summary.due),
    )  # fmt: skip


def ledger_text(summary: MonthlySummary, locale: str) -> str:
    overdue = sum(1 for d in summary.open_decisions if d.overdue)
    escalated = sum(1 for p in summary.open_problems if p.escalated)
    return translate(
        locale, "rollups.monthly.ledgers", opened=summary.problems_opened,
        resolved=summary.problems_resolved, open=len(summary.open_problems), escalated=escalated,
        made=summary.decisions_made, closed=summary.decisions_closed,
        still_open=len(summary.open_decisions), overdue=overdue,
    )  # fmt: skip


def week_cell(status: str, progress: str | None, locale: str) -> str:
    """What one group's week shows: its progress status if it reported, else why not."""
    if status in ("on_time", "late") and progress:
        text = translate(locale, f"status.{progress}")
        return text + (translate(locale, "rollups.monthly.late_mark") if status == "late" else "")
    return translate(locale, f"rollups.monthly.week.{status}")


def _reporting_row(group: GroupMonth) -> tuple[str, ...]:
    return (
        group.name, str(group.due), str(group.count("on_time")), str(group.count("late")),
        str(group.count("missing")), str(group.count("exempt")), percent(group.reported, group.due),
    )  # fmt: skip


def _indicator_cells(row: IndicatorMonth, summary: MonthlySummary, locale: str) -> tuple[str, ...]:
    def number(value: float | None) -> str:
        if value is None:
            return "—"
        return format_number(round(value, 1)) + (row.unit if row.is_rate else "")

    share = row.year_share
    return (
        row.group_name, f"{row.name}（{row.unit}）" if row.unit and not row.is_rate else row.name,
        number(row.month_value), number(row.year_value),
        number(row.target),
        "—" if share is None else f"{100 * share:.1f}%",
    )  # fmt: skip


def _practice_lines(summary: MonthlySummary, locale: str) -> list[tuple[str, str]]:
    """(title, body) of each good practice: the group, its week, the passage or report."""
    lines = []
    for practice in summary.practices:
        week = int(practice.period_key.split("W")[1])
        body = translate(
            locale, "rollups.monthly.practice_body", group=practice.group_name, week=week,
            text=practice.passage or practice.done_text,
        )  # fmt: skip
        lines.append((practice.title, body))
    return lines


def monthly_html(summary: MonthlySummary, locale: str) -> str:
    lines = [f"<b>{escape(title(summary, locale))}</b>", escape(weeks_text(summary, locale)), ""]
    lines.append(say(locale, "rollups.monthly.h_reporting"))
    lines.append(escape(overall_text(summary, locale)))
    for group in summary.groups:
        if group.count("late") or group.count("missing"):
            lines.append(
                say(
                    locale,
                    "rollups.monthly.group_gaps",
                    group=group.name,
                    late=group.count("late"),
                    missing=group.count("missing"),
                )
            )
    lines += ["", say(locale, "rollups.monthly.h_progress")]
    blocked = [g.name for g in summary.groups if "blocked" in g.progress or "delayed" in g.progress]
    separator = translate(locale, "list.separator")
    lines.append(say(locale, "rollups.monthly.delayed", groups=separator.join(blocked) or "—"))
    lines += ["", say(locale, "rollups.monthly.h_ledgers"), escape(ledger_text(summary, locale))]
    for problem in [p for p in summary.open_problems if p.escalated][:10]:
        lines.append(
            say(locale, "rollups.monthly.open_problem", group=problem.group_name, text=problem.text,
                weeks=problem.age_weeks)
        )  # fmt: skip
    lines += ["", say(locale, "rollups.monthly.h_practices")]
    practices = _practice_lines(summary, locale)
    if not practices:
        lines.append(say(locale, "rollups.monthly.no_practices"))
    for number, (practice_title, body) in enumerate(practices, start=1):
        lines.append(
            say(locale, "rollups.monthly.practice", number=number, title=practice_title, body=body)
        )
    return "\n".join(lines)


def caption(summary: MonthlySummary, locale: str) -> str:
    """The short text under the chart: the month, its weeks, the reporting rate."""
    return "\n".join(
        [f"<b>{escape(title(summary, locale))}</b>", escape(weeks_text(summary, locale)),
         escape(overall_text(summary, locale))]
    )  # fmt: skip


def _md_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]


def _tables(
    summary: MonthlySummary, locale: str
) -> dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    t = translate
    week_names = tuple(t(locale, "rollups.col.week", week=w.week) for w in summary.weeks)
    return {
        "reporting": (
            cols(locale, "group", "due", "on_time", "late", "missing", "exempt", "rate"),
            [_reporting_row(g) for g in summary.groups],
        ),
        "progress": (
            (t(locale, "rollups.col.group"), *week_names, t(locale, "rollups.col.percent")),
            [
                (
                    g.name,
                    *(week_cell(s, p, locale) for s, p in zip(g.statuses, g.progress, strict=True)),
                    "—" if g.percent is None else f"{g.percent}%",
                )
                for g in summary.groups
            ],
        ),
        "indicators": (
            cols(locale, "group", "indicator", "month_total", "year_total", "target", "year_share"),
            [_indicator_cells(i, summary, locale) for i in summary.indicators],
        ),
        "problems": (
            cols(locale, "group", "problem", "age"),
            [
                (p.group_name, p.text, t(locale, "rollups.monthly.age", weeks=p.age_weeks))
                for p in summary.open_problems
            ],
        ),
        "decisions": (
            cols(locale, "group", "decision", "due_on", "overdue"),
            [
                (
                    d.group_name,
                    d.text,
                    d.due_on.isoformat() if d.due_on else "—",
                    t(locale, "rollups.yes") if d.overdue else "",
                )
                for d in summary.open_decisions
            ],
        ),
    }


def monthly_markdown(summary: MonthlySummary, locale: str) -> str:
    tables = _tables(summary, locale)
    lines = [f"# {title(summary, locale)}", "", weeks_text(summary, locale), ""]
    sections = [
        ("rollups.monthly.doc.reporting", "reporting", overall_text(summary, locale)),
        ("rollups.monthly.doc.progress", "progress", ""),
        ("rollups.monthly.doc.indicators", "indicators", _time_share_text(summary, locale)),
        ("rollups.monthly.doc.problems", "problems", ledger_text(summary, locale)),
        ("rollups.monthly.doc.decisions", "decisions", ""),
    ]
    for key, table, lead in sections:
        lines += [f"## {translate(locale, key)}", ""]
        if lead:
            lines += [lead, ""]
        lines += [*_md_table(*tables[table]), ""]
    lines += [f"## {translate(locale, 'rollups.monthly.doc.practices')}", ""]
    practices = _practice_lines(summary, locale)
    lines += [f"{n}. **{t}**：{b}" for n, (t, b) in enumerate(practices, start=1)] or [
        translate(locale, "rollups.monthly.no_practices")
    ]
    return "\n".join(lines) + "\n"


def _time_share_text(summary: MonthlySummary, locale: str) -> str:
    return translate(locale, "rollups.monthly.time_share", share=f"{100 * summary.time_share:.1f}%")


def monthly_document(summary: MonthlySummary, issuer: str, locale: str) -> OfficialDocument:
    tables = _tables(summary, locale)
    t = translate
    blocks: list[Block] = [
        Heading(t(locale, "rollups.monthly.doc.h1")),
        Paragraph(overall_text(summary, locale)),
        Table(*_as_table(tables["reporting"]), widths=(4, 1, 1, 1, 1, 1, 1.4)),
        Heading(t(locale, "rollups.monthly.doc.h2")),
        Table(*_as_table(tables["progress"])),
        Heading(t(locale, "rollups.monthly.doc.h3")),
        Paragraph(_time_share_text(summary, locale)),
        Table(*_as_table(tables["indicators"]), widths=(3, 3, 1.5, 1.5, 1.5, 1.3)),
        Heading(t(locale, "rollups.monthly.doc.h4")),
        Paragraph(ledger_text(summary, locale)),
    ]
    if summary.open_problems:
        blocks.append(Table(*_as_table(tables["problems"]), widths=(3, 7, 1.6)))
    if summary.open_decisions:
        blocks.append(Table(*_as_table(tables["decisions"]), widths=(3, 6, 2, 1)))
    blocks.append(Heading(t(locale, "rollups.monthly.doc.h5")))
    practices = _practice_lines(summary, locale)
    if not practices:
        blocks.append(Paragraph(t(locale, "rollups.monthly.no_practices")))
    for number, (practice_title, body) in enumerate(practices, start=1):
        blocks.append(Heading(f"（{_numeral(number)}）{practice_title}", level=2))
        blocks.append(Paragraph(body))
    return OfficialDocument(
        title=title(summary, locale), blocks=tuple(blocks), issuer=issuer,
        issued_on=summary.issued_on, subtitle=weeks_text(summary, locale),
    )  # fmt: skip


def _numeral(number: int) -> str:
    if number <= 10:
        return CHINESE_NUMERALS[number - 1]
    if number < 20:
        return "十" + CHINESE_NUMERALS[number - 11]
    return str(number)


def _as_table(
    table: tuple[tuple[str, ...], list[tuple[str, ...]]],
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    header, rows = table
    return header, tuple(rows)


def monthly_sheets(summary: MonthlySummary, locale: str) -> list[Sheet]:
    t = translate
    reporting = Sheet(
        t(locale, "rollups.sheet.reporting"),
        cols(locale, "group", "due", "on_time", "late", "missing", "exempt", "rate"),
        tuple(
            (g.name, g.due, g.count("on_time"), g.count("late"), g.count("missing"),
             g.count("exempt"), round(g.reported / g.due, 4) if g.due else None)
            for g in summary.groups
        ),
    )  # fmt: skip
    header, rows = _tables(summary, locale)["progress"]
    progress = Sheet(t(locale, "rollups.sheet.progress"), header, tuple(rows))
    indicators = Sheet(
        t(locale, "rollups.sheet.indicators"),
        cols(locale, "group", "indicator", "unit", "month_total", "year_total", "target",
             "year_share"),
        tuple(
            (i.group_name, i.name, i.unit, i.month_value, i.year_value, i.target,
             round(i.year_share, 4) if i.year_share is not None else None)
            for i in summary.indicators
        ),
    )  # fmt: skip
    problems = Sheet(
        t(locale, "rollups.sheet.problems"),
        cols(locale, "group", "problem", "opened", "age_weeks"),
        tuple(
            (p.group_name, p.text, p.opened_period_key, p.age_weeks) for p in summary.open_problems
        ),
    )
    decisions = Sheet(
        t(locale, "rollups.sheet.decisions"),
        cols(locale, "group", "decision", "due_on", "overdue"),
        tuple(
            (d.group_name, d.text, d.due_on, t(locale, "rollups.yes") if d.overdue else "")
            for d in summary.open_decisions
        ),
    )
    practices = Sheet(
        t(locale, "rollups.sheet.practices"),
        cols(locale, "title", "group", "week", "passage"),
        tuple(
            (p.title, p.group_name, p.period_key, p.passage or p.done_text)
            for p in summary.practices
        ),
    )
    return [reporting, progress, indicators, problems, decisions, practices]
