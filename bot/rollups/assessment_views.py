"""The assessment and the year's ranking as chat text, Markdown, an official document and
a workbook. Every view shows each component with its raw numbers, so that a group can
see why it got its score; the rules are printed with the table.
"""

from __future__ import annotations

from datetime import date

from bot.i18n import translate
from bot.parsing import format_number
from bot.periods import format_day
from bot.replies import escape, say
from bot.reports.layout import Block, Heading, OfficialDocument, Paragraph, Sheet, Table
from bot.rollups.assessment import Assessment, YearRanking
from bot.rollups.months import parse_window
from bot.rollups.scoring import ComponentScore, GroupScore, YearScore


def one(value: float | None) -> str:
    """Scores with one decimal, as they are ranked."""
    return "—" if value is None else f"{value:.1f}"


def signed(value: float) -> str:
    return f"{value:+.1f}" if value else "0"


def window_name(window_key: str, locale: str) -> str:
    """2026年上半年 / first half of 2026 / 2026年2月至5月."""
    window = parse_window(window_key)
    year = window.first.year
    if window.key.endswith("-H1"):
        return translate(locale, "rollups.window.h1", year=year)
    if window.key.endswith("-H2"):
        return translate(locale, "rollups.window.h2", year=year)
    if window.is_year:
        return translate(locale, "rollups.window.year", year=year)
    return translate(
        locale, "rollups.window.range", first=month_name(window.first.key, locale),
        last=month_name(window.last.key, locale),
    )  # fmt: skip


def month_name(month_key: str, locale: str) -> str:
    year, month = month_key.split("-")
    return translate(
        locale,
        "rollups.month.name",
        year=int(year),
        month=translate(locale, f"periods.month.{int(month)}"),
    )


def grade_name(grade: str | None, locale: str) -> str:
    return translate(locale, f"rollups.grade.{grade}") if grade else "—"


def component_name(key: str, locale: str) -> str:
    return translate(locale, f"rollups.component.{key}")


def raw_numbers(
    component: ComponentScore, locale: str, *, details: bool = True, named: bool = True
) -> str:
    """The numbers behind the points, e.g. 按时报送 24/26周（迟报1周，未报1周）.

    ``named=False`` leaves the component's name out, for a table whose column names it.
    """
    name = component_name(component.key, locale) if named else ""
    if not component.total:
        return translate(locale, "rollups.raw.no_data", name=name).strip(" :")
    text = translate(
        locale, f"rollups.raw.{component.key}", name=name,
        achieved=format_number(component.achieved), total=format_number(component.total),
    ).strip()  # fmt: skip
    if (
        details
        and component.details
        and any(component.details.get(k) for k in _DETAIL_KEYS[component.key])
    ):
        text += translate(locale, f"rollups.raw.{component.key}.details", **component.details)
    return text


_DETAIL_KEYS = {
    "on_time": ("late", "missing", "exempt"),
    "decisions": ("closed_late", "open"),
    "problems": (),
    "indicators": (),
}


def points_text(component: ComponentScore, locale: str) -> str:
    if component.points is None:
        return translate(locale, "rollups.points.none")
    return translate(
        locale,
        "rollups.points",
        points=one(component.points),
        weight=one(component.effective_weight),
    )


def assessment_title(assessment: Assessment, locale: str) -> str:
    return translate(
        locale, "rollups.assess.title", window=window_name(assessment.window_key, locale)
    )


def _score_line(score: GroupScore, locale: str) -> str:
    if score.final is None:
        return say(locale, "rollups.assess.row_none", group=score.name)
    key = "rollups.assess.row_tied" if score.tied else "rollups.assess.row"
    line = say(
        locale, key, rank=score.rank, group=score.name, final=one(score.final),
        grade=grade_name(score.grade, locale),
    )  # fmt: skip
    if score.adjustment:
        line += say(
            locale, "rollups.assess.row_adjusted", computed=one(score.computed),
            adjustment=signed(score.adjustment),
        )  # fmt: skip
    return line


