"""Due dates as people type them (完成时限): "12月15日", "2026-12-15", "12/15", "下周五", "月底".

A decision's due date is read back in every agenda until it is closed, so a wrong guess is
worse than a question: anything that is not clearly one day is refused with a reason, and
so is a day already past. All functions are pure; ``today`` is the caller's local date.

Without a year, a day means this year's; if that has passed by more than half a year it
means next year's ("1月10日" typed in December), else it is refused as past (a typo, most
likely, rather than a deadline a year away).
"""

from __future__ import annotations

import calendar
import contextlib
import re
import unicodedata
from datetime import date, timedelta

from bot.parsing import InputError

MAX_YEARS_AHEAD = 5
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_SMALL |= {"九": 9, "十": 10}

_FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:月\s*(\d{1,2})\s*[日号]?|[/-]\s*(\d{1,2}))")
_WEEKDAY = re.compile(r"(下下|下|本|这|今)?(?:周|星期|礼拜)([一二三四五六日天七])")
_WITHIN = re.compile(r"(\d{1,3}|[一二两三四五六七八九十])(天|日|周|个星期|星期|个月|月)[后内]")
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}


def _refuse(text: str) -> InputError:
    return InputError("date.not_a_date", {"text": text.strip()[:40]})


def _normalize(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).strip("。.，,！!")


def _day(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _refuse(raw) from None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _amount(word: str) -> int:
    return int(word) if word.isdecimal() else _SMALL[word]


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _candidate(text: str, today: date) -> date | None:
    """The day ``text`` names, or None if it names none (past days included)."""
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    if text in ("月底", "本月底", "这个月底", "月末", "本月末"):
        return _month_end(today.year, today.month)
    if text in ("下月底", "下个月底", "下月末"):
        following = _add_months(today.replace(day=1), 1)
        return _month_end(following.year, following.month)
    if text in ("年底", "今年底", "年末", "本年底"):
        return date(today.year, 12, 31)
    if match := _FULL.fullmatch(text):
        return _day(int(match[1]), int(match[2]), int(match[3]), text)
    if match := _MONTH_DAY.fullmatch(text):
        month, day = int(match[1]), int(match[2] or match[3])
        # This year's day, or next year's once this year's is half a year gone; 2月29日
        # in a common year can only mean the coming leap year's.
        with contextlib.suppress(ValueError):
            found = date(today.year, month, day)
            if (today - found).days <= 183:
                return found
        return _day(today.year + 1, month, day, text)
    if match := _WEEKDAY.fullmatch(text):
        return _weekday(match[1], _WEEKDAYS[match[2]], today)
    if match := _WITHIN.fullmatch(text):
        amount, unit = _amount(match[1]), match[2]
        if unit in ("天", "日"):
            return today + timedelta(days=amount)
        if unit in ("周", "星期", "个星期"):
            return today + timedelta(weeks=amount)
        return _add_months(today, amount)
    return None


def _weekday(prefix: str | None, weekday: int, today: date) -> date:
    """本周五 is this week's Friday (Monday to Sunday); 周五 alone the coming one."""
    monday = today - timedelta(days=today.weekday())
    if prefix is None:
        ahead = (weekday - today.weekday()) % 7
        return today + timedelta(days=ahead)
    weeks = {"本": 0, "这": 0, "今": 0, "下": 1, "下下": 2}[prefix]
    return monday + timedelta(weeks=weeks, days=weekday)


def parse_due_date(text: str | None, today: date) -> date:
    """The due date ``text`` names: today or later, within :data:`MAX_YEARS_AHEAD` years."""
    raw = text or ""
    found = _candidate(_normalize(raw), today)
    if found is None:
        raise _refuse(raw)
    if found < today:
        raise InputError("date.past", {"date": found.isoformat()})
    if found.year > today.year + MAX_YEARS_AHEAD:
        raise InputError("date.too_far", {"years": MAX_YEARS_AHEAD})
    return found
