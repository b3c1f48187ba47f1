"""The buttons' callback data: what a report button names, read back; anything else refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.periods import Period
from bot.reports import service

weeks = st.builds(Period, st.integers(2000, 2100), st.integers(1, 52))


@given(st.sampled_from(service.ACTIONS), st.integers(1, 10**12), weeks)
def test_a_button_reads_back_what_it_names(action: str, workspace_id: int, week: Period) -> None:
    data = service.callback(action, workspace_id, week.key)
    assert len(data.encode()) <= 64  # Telegram's limit for callback data
    assert service.parse_callback(data) == (action, workspace_id, week.key)
    assert service.parse_pick(data) is None


@given(st.sampled_from(service.COMMANDS), st.integers(1, 10**12))
def test_an_office_choice_reads_back(command: str, workspace_id: int) -> None:
    data = service.pick_callback(command, workspace_id)
    assert service.parse_pick(data) == (command, workspace_id)
    assert service.parse_callback(data) is None


@given(st.text(max_size=80))
def test_anything_else_is_refused_quietly(data: str) -> None:
    parsed = service.parse_callback(data)
    if parsed is not None:  # only a well-formed report button gets through
        assert data.startswith(f"rp:{parsed[0]}:") and parsed[0] in service.ACTIONS
    picked = service.parse_pick(data)
    if picked is not None:
        assert data == service.pick_callback(*picked)


def test_malformed_buttons() -> None:
    for data in ("rp:word:x:2026-W48", "rp:word:1:2026-W99", "rp:drop:1:2026-W48", "rp:word:1"):
        assert service.parse_callback(data) is None
    for data in ("rp:pick:report:x", "rp:pick:delete:1", "rp:pick:report"):
        assert service.parse_pick(data) is None
