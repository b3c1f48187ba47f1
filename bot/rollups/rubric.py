"""The rubric's settings (weights, grade thresholds, adjustment bound, shortlist size,
how the year is ranked), read and changed by ``/rubric``, checked and audit-logged.

``/rubric`` alone shows them; ``/rubric on_time=50 decisions=30 problems=10 indicators=10
grades=90,80,60 limit=10 shortlist=3 year=halves`` changes any of them (Chinese names
work too: 按时报送=50). A change applies to assessments computed from then on; published
ones keep the rubric they were published with.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.i18n import translate
from bot.parsing import format_number, parse_number
from bot.rollups.assessment import YEAR_MODES, year_mode
from bot.rollups.refusals import RollupRefused
from bot.rollups.scoring import COMPONENTS, rubric_from_settings
from storage.models import Workspace

ALIASES = {
    "按时报送": "on_time",
    "议定事项": "decisions",
    "问题解决": "problems",
    "指标": "indicators",
    "等次": "grades",
    "加减分": "limit",
    "表彰": "shortlist",
    "年度": "year",
}
_PAIR = re.compile(r"([^\s=＝]+)\s*[=＝]\s*([^\s]+)")


def _number(text: str, low: float, high: float, name: str) -> float:
    try:
        value = parse_number(text)
    except ValueError as error:
        raise RollupRefused("rollups.rubric.bad_value", name=name, value=text) from error
    if not low <= value <= high:
        raise RollupRefused("rollups.rubric.bad_value", name=name, value=text)
    return value


def parse_changes(text: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings after the changes ``text`` asks for (RollupRefused for a bad one)."""
    pairs = _PAIR.findall(text)
    if not pairs or _PAIR.sub("", text).strip():
        raise RollupRefused("rollups.rubric.usage")
    updated = {**settings}
    weights = {**rubric_from_settings(settings).weights}
    for raw_name, value in pairs:
        name = ALIASES.get(raw_name, raw_name.lower())
        if name in COMPONENTS:
            weights[name] = _number(value, 0, 100, raw_name)
        elif name == "grades":
            parts = re.split(r"[,，/、]", value)
            numbers = [_number(p, 0, 100, raw_name) for p in parts]
            if len(numbers) != 3 or not numbers[0] > numbers[1] > numbers[2]:
                raise RollupRefused("rollups.rubric.bad_value", name=raw_name, value=value)
            updated["grade_thresholds"] = dict(
                zip(("excellent", "good", "fair"), numbers, strict=True)
            )
        elif name == "limit":
            updated["adjustment_limit"] = _number(value, 0, 50, raw_name)
        elif name == "shortlist":
            updated["shortlist_size"] = int(_number(value, 1, 100, raw_name))
        elif name == "year" and value in YEAR_MODES:
            updated["year_ranking"] = value
        else:
            raise RollupRefused("rollups.rubric.bad_value", name=raw_name, value=value)
    if not any(weights.values()):
        raise RollupRefused("rollups.rubric.no_weight")
    updated["rubric"] = {k: weights.get(k, 0) for k in COMPONENTS}
    return updated


def change(
    session: AsyncSession, workspace: Workspace, text: str, person_id: int | None, now: datetime
) -> None:
    before = dict(workspace.settings or {})
    after = parse_changes(text, before)
    keys = ("rubric", "grade_thresholds", "adjustment_limit", "shortlist_size", "year_ranking")
    workspace.settings = after  # a new dict: the JSON column sees the change
    audit.record(
        session, action="settings.rubric", now=now, workspace_id=workspace.id,
        person_id=person_id, before={k: before.get(k) for k in keys},
        after={k: after.get(k) for k in keys},
    )  # fmt: skip


def describe(workspace: Workspace, locale: str) -> str:
    rubric = rubric_from_settings(workspace.settings)
    weights = translate(locale, "list.separator").join(
        translate(
            locale,
            "rollups.rules.weight",
            name=translate(locale, f"rollups.component.{k}"),
            weight=format_number(rubric.weights.get(k, 0)),
        )
        for k in COMPONENTS
    )
    t = rubric.thresholds
    year = translate(locale, f"rollups.rubric.year.{year_mode(workspace)}")
    return translate(
        locale, "rollups.rubric.current", weights=weights,
        excellent=format_number(t["excellent"]), good=format_number(t["good"]),
        fair=format_number(t["fair"]), limit=format_number(rubric.adjustment_limit),
        shortlist=rubric.shortlist, year=year,
    )  # fmt: skip