def _components_line(score: GroupScore, locale: str) -> str:
    parts = [
        f"{escape(raw_numbers(c, locale, details=False))} {escape(points_text(c, locale))}"
        for c in score.components
    ]
    return "    " + " · ".join(parts)


def rules_text(assessment: Assessment, locale: str) -> str:
    """The rubric in one sentence: weights, then how exemptions, joiners and gaps count."""
    weights = translate(locale, "list.separator").join(
        translate(
            locale, "rollups.rules.weight", name=component_name(k, locale), weight=format_number(w)
        )
        for k, w in assessment.rubric["weights"].items()
    )
    thresholds = assessment.rubric["thresholds"]
    return translate(
        locale, "rollups.rules.text", weights=weights,
        excellent=format_number(thresholds["excellent"]), good=format_number(thresholds["good"]),
        fair=format_number(thresholds["fair"]),
        limit=format_number(assessment.rubric["adjustment_limit"]),
    )  # fmt: skip


def assessment_html(assessment: Assessment, locale: str) -> str:
    lines = [f"<b>{escape(assessment_title(assessment, locale))}</b>"]
    lines.append(
        say(locale, "rollups.assess.as_of", date=assessment.computed_on, weeks=assessment.weeks_due)
    )
    if assessment.published_at:
        lines.append(say(locale, "rollups.assess.published", at=assessment.published_at[:10]))
    lines.append("")
    for score in assessment.scores:
        lines.append(_score_line(score, locale))
        if score.final is not None:
            lines.append(_components_line(score, locale))
    if assessment.adjustments:
        lines += ["", say(locale, "rollups.assess.adjustments")]
        lines += [
            say(
                locale,
                "rollups.assess.adjustment",
                group=a.group_name,
                points=signed(a.points),
                reason=a.reason,
            )
            for a in assessment.adjustments
        ]
    lines += ["", escape(rules_text(assessment, locale))]
    return "\n".join(lines)


