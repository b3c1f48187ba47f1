"""``lihui roles grant|revoke|list`` driven through the command line's entry point."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import Database
from storage.models import AuditLog, Membership, Person


@pytest.fixture
def office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """A workspace for chat -1001 (the sample roster imported); returns the database URL."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LIHUI_LOCALE", "zh-CN")
    monkeypatch.setenv("LIHUI_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("LIHUI_CLOCK_FILE", raising=False)
    roster = tmp_path / "roster.csv"
    assert main(["roster", "sample", str(roster)]) == 0
    assert main(["roster", "import", str(roster), "--chat", "-1001"]) == 0
    capsys.readouterr()
    return url


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``lihui roles ACTION ...`` with ``--chat -1001`` unless the arguments name a chat."""
    if "--chat" not in args:
        args = [args[0], "--chat", "-1001", *args[1:]]
    code = main(["roles", *args])
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err.strip()


async def _memberships(url: str) -> tuple[dict[str, str], list[tuple[str, object, object]]]:
    database = Database(url)
    try:
        async with database.session() as session:
            found = await session.execute(
                select(Person.username, Membership.role).join(
                    Membership, Membership.person_id == Person.id
                )
            )
            audit = await session.scalars(select(AuditLog).order_by(AuditLog.id))
            entries = [
                (a.action, a.details["before"]["role"], a.details["after"]["role"])
                for a in audit
                if a.action.startswith("role.")
            ]
            return {name or "": role for name, role in found.all()}, entries
    finally:
        await database.dispose()


def memberships(url: str) -> tuple[dict[str, str], list[tuple[str, object, object]]]:
    return asyncio.run(_memberships(url))


def test_grant_list_hand_over_and_revoke(office: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["grant", "--user", "@zhao", "--role", "director"], capsys)
    assert code == 0 and out == "已将 @zhao 设为主任（原为：—）"
    code, out, _ = run(["grant", "--user", "qian", "--role", "staff"], capsys)
    assert code == 0 and out == "已将 @qian 设为办公室人员（原为：—）"
    code, out, _ = run(["grant", "--user", "12345678", "--role", "member"], capsys)
    assert code == 0 and out == "已将 12345678 设为成员（原为：—）"
    _, out, _ = run(["list"], capsys)
    assert out.splitlines() == ["主任\t@zhao", "办公室人员\t@qian", "成员\t12345678"]

    # One director: handing the role on demotes the previous one, and says so.
    code, out, _ = run(["grant", "--user", "@QIAN", "--role", "director"], capsys)
    assert code == 0
    assert out.splitlines() == [
        "已将 @qian 设为主任（原为：办公室人员）",
        "原主任 @zhao 已改为办公室人员（每个办公室只有一位主任）",
    ]
    code, out, _ = run(["grant", "--user", "@qian", "--role", "director"], capsys)
    assert out == "@qian 已经是主任，未作改动"
    code, out, _ = run(["revoke", "--user", "@zhao"], capsys)
    assert code == 0 and out == "已撤销 @zhao 的办公室人员角色"

    roles, audit = memberships(office)
    assert roles == {"qian": "director", "": "member"}
    assert audit == [
        ("role.grant", None, "director"),
        ("role.grant", None, "staff"),
        ("role.grant", None, "member"),
        ("role.demote", "director", "staff"),
        ("role.grant", "staff", "director"),
        ("role.revoke", "staff", None),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["grant", "--chat", "-42", "--user", "@zhao", "--role", "staff"],
            "群 -42 还没有工作区，请先导入名册",
        ),
        (
            ["grant", "--chat", "-1001", "--user", "@zhao", "--role", "boss"],
            "没有“boss”这个角色，可选：director | staff | member",
        ),
        (
            ["grant", "--chat", "-1001", "--user", "@z!", "--role", "staff"],
            "“@z!”不是有效的用户，请写 @用户名 或数字用户 ID（--user）",
        ),
        (
            ["grant", "--chat", "-1001", "--role", "staff"],
            "“”不是有效的用户，请写 @用户名 或数字用户 ID（--user）",
        ),
        (["revoke", "--user", "@nobody_here"], "不认识用户 @nobody_here"),
    ],
)
def test_clear_errors_change_nothing(
    office: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(args, capsys)
    assert (code, out, err) == (1, "", message)
    assert memberships(office) == ({}, [])


def test_revoking_a_role_not_held_is_refused(
    office: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["grant", "--user", "@zhao", "--role", "member"], capsys)
    code, _, err = run(["revoke", "--user", "@zhao", "--role", "staff"], capsys)
    assert code == 1 and err == "@zhao 在该办公室没有这个角色（当前：member）"
    assert memberships(office)[0] == {"zhao": "member"}


def test_english_operator(
    office: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIHUI_LOCALE", "en")
    _, out, _ = run(["list"], capsys)
    assert out == "Nobody holds a role in this office yet"
    _, out, _ = run(["grant", "--user", "@zhao", "--role", "staff"], capsys)
    assert out == "@zhao is now staff (was: —)"
