"""The ledgers' pages (core, on a real database): order, paging, limits, rights, offices.

Thursday 3 December 2026 in Shanghai (week 49) is "now"; problems are aged as of that week.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot import ledgers
from bot.ledgers import lists as ledger_lists
from bot.periods import parse_period
from bot.replies import TELEGRAM_TEXT_LIMIT, visible_length
from bot.reporting import period_row
from storage.db import Database
from storage.models import Decision, Membership, Person, Problem, TaskGroup, Workspace

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai, week 49
LONG_NAME = "长" * 200


async def office(database: Database, chat_id: int, title: str) -> int:
    async with database.session() as session:
        workspace = Workspace(chat_id=chat_id, title=title, settings={}, created_at=NOW)
        session.add(workspace)
        await session.flush()
        session.add_all(
            [
                TaskGroup(workspace_id=workspace.id, code="A", name="就业援助组", position=1),
                TaskGroup(workspace_id=workspace.id, code="B", name=LONG_NAME, position=2),
            ]
        )
        return workspace.id


async def person(database: Database, username: str, roles: dict[int, str]) -> None:
    async with database.session() as session:
        row = Person(username=username, display_name=username)
        session.add(row)
        await session.flush()
        for workspace_id, role in roles.items():
            session.add(Membership(workspace_id=workspace_id, person_id=row.id, role=role))


async def fill(database: Database, workspace_id: int, problems: int, decisions: int) -> None:
    """``problems`` problems of 500 characters (every third one opened in week 45), and
    decisions due one a day from 25 November (so the first eight are overdue on 3 December)."""
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        groups = [g for g in await session.run_sync(lambda _: workspace.groups)]
        w45 = await period_row(session, workspace, parse_period("2026-W45"))
        w48 = await period_row(session, workspace, parse_period("2026-W48"))
        for n in range(problems):
            session.add(
                Problem(
                    workspace_id=workspace_id,
                    group_id=groups[n % 2].id,
                    text=f"问题{n:02d}" + "<&>" * 165,
                    status="open",
                    opened_period_id=(w45 if n % 3 == 0 else w48).id,
                    created_at=NOW,
                )
            )
        for n in range(decisions):
            session.add(
                Decision(
                    workspace_id=workspace_id,
                    group_id=groups[1].id,
                    text=f"事项{n:02d}" + "字" * 495,
                    due_on=date(2026, 11, 25 + n) if n < 6 else date(2026, 12, n - 5),
                    status="open",
                    decided_period_id=w48.id,
                    created_at=NOW,
                )
            )


async def load(database: Database, username: str) -> Person:
    from sqlalchemy import select

    async with database.session() as session:
        found = await session.scalar(select(Person).where(Person.username == username))
        assert found is not None
        return found


@pytest.fixture
async def two_offices(database: Database) -> tuple[int, int]:
    first = await office(database, -1001, "一号办公室")
    second = await office(database, -1002, "二号办公室")
    await fill(database, first, problems=25, decisions=12)
    await person(database, "zhao", {first: "director", second: "member"})
    await person(database, "qian", {first: "member"})
    return first, second


async def test_problem_pages_hold_ten_escalated_first_within_telegrams_limit(
    database: Database, two_offices: tuple[int, int]
) -> None:
    first, _ = two_offices
    zhao = await load(database, "zhao")
    async with database.session() as session:
        workspace = await session.get(Workspace, first)
        assert workspace is not None
        views = await ledgers.live_problems(session, workspace, NOW)
        pages = [
            await ledger_lists.page(session, zhao, "zh-CN", NOW, "p", workspace, n)
            for n in range(3)
        ]
    # Problems 0, 3, ... 24 were opened in week 45: 5 weeks old in week 49, so escalated.
    assert [v.escalated for v in views] == [True] * 9 + [False] * 16
    assert [v.age_weeks for v in views[:9]] == [5] * 9
    for number, reply in enumerate(pages):
        assert visible_length(reply.text) <= TELEGRAM_TEXT_LIMIT
        shown = 10 if number < 2 else 5
        assert reply.text.count("\n   ") == shown
        assert f"（第{number + 1}/3页）" in reply.text
        item_rows, nav = reply.buttons[:-1], reply.buttons[-1]
        assert len(item_rows) == shown and all(len(row) == 2 for row in item_rows)
        assert [b.label for b in nav] == {0: ["›"], 1: ["‹", "›"], 2: ["‹"]}[number]
    assert pages[0].text.count("🔴") == 9 and "&lt;&amp;&gt;" in pages[0].text
    assert "…" in pages[0].text and LONG_NAME not in pages[0].text
    assert pages[1].buttons[0][0].label == "✅ 解决 11"
    assert pages[1].buttons[-1][0].data == f"pp:{first}:0"


async def test_decisions_by_due_date_overdue_marked_readers_get_no_buttons(
    database: Database, two_offices: tuple[int, int]
) -> None:
    first, _ = two_offices
    qian = await load(database, "qian")
    zhao = await load(database, "zhao")
    async with database.session() as session:
        workspace = await session.get(Workspace, first)
        assert workspace is not None
        member = await ledger_lists.page(session, qian, "zh-CN", NOW, "d", workspace, 0)
        director = await ledger_lists.page(session, zhao, "zh-CN", NOW, "d", workspace, 0)
        in_group = await ledger_lists.page(session, zhao, "zh-CN", NOW, "d", workspace, 0, False)
    lines = member.text.splitlines()
    items = [line.split(" ", 1)[1][:4] for line in lines if re.match(r"\d+\. ", line)]
    assert items == [f"事项{n:02d}" for n in range(10)]
    # Due 25 November to 2 December are overdue on 3 December; due 3 December is not.
    assert member.text.count("已逾期") == 8
    assert "时限：2026-12-03｜状态：待落实" in member.text
    assert [[b.label for b in row] for row in member.buttons] == [["›"]]
    assert director.buttons[0][0].label == "销号 1" and len(director.buttons) == 4
    assert in_group.buttons == [[in_group.buttons[0][0]]]  # only the page turn
    assert visible_length(director.text) <= TELEGRAM_TEXT_LIMIT


async def test_a_reader_of_two_offices_is_asked_which_and_rights_follow_the_office(
    database: Database, two_offices: tuple[int, int]
) -> None:
    first, second = two_offices
    zhao = await load(database, "zhao")
    qian = await load(database, "qian")
    async with database.session() as session:
        asked = await ledger_lists.open_ledger(session, zhao, "zh-CN", NOW, "p")
        [[one], [two]] = asked.replies[0].buttons
        assert (one.label, one.data, two.label, two.data) == (
            "一号办公室", f"lw:p:{first}", "二号办公室", f"lw:p:{second}",
        )  # fmt: skip
        chosen = await ledger_lists.on_button(session, zhao, "zh-CN", NOW, two.data or "", None)
        assert "二号办公室" in chosen.replies[0].text and chosen.replies[0].buttons == []
        foreign = await ledger_lists.on_button(session, qian, "zh-CN", NOW, f"lw:p:{second}", None)
        assert "没有权限进行这项操作" in foreign.replies[0].text
        turned = await ledger_lists.on_button(session, qian, "zh-CN", NOW, f"pp:{second}:0", None)
        assert turned.replies == [] and turned.toast and "权限" in turned.toast
        only = await ledger_lists.open_ledger(session, qian, "zh-CN", NOW, "d")
        assert "一号办公室" in only.replies[0].text


async def test_decide_asks_which_office_only_when_the_person_manages_several(
    database: Database, two_offices: tuple[int, int]
) -> None:
    from bot.ledgers import decide

    first, second = two_offices
    await person(database, "sun", {first: "staff", second: "staff"})
    sun, zhao = await load(database, "sun"), await load(database, "zhao")
    async with database.session() as session:
        direct = await decide.begin(session, zhao, "zh-CN", NOW)  # manages one office
        assert "请输入例会议定的事项" in direct.replies[0].text
    async with database.session() as session:
        asked = await decide.begin(session, sun, "zh-CN", NOW)
        offices = [b.data for row in asked.replies[0].buttons for b in row]
        assert offices == [f"d:1:w:{first}", f"d:1:w:{second}", "d:1:x"]
        forged = await decide.on_button(session, sun, "zh-CN", NOW, "d:1:w:999", None)
        assert forged.replies == [] and forged.toast and "已失效" in forged.toast
        chosen = await decide.on_button(session, sun, "zh-CN", NOW, f"d:1:w:{second}", None)
        assert "请输入例会议定的事项" in chosen.replies[0].text
        stale = await decide.on_button(session, sun, "zh-CN", NOW, f"d:1:w:{first}", None)
        assert stale.toast and "已失效" in stale.toast
    async with database.session() as session:
        typed = await decide.on_text(session, sun, "zh-CN", NOW, "二号办公室的事项")
        groups = [b.label for row in typed.replies[0].buttons for b in row]
        assert groups[:2] == ["就业援助组", LONG_NAME]


@pytest.mark.parametrize(
    "data",
    [
        "dc:99999999999",
        "dc:²",
        "pr:9999999999:r:0",
        "pr:1:x:0",
        "pp:99999999999:0",
        "lw:p:99999999999",
        "lw:x:1",
        "d:1:w:99999999999",
        "d:99999999999:x",
        "dp:1:9999999",
    ],
)
async def test_forged_ledger_buttons_are_stale(
    database: Database, two_offices: tuple[int, int], data: str
) -> None:
    zhao = await load(database, "zhao")
    async with database.session() as session:
        outcome = await ledger_lists.on_button(session, zhao, "zh-CN", NOW, data, None)
    assert outcome.replies == [] and outcome.toast == "这个按钮已失效，请使用最新一条消息。"
