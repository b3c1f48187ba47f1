"""The agenda, the bulletin and the week's status as text: chat HTML, Markdown, or plain.

One set of functions for all three, told apart by a :class:`Markup`: the chat gets HTML
(every name and every typed text escaped; the one sender splits long messages at lines),
``lihui report --format md`` gets Markdown, and the Word and Excel layouts get plain text
from the same catalog entries (``bot/locales/*/reports.po``). The wording therefore
cannot drift between the chat, the command line and the documents.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.i18n import translate
from bot.periods import format_day, label, parse_period
from bot.replies import Html, visible_length
from bot.reports.agenda import Agenda
from bot.reports.bulletin import Bulletin
from bot.reports.data import DecisionLine, GroupWeek, IndicatorLine, PeriodData, ProblemLine

T = TypeVar("T")
BRIEF = 80  # characters of a group's work shown in the agenda's chat text
PROGRESS_ICONS = {"on_track": "🟢 ", "delayed": "🟡 ", "blocked": "🔴 ", None: "⚪ "}
ABSENT_ICONS = {"missing": "⏳ ", "exempt": "🔕 ", "late": "⚠️ "}


def _escape_markdown(value: object) -> str:
    if isinstance(value, Html):
        return value
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(value))


def _plain(value: object) -> str:
    return str(value)


@dataclass(frozen=True)
class Markup:
    """How a format escapes what people typed, sets a heading and joins lines."""

    escape: Callable[[object], str]
    title: Callable[[str], str]
    heading: Callable[[str], str]
    separator: str
    icons: bool = True  # emoji marks for the chat; none in an official document

    def icon(self, mark: str) -> str:
        return mark if self.icons else ""


# Chat: a blank line before each section heading, as people space a long message.
HTML = Markup(
    lambda value: value if isinstance(value, Html) else html.escape(str(value), quote=False),
    lambda text: f"<b>{text}</b>",
    lambda text: f"\n<b>{text}</b>",
    "\n",
)
# Markdown: every line its own paragraph, so a renderer never merges two lines into one.
MARKDOWN = Markup(_escape_markdown, lambda text: f"# {text}", lambda text: f"## {text}", "\n\n")
PLAIN = Markup(_plain, _plain, _plain, "\n", icons=False)


def say(markup: Markup, locale: str, key: str, /, **params: object) -> Html:
    """A catalog entry with its parameters escaped for ``markup``; safe to nest."""
    return Html(translate(locale, key, **{k: markup.escape(v) for k, v in params.items()}))


def names(locale: str, items: Iterable[str]) -> str:
    return translate(locale, "list.separator").join(items)


def brief(text: str, limit: int = BRIEF) -> str:
    """The first ``limit`` characters of one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def number(value: float) -> str:
    """1,200 or 12.5: whole numbers without decimals, others with one."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def rate(value: float) -> str:
    return f"{value * 100:.1f}%"


def period_label(period_key: str, locale: str) -> str:
    return label(parse_period(period_key), locale)


def week_label(period_key: str, locale: str) -> str:
    """第41周 / Wk 41: the short form the trend axis shows."""
    return translate(locale, "reports.trend.week", week=parse_period(period_key).week)


def number_line(locale: str, year: int | None, issue: int | None) -> str:
    """ "2026年第12期" for a published bulletin, "预览" for a preview (no number)."""
    if year is None or issue is None:
        return translate(locale, "reports.bulletin.preview")
    return translate(locale, "reports.bulletin.number", year=year, number=issue)


def progress_label(locale: str, status: str | None) -> str:
    if status is None:
        return translate(locale, "reports.progress.none")
    return translate(locale, f"status.{status}")


def _due(locale: str, due_on: date | None) -> str:
    if due_on is None:
        return translate(locale, "reports.decision.no_due")
    return translate(locale, "reports.decision.due", due=format_day(due_on, locale))


def _lines(markup: Markup, lines: Iterable[str]) -> str:
    return markup.separator.join(line for line in lines if line is not None)


# --- the agenda ---------------------------------------------------------------------------


def agenda_text(agenda: Agenda, locale: str, markup: Markup = HTML) -> str:
    return _lines(markup, agenda_lines(agenda, locale, markup, chat=True))


def agenda_lines(agenda: Agenda, locale: str, markup: Markup, *, chat: bool) -> list[str]:
    """The agenda line by line; ``chat`` shortens each group's work to one brief line."""
    m, loc = markup, locale
    lines = [
        m.title(say(m, loc, "reports.agenda.title")),
        say(
            m,
            loc,
            "reports.agenda.subtitle",
            period=period_label(agenda.period_key, loc),
            meeting=format_day(agenda.meeting_on, loc),
        ),
        *agenda_absent(agenda, loc, m),
        m.heading(say(m, loc, "reports.agenda.section.decisions")),
        *_or_none(m, loc, agenda_decisions(agenda, loc, m)),
        m.heading(say(m, loc, "reports.agenda.section.progress")),
        *_or_none(m, loc, [_progress(m, loc, i, g, chat) for i, g in _numbered(agenda.progress)]),
        m.heading(say(m, loc, "reports.agenda.section.problems")),
        *_or_none(m, loc, agenda_problems(agenda, loc, m)),
        m.heading(say(m, loc, "reports.agenda.section.plans")),
        *_or_none(
            m,
            loc,
            [
                say(m, loc, "reports.agenda.plan", n=i, group=p.group_name, plan=p.plan)
                for i, p in _numbered(agenda.plans)
            ],
        ),
    ]
    return lines


