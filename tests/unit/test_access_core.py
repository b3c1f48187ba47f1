"""The pure parts of access: the flood budget, button data, masking secrets, the policy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import access
from bot.access.budget import Budget
from bot.access.views import parse
from bot.commands import COMMANDS
from bot.config import RedactingFilter, database_password, mask_url

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_a_burst_then_one_every_two_seconds() -> None:
    budget = Budget(capacity=10, per_second=0.5)
    taken = [budget.take(1, T0) for _ in range(200)]
    assert taken.count(True) == 10 and taken[:10] == [True] * 10
    assert not budget.take(1, T0 + timedelta(seconds=1))  # half a token: not yet
    assert budget.take(1, T0 + timedelta(seconds=2))  # one token back
    assert not budget.take(1, T0 + timedelta(seconds=2))


def test_each_person_has_their_own_budget() -> None:
    budget = Budget(capacity=2, per_second=0.5)
    assert [budget.take(1, T0) for _ in range(3)] == [True, True, False]
    assert [budget.take(2, T0) for _ in range(2)] == [True, True]


def test_the_flooder_is_told_once_per_dry_spell() -> None:
    budget = Budget(capacity=4, per_second=1)
    for _ in range(4):
        budget.take(7, T0)
    assert not budget.take(7, T0)
    assert budget.first_refusal(7) and not budget.first_refusal(7)
    # Refilled past half: the next dry spell is told again.
    assert budget.take(7, T0 + timedelta(seconds=10))
    for _ in range(3):
        budget.take(7, T0 + timedelta(seconds=10))
    assert not budget.take(7, T0 + timedelta(seconds=10))
    assert budget.first_refusal(7)


def test_a_clock_set_back_refills_nothing() -> None:
    budget = Budget(capacity=1, per_second=1)
    assert budget.take(1, T0)
    assert not budget.take(1, T0 - timedelta(hours=1))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("a:au:3:2", ("au", [3, 2])),
        ("a:x", ("x", [])),
        ("a:ub:12", ("ub", [12])),
        ("a:au:３:2", None),  # full-width digit: int() would take it, we do not
        ("a:au:²:2", None),
        ("a:au:-1:2", None),
        ("a:au::2", None),
        ("a:ａu:1", None),
        ("r:1:submit", None),
        ("a:" + "1" * 70, None),
        ("a:au:2147483647:0", ("au", [2147483647, 0])),
        ("a:au:2147483648:0", None),  # beyond a database key: names nothing (fuzz found it)
    ],
)
def test_button_data_is_parsed_strictly(data: str, expected: tuple[str, list[int]] | None) -> None:
    assert parse(data) == expected


@given(st.text(max_size=80))
def test_no_button_data_makes_the_parser_raise(data: str) -> None:
    result = parse(data)
    if result is not None:
        verb, ids = result
        assert verb.isascii() and verb.isalpha() and all(0 <= i < 2**31 for i in ids)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_a_database_password_is_never_printed(password: str) -> None:
    url = f"postgresql+asyncpg://lihui:{password.replace('/', '')}@db.example:5432/lihui"
    masked = mask_url(url)
    assert masked.startswith("postgresql+asyncpg://lihui:***@")
    assert masked.endswith("db.example:5432/lihui")


def test_masking_leaves_urls_without_a_password_alone() -> None:
    for url in ("sqlite+aiosqlite:///data/lihui.sqlite3", "postgresql+asyncpg://postgres@h/db"):
        assert mask_url(url) == url


def test_the_database_password_is_redacted_from_logs() -> None:
    url = "postgresql+asyncpg://lihui:hunter2-secret@db/lihui"
    assert database_password(url) == "hunter2-secret"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "connecting to %s", (url,), None)
    RedactingFilter([database_password(url)]).filter(record)
    assert "hunter2-secret" not in record.getMessage()


def test_every_command_role_is_a_role_lihui_knows() -> None:
    known = {*access.ROLES, access.CONTACT}
    for name, roles in COMMANDS:
        assert roles <= known, name


def test_unbinding_roles_and_the_audit_log_are_the_directors_alone() -> None:
    for action in ("workspace.unbind", "roles.manage", "audit.read"):
        assert [r for r in access.ROLES if access.allows(r, action)] == ["director"]
    assert not access.allows(None, "report.view")
    assert not access.allows("director", "no.such.action")


def test_every_chooser_id_fits_a_button() -> None:
    from bot.access import group_edit  # noqa: F401  (registers /groups)
    from bot.access.views import _CHOOSABLE, chooser_id

    assert {"roles", "audit", "unbind", "groups"} <= {c for c, _, _ in _CHOOSABLE.values()}
    for command, _, _ in _CHOOSABLE.values():
        assert parse(f"a:in:1:{chooser_id(command)}") == ("in", [1, chooser_id(command)])
