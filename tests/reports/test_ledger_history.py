"""The open ledgers seen from any week: "resolved later" and "closed later" read through the
bounded queries (weeks after ``as_of``, ``closed_at`` at or after its end), on both backends.

The hand-worked office of ``fixture.py`` plus one problem and one decision of 2025-W52 that
were settled in 2026-W46, long before the week reported: they must show from 2025-W52 and
never after.
"""

from __future__ import annotations

import pytest

from bot import ledgers
from storage.db import Database
from storage.models import Decision, Problem
from tests.reports.fixture import WEEK, Office, _at, build_office

OLD = "2025-W52"


async def _office(database: Database) -> Office:
    async with database.session() as session:
        office = await build_office(session)
        p, g = office.periods, office.groups
        session.add(
            Problem(
                workspace_id=office.workspace.id, group_id=g["G3"].id, text="旧问题",
                status="resolved", opened_period_id=p[OLD].id,
                resolved_period_id=p["2026-W46"].id, created_at=_at(OLD, 4, 10),
                resolved_at=_at("2026-W46", 4, 10),
            )
        )  # fmt: skip
        session.add(
            Decision(
                workspace_id=office.workspace.id, group_id=g["G3"].id, text="旧事项",
                status="done", decided_period_id=p[OLD].id, created_at=_at(OLD, 1, 10),
                closed_at=_at("2026-W46", 1, 10),
            )
        )  # fmt: skip
    return office


@pytest.mark.parametrize(
    ("week", "problems", "decisions"),
    [
        (OLD, ["旧问题"], ["旧事项"]),
        # P7 resolved in W46 itself; P4, P5 (W48) and P6 (W47) resolved later; D3 closed in W47.
        ("2026-W46", ["场地<紧张>", "账号未开通", "审批流程长", "志愿者不足"],
         ["协调活动场地", "梳理典型做法"]),
        ("2026-W47", ["场地<紧张>", "账号未开通", "审批流程长", "数据口径不一"],
         ["协调活动场地", "报送阶段进展"]),
        (WEEK, ["场地<紧张>", "经费未到位", "数据口径不一"],
         ["协调活动场地", "报送阶段进展", "核实经费需求"]),
    ],
)  # fmt: skip
async def test_open_ledgers_as_of_any_week(
    database: Database, week: str, problems: list[str], decisions: list[str]
) -> None:
    office = await _office(database)
    async with database.session() as session:
        as_of = office.periods[week]
        found_problems = await ledgers.open_problems(session, office.workspace, as_of)
        found_decisions = await ledgers.open_decisions(session, office.workspace, as_of)
    assert [view.text for view in found_problems] == problems
    assert sorted(view.text for view in found_decisions) == sorted(decisions)