def agenda_absent(agenda: Agenda, locale: str, markup: Markup) -> list[str]:
    """Who the meeting will not hear from, named before anything else."""
    lines = absent_lines(agenda.progress, locale, markup)
    if not agenda.not_reported and not agenda.exempt:
        lines.append(say(markup, locale, "reports.agenda.all_reported"))
    return lines


def absent_lines(groups: Iterable[GroupWeek], locale: str, markup: Markup) -> list[str]:
    """未报送 / 免报 (with the reasons) / 迟报, each a line naming the groups."""
    groups = list(groups)
    lines = []
    for kind in ("missing", "exempt", "late"):
        found = [
            translate(locale, "reports.exempt_with_reason", group=g.name, reason=g.exempt_reason)
            if kind == "exempt"
            else g.name
            for g in groups
            if g.reporting == kind
        ]
        if found:
            line = say(markup, locale, f"reports.names.{kind}", groups=names(locale, found))
            lines.append(markup.icon(ABSENT_ICONS[kind]) + line)
    return lines


def agenda_decisions(agenda: Agenda, locale: str, markup: Markup) -> list[str]:
    lines = []
    for index, decision in _numbered(agenda.decisions):
        lines.append(decision_line(markup, locale, index, decision))
        if decision.note:
            lines.append(say(markup, locale, "reports.agenda.note", note=decision.note))
    return lines


def decision_line(markup: Markup, locale: str, index: int, decision: DecisionLine) -> str:
    status = translate(locale, f"reports.ledger.{decision.status}")
    if decision.overdue:
        status = translate(locale, "reports.decision.overdue", status=status)
    text = say(
        markup,
        locale,
        "reports.decision.line",
        n=index,
        group=decision.group_name,
        text=decision.text,
        due=_due(locale, decision.due_on),
        status=status,
    )
    return Html(text + markup.icon(" ⚠️")) if decision.overdue else text


def _progress(markup: Markup, locale: str, index: int, group: GroupWeek, chat: bool) -> str:
    m = markup
    if group.reporting == "missing":
        return say(m, locale, "reports.agenda.progress_missing", n=index, group=group.name)
    if group.reporting == "exempt":
        return say(
            m,
            locale,
            "reports.agenda.progress_exempt",
            n=index,
            group=group.name,
            reason=group.exempt_reason,
        )
    return say(
        m,
        locale,
        "reports.agenda.progress",
        n=index,
        group=group.name,
        status=progress_status(locale, group),
        done=brief(group.done_text) if chat else group.done_text,
    )


def progress_status(locale: str, group: GroupWeek) -> str:
    """正常推进 / 正常推进，完成60%."""
    status = progress_label(locale, group.progress_status if group.reported else None)
    if group.percent is None:
        return status
    return translate(locale, "reports.progress.with_percent", status=status, percent=group.percent)


def agenda_problems(agenda: Agenda, locale: str, markup: Markup) -> list[str]:
    lines: list[str] = []
    for index, group in _numbered(agenda.problems):
        lines.append(
            say(
                markup,
                locale,
                "reports.agenda.problem_group",
                n=chinese_ordinal(index, locale),
                group=group.group_name,
            )
        )
        for item, problem in _numbered(group.problems):
            lines.append(problem_line(markup, locale, item, problem, with_group=False))
    return lines