def cols(locale: str, *names: str) -> tuple[str, ...]:
    """Column headers from the catalog (``rollups.col.<name>``)."""
    return tuple(translate(locale, f"rollups.col.{name}") for name in names)


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def assessment_markdown(assessment: Assessment, locale: str) -> str:
    t = lambda key, **p: translate(locale, key, **p)  # noqa: E731
    names = [component_name(c, locale) for c in assessment.rubric["weights"]]
    header = [*cols(locale, "rank", "group"), *names,
              *cols(locale, "computed", "adjustment", "final", "grade")]  # fmt: skip
    lines = [f"# {assessment_title(assessment, locale)}", ""]
    lines.append(t("rollups.assess.as_of", date=assessment.computed_on, weeks=assessment.weeks_due))
    lines += ["", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for s in assessment.scores:
        cells = [_rank_cell(s.rank, s.tied, locale), s.name]
        cells += [
            f"{raw_numbers(c, locale, named=False)} {points_text(c, locale)}" for c in s.components
        ]
        cells += [one(s.computed), signed(s.adjustment), one(s.final), grade_name(s.grade, locale)]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    if assessment.adjustments:
        lines += ["", f"## {t('rollups.doc.adjustments')}", ""]
        lines += [
            f"- {a.group_name}：{signed(a.points)}（{a.reason}）" for a in assessment.adjustments
        ]
    lines += ["", f"## {t('rollups.doc.rules')}", "", rules_text(assessment, locale), ""]
    return "\n".join(lines)


def _rank_cell(rank: int | None, tied: bool, locale: str) -> str:
    if rank is None:
        return "—"
    return translate(locale, "rollups.rank_tied", rank=rank) if tied else str(rank)


def _score_table(assessment: Assessment, locale: str) -> Table:
    header = cols(locale, "rank", "group", "computed", "adjustment", "final", "grade")
    rows = tuple(
        (_rank_cell(s.rank, s.tied, locale), s.name, one(s.computed), signed(s.adjustment),
         one(s.final), grade_name(s.grade, locale))
        for s in assessment.scores
    )  # fmt: skip
    return Table(header, rows, widths=(1, 4, 1.4, 1.4, 1.4, 1.2))


def _detail_table(assessment: Assessment, locale: str) -> Table:
    names = tuple(
        translate(
            locale, "rollups.col.component", name=component_name(k, locale), weight=format_number(w)
        )
        for k, w in assessment.rubric["weights"].items()
    )
    rows = tuple(
        (
            s.name,
            *(
                f"{raw_numbers(c, locale, named=False)}\n{points_text(c, locale)}"
                for c in s.components
            ),
        )
        for s in assessment.scores
    )
    return Table((translate(locale, "rollups.col.group"), *names), rows)


def assessment_document(
    assessment: Assessment, issuer: str, issued_on: date, locale: str
) -> OfficialDocument:
    t = lambda key, **p: translate(locale, key, **p)  # noqa: E731
    blocks: list[Block] = [
        Heading(t("rollups.doc.h_rules")),
        Paragraph(rules_text(assessment, locale)),
        Heading(t("rollups.doc.h_ranking")),
        Paragraph(
            t("rollups.assess.as_of", date=assessment.computed_on, weeks=assessment.weeks_due)
        ),
        _score_table(assessment, locale),
        Heading(t("rollups.doc.h_details")),
        _detail_table(assessment, locale),
        Heading(t("rollups.doc.h_adjustments")),
    ]
    if assessment.adjustments:
        blocks.append(
            Table(
                cols(locale, "group", "adjustment", "reason"),
                tuple((a.group_name, signed(a.points), a.reason) for a in assessment.adjustments),
                widths=(3, 1.2, 6),
            )
        )
    else:
        blocks.append(Paragraph(t("rollups.doc.no_adjustments")))
    return OfficialDocument(
        title=assessment_title(assessment, locale), blocks=tuple(blocks), issuer=issuer,
        issued_on=issued_on,
        number_line="" if assessment.published_at else t("rollups.doc.preview"),
        subtitle=t("rollups.doc.subtitle", first=month_name(assessment.first_month, locale),
                   last=month_name(assessment.last_month, locale)),
    )  # fmt: skip


def assessment_sheets(assessment: Assessment, locale: str) -> list[Sheet]:
    t = lambda key, **p: translate(locale, key, **p)  # noqa: E731
    ranking = Sheet(
        t("rollups.sheet.ranking"),
        cols(locale, "rank", "tied", "code", "group", "weeks", "computed", "adjustment", "final",
             "grade"),
        tuple(
            (s.rank, t("rollups.yes") if s.tied else "", s.code, s.name, s.weeks_assessed,
             _round(s.computed), s.adjustment, _round(s.final), grade_name(s.grade, locale))
            for s in assessment.scores
        ),
    )  # fmt: skip
    details = Sheet(
        t("rollups.sheet.details"),
        cols(locale, "group", "component_name", "weight", "effective_weight", "achieved", "total",
             "raw", "points"),
        tuple(
            (s.name, component_name(c.key, locale), c.weight, _round(c.effective_weight),
             c.achieved, c.total, raw_numbers(c, locale), _round(c.points))
            for s in assessment.scores
            for c in s.components
        ),
    )  # fmt: skip
    adjustments = Sheet(
        t("rollups.sheet.adjustments"),
        cols(locale, "group", "adjustment", "reason"),
        tuple((a.group_name, a.points, a.reason) for a in assessment.adjustments),
    )
    rules = Sheet(
        t("rollups.sheet.rules"), (t("rollups.doc.rules"),), ((rules_text(assessment, locale),),)
    )
    return [ranking, details, adjustments, rules]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the year ---------------------------------------------------------------------------


def year_title(ranking: YearRanking, locale: str) -> str:
    return translate(locale, "rollups.year.title", year=ranking.year)


def _year_mode_text(ranking: YearRanking, locale: str) -> str:
    return translate(locale, f"rollups.year.mode.{ranking.mode}")


def _year_row(row: YearScore, locale: str) -> tuple[str, ...]:
    return (
        _rank_cell(row.rank, row.tied, locale), row.name, one(row.halves[0]), one(row.halves[1]),
        one(row.final), grade_name(row.grade, locale),
    )  # fmt: skip


def _year_header(locale: str) -> tuple[str, ...]:
    return cols(locale, "rank", "group", "h1", "h2", "final", "grade")


def year_html(ranking: YearRanking, locale: str) -> str:
    lines = [
        f"<b>{escape(year_title(ranking, locale))}</b>",
        escape(_year_mode_text(ranking, locale)),
        "",
    ]
    for row in ranking.rows:
        if row.final is None:
            lines.append(say(locale, "rollups.assess.row_none", group=row.name))
            continue
        key = "rollups.assess.row_tied" if row.tied else "rollups.assess.row"
        lines.append(
            say(
                locale,
                key,
                rank=row.rank,
                group=row.name,
                final=one(row.final),
                grade=grade_name(row.grade, locale),
            )
        )
    names = translate(locale, "list.separator").join(r.name for r in ranking.shortlist)
    lines += [
        "",
        say(locale, "rollups.year.shortlist", count=len(ranking.shortlist), groups=names or "—"),
    ]
    return "\n".join(lines)


def year_markdown(ranking: YearRanking, locale: str) -> str:
    header = _year_header(locale)
    lines = [f"# {year_title(ranking, locale)}", "", _year_mode_text(ranking, locale), ""]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_md(c) for c in _year_row(r, locale)) + " |" for r in ranking.rows]
    names = translate(locale, "list.separator").join(r.name for r in ranking.shortlist)
    lines += [
        "",
        translate(
            locale, "rollups.year.shortlist", count=len(ranking.shortlist), groups=names or "—"
        ),
        "",
    ]
    if ranking.whole is not None:
        lines += [assessment_markdown(ranking.whole, locale)]
    return "\n".join(lines)