def problem_line(
    markup: Markup, locale: str, index: int, problem: ProblemLine, *, with_group: bool
) -> str:
    key = "reports.problem.line_group" if with_group else "reports.problem.line"
    age = translate(locale, "reports.problem.age", weeks=problem.age_weeks)
    if problem.escalated:
        age = translate(locale, "reports.problem.escalated", age=age)
    text = say(markup, locale, key, n=index, group=problem.group_name, text=problem.text, age=age)
    if problem.escalated:
        text = Html(text + markup.icon(" ‼️"))
    if problem.note:
        text = Html(text + say(markup, locale, "reports.problem.note", note=problem.note))
    return text


# --- the bulletin -------------------------------------------------------------------------


def bulletin_text(bulletin: Bulletin, locale: str, number: str, markup: Markup = HTML) -> str:
    return _lines(markup, bulletin_lines(bulletin, locale, number, markup))


def bulletin_lines(bulletin: Bulletin, locale: str, number: str, markup: Markup) -> list[str]:
    m, loc = markup, locale
    return [
        m.title(say(m, loc, "reports.bulletin.heading", number=number)),
        say(m, loc, "reports.bulletin.subtitle", period=period_label(bulletin.period_key, loc)),
        m.heading(say(m, loc, "reports.bulletin.section.reporting")),
        *bulletin_reporting(bulletin, loc, m),
        m.heading(say(m, loc, "reports.bulletin.section.progress")),
        *bulletin_progress(bulletin, loc, m),
        m.heading(say(m, loc, "reports.bulletin.section.indicators")),
        *_or_none(m, loc, [indicator_line(m, loc, line) for line in bulletin.indicators]),
        m.heading(say(m, loc, "reports.bulletin.section.problems")),
        *bulletin_problems(bulletin, loc, m),
        m.heading(say(m, loc, "reports.bulletin.section.decisions")),
        *bulletin_decisions(bulletin, loc, m),
    ]


def reporting_summary(bulletin: Bulletin, locale: str, markup: Markup) -> str:
    counts = bulletin.counts
    return say(
        markup,
        locale,
        "reports.bulletin.reporting",
        expected=counts.expected,
        on_time=counts.on_time,
        late=counts.late,
        missing=counts.missing,
        exempt=counts.exempt,
        rate=rate(counts.on_time_rate),
    )


def bulletin_reporting(bulletin: Bulletin, locale: str, markup: Markup) -> list[str]:
    return [
        reporting_summary(bulletin, locale, markup),
        *absent_lines(bulletin.groups, locale, markup),
    ]


def bulletin_progress(bulletin: Bulletin, locale: str, markup: Markup) -> list[str]:
    counts = bulletin.progress_counts
    summary = say(
        markup,
        locale,
        "reports.bulletin.progress",
        on_track=counts["on_track"],
        delayed=counts["delayed"],
        blocked=counts["blocked"],
        none=counts[None],
        **{
            f"{key or 'none'}_icon": markup.icon(PROGRESS_ICONS[key])
            for key in ("on_track", "delayed", "blocked", None)
        },
    )
    lines = [summary]
    for group in bulletin.groups:
        status = group.progress_status if group.reported else None
        percent = "" if group.percent is None or not group.reported else f" {group.percent}%"
        lines.append(
            say(
                markup,
                locale,
                "reports.bulletin.group",
                icon=markup.icon(PROGRESS_ICONS.get(status, "⚪ ")),
                group=group.name,
                status=progress_label(locale, status),
                percent=percent,
            )
        )
    return lines


def indicator_line(markup: Markup, locale: str, line: IndicatorLine) -> str:
    week = "—" if line.week is None else number(line.week)
    ytd = "—" if line.year_to_date is None else number(line.year_to_date)
    params = {"group": line.group_name, "name": line.name, "unit": line.unit, "week": week}
    if line.target is None:
        return say(markup, locale, "reports.indicator.line", ytd=ytd, **params)
    attained = "—" if line.attainment is None else rate(line.attainment)
    return say(
        markup,
        locale,
        "reports.indicator.line_target",
        ytd=ytd,
        target=number(line.target),
        attained=attained,
        **params,
    )


def bulletin_problems(bulletin: Bulletin, locale: str, markup: Markup) -> list[str]:
    lines = [
        say(
            markup,
            locale,
            "reports.bulletin.problems",
            opened=len(bulletin.problems_opened),
            resolved=len(bulletin.problems_resolved),
            open=len(bulletin.problems_open),
        )
    ]
    escalated = bulletin.escalated
    if escalated:
        heading = say(
            markup,
            locale,
            "reports.bulletin.escalated",
            weeks=bulletin.escalation_weeks,
            count=len(escalated),
        )
        lines.append(markup.icon("‼️ ") + heading)
        lines += [
            problem_line(markup, locale, i, p, with_group=True) for i, p in _numbered(escalated)
        ]
    return lines


def bulletin_decisions(bulletin: Bulletin, locale: str, markup: Markup) -> list[str]:
    due, overdue = bulletin.decisions_due, bulletin.decisions_overdue
    lines = [say(markup, locale, "reports.bulletin.decisions", due=len(due), overdue=len(overdue))]
    listed = list(overdue) + [d for d in due if d not in overdue]
    lines += [decision_line(markup, locale, i, d) for i, d in _numbered(listed)]
    return lines


def bulletin_caption(bulletin: Bulletin, locale: str, number: str) -> str:
    """The chart's short caption (HTML): which bulletin, and its two headline figures."""
    escalated = bool(bulletin.escalated)
    return say(
        HTML,
        locale,
        "reports.bulletin.caption_escalated" if escalated else "reports.bulletin.caption",
        number=number,
        period=period_label(bulletin.period_key, locale),
        rate=rate(bulletin.counts.on_time_rate),
        open=len(bulletin.problems_open),
        escalated=len(bulletin.escalated),
    )


# --- where the week stands now (/report) -------------------------------------------------------


def status_text(data: PeriodData, locale: str, timezone: str, now: datetime) -> str:
    """Who has reported, who is late or missing, who is exempt: the week as it stands."""
    m, loc = HTML, locale
    groups = data.groups
    tally = {kind: [g for g in groups if g.reporting == kind] for kind in ("late", "missing")}
    on_time = sum(1 for g in groups if g.reporting == "on_time")
    exempt = [g for g in groups if g.reporting == "exempt"]
    lines = [
        m.title(say(m, loc, "reports.status.title", period=period_label(data.period_key, loc))),
    ]
    if data.deadline_at is not None:
        local = data.deadline_at.astimezone(ZoneInfo(timezone))
        key = (
            "reports.status.deadline_passed"
            if now > data.deadline_at
            else "reports.status.deadline"
        )
        lines.append(say(m, loc, key, day=format_day(local.date(), loc), time=f"{local:%H:%M}"))
    lines.append(
        say(
            m,
            loc,
            "reports.status.counts",
            expected=len(groups) - len(exempt),
            reported=on_time + len(tally["late"]),
            on_time=on_time,
            late=len(tally["late"]),
            missing=len(tally["missing"]),
            exempt=len(exempt),
        )
    )
    lines += absent_lines(groups, loc, m)
    return _lines(m, lines)


# --- helpers ------------------------------------------------------------------------------

# A chat message of a report stays within three Telegram messages: an office of hundreds
# of groups would otherwise post dozens into the office chat (20 a minute at most), and
# the Word file that follows carries everything.
CHAT_LIMIT = 3 * 4000


def clip(message: str, locale: str, file_key: str, limit: int = CHAT_LIMIT) -> str:
    """``message`` cut at a line once it passes ``limit``, saying the file has the rest."""
    if visible_length(message) <= limit:
        return message
    kept, used = [], 0
    for line in message.split("\n"):
        width = visible_length(line) + 1
        if used + width > limit:
            break
        kept.append(line)
        used += width
    file = translate(locale, file_key)
    return "\n".join([*kept, say(HTML, locale, "reports.clipped", file=file)])


def _numbered(items: Iterable[T]) -> Iterable[tuple[int, T]]:
    return enumerate(items, start=1)


def _or_none(markup: Markup, locale: str, lines: list[str]) -> list[str]:
    """An empty section says so ("无"), and keeps its number."""
    return lines or [say(markup, locale, "reports.none")]


_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(index: int, locale: str) -> str:
    """一, 二 … 九十九 for Chinese headings (（一）); Arabic numerals in English."""
    if locale != "zh-CN" or not 0 < index < 100:
        return str(index)
    tens, ones = divmod(index, 10)
    if tens == 0:
        return _CHINESE_DIGITS[ones]
    prefix = "" if tens == 1 else _CHINESE_DIGITS[tens]
    return prefix + "十" + (_CHINESE_DIGITS[ones] if ones else "")