def year_document(
    ranking: YearRanking, issuer: str, issued_on: date, locale: str
) -> OfficialDocument:
    t = lambda key, **p: translate(locale, key, **p)  # noqa: E731
    names = t("list.separator").join(r.name for r in ranking.shortlist)
    blocks: list[Block] = [
        Heading(t("rollups.doc.h_year_rule")),
        Paragraph(_year_mode_text(ranking, locale)),
        Heading(t("rollups.doc.h_year_ranking")),
        Table(
            _year_header(locale),
            tuple(_year_row(r, locale) for r in ranking.rows),
            widths=(1, 4, 1.3, 1.3, 1.3, 1.2),
        ),
        Heading(t("rollups.doc.h_shortlist")),
        Paragraph(t("rollups.year.shortlist", count=len(ranking.shortlist), groups=names or "—")),
    ]
    if ranking.whole is not None:
        blocks += [Heading(t("rollups.doc.h_details")), _detail_table(ranking.whole, locale)]
    return OfficialDocument(
        title=year_title(ranking, locale), blocks=tuple(blocks), issuer=issuer, issued_on=issued_on,
        number_line=t("rollups.doc.preview"),
    )  # fmt: skip


def year_sheets(ranking: YearRanking, locale: str) -> list[Sheet]:
    t = lambda key: translate(locale, key)  # noqa: E731
    sheet = Sheet(
        t("rollups.sheet.year"),
        (*_year_header(locale), t("rollups.col.shortlisted")),
        tuple(
            (r.rank, r.name, _round(r.halves[0]), _round(r.halves[1]), _round(r.final),
             grade_name(r.grade, locale), t("rollups.yes") if r in ranking.shortlist else "")
            for r in ranking.rows
        ),
    )  # fmt: skip
    sheets = [sheet]
    if ranking.whole is not None:
        sheets += assessment_sheets(ranking.whole, locale)
    return sheets


def issued_text(day: date, locale: str) -> str:
    return format_day(day, locale, with_year=True)
