"""Settings changes and the delivery log on a real database (SQLite, and PostgreSQL too)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.cycle import delivery_log, settings
from bot.cycle.steps import Outgoing
from bot.periods import Period
from bot.replies import Attachment, Button, Reply
from bot.reporting import period_row
from storage.db import Database
from storage.models import AuditLog, Delivery, StepClaim, Workspace

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # Wednesday noon in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def new_workspace(database: Database) -> int:
    async with database.session() as session:
        workspace = Workspace(chat_id=-100500, title="办公室", settings={}, created_at=NOW)
        session.add(workspace)
        await session.flush()
        return workspace.id


async def test_settings_are_checked_and_audited(database: Database) -> None:
    ws = await new_workspace(database)
    async with database.session() as session:
        workspace = await session.get(Workspace, ws)
        assert workspace is not None
        assert settings.set_step(session, workspace, "open", 4, "25:00", None, NOW).key == (
            "settings.error.time"
        )
        assert not settings.set_step(session, workspace, "lunch", 4, "12:00", None, NOW).ok
        assert not settings.set_step(session, workspace, "open", 9, "12:00", None, NOW).ok
        assert settings.set_step(session, workspace, "open", 3, "8：30", None, NOW).ok
        assert not settings.set_number(session, workspace, "grace_hours", "0", None, NOW).ok
        assert not settings.set_number(session, workspace, "grace_hours", "很多", None, NOW).ok
        assert settings.set_number(session, workspace, "grace_hours", "４８", None, NOW).ok
        assert not settings.set_timezone(session, workspace, "Mars/Olympus", None, NOW).ok
        assert settings.set_timezone(session, workspace, "Asia/Urumqi", None, NOW).ok
    async with database.session() as session:
        workspace = await session.get(Workspace, ws)
        assert workspace is not None
        assert workspace.settings == {
            "schedule": {"open": {"weekday": 3, "time": "08:30"}},
            "grace_hours": 48,
        }
        assert workspace.timezone == "Asia/Urumqi"
        actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["settings.schedule.open", "settings.grace_hours", "settings.timezone"]


async def test_a_holiday_override_moves_an_open_weeks_deadline_not_a_closed_one(
    database: Database,
) -> None:
    ws = await new_workspace(database)
    async with database.session() as session:
        workspace = await session.get(Workspace, ws)
        assert workspace is not None
        closed = await period_row(session, workspace, Period(2026, 47))
        current = await period_row(session, workspace, Period(2026, 48))
        assert current.deadline_at == datetime(2026, 11, 27, 18, tzinfo=SHANGHAI)
        await settings.set_override(session, workspace, date(2026, 11, 27), False, "", None, NOW)
        await settings.set_override(session, workspace, date(2026, 11, 20), False, "", None, NOW)
        assert await settings.refresh_deadlines(session, workspace, NOW) == 1
        # Friday off: the deadline extends to Monday 30th, before the next week opens.
        assert current.deadline_at == datetime(2026, 11, 30, 18, tzinfo=SHANGHAI)
        assert closed.deadline_at == datetime(2026, 11, 20, 18, tzinfo=SHANGHAI)
        removed = await settings.remove_override(session, workspace, date(2026, 1, 1), None, NOW)
        assert removed.key == "settings.error.no_override"


async def test_a_step_is_claimed_once_and_each_delivery_taken_once(database: Database) -> None:
    ws = await new_workspace(database)
    reply = Reply("<b>提示</b>", buttons=[[Button("开始填报", data="s:1")]])
    outgoing = [
        Outgoing(f"open:{ws}:2026-W48:1:1", 42, "prompt", reply, {"group_id": 1, "person_id": 1}),
        Outgoing(f"open:{ws}:2026-W48:2:2", None, "prompt", reply, {"group_id": 2, "person_id": 2}),
    ]
    async with database.session() as session:
        claim = await delivery_log.claim(session, ws, "open", "2026-W48", "a", NOW)
        assert claim is not None
        assert await delivery_log.record(session, claim, outgoing, NOW) == 2
        assert await delivery_log.record(session, claim, outgoing, NOW) == 0  # dedupe keys
        claim_id = claim.id
    async with database.session() as session:
        assert await delivery_log.claim(session, ws, "open", "2026-W48", "b", NOW) is None
        [pending] = await delivery_log.pending(session, claim_id)
        taken = await delivery_log.grab(session, pending, NOW)
        assert taken is not None and taken.status == "sending"
        assert await delivery_log.grab(session, pending, NOW) is None  # a second worker
        assert not await delivery_log.finish_claim_if_done(session, claim_id, NOW)
    async with database.session() as session:
        # A restart finds it "sending": uncertain, never resent; the live sender settles it.
        [row] = await delivery_log.mark_uncertain(session, None)
        assert row.status == "uncertain"
    async with database.session() as session:
        await delivery_log.finish(session, pending, status="sent", attempts=1, now=NOW)
        assert await delivery_log.finish_claim_if_done(session, claim_id, NOW)
        unreached = await delivery_log.unreached(session, claim_id)
        statuses = sorted(d.status for d in await session.scalars(select(Delivery)))
        claim_row = await session.get(StepClaim, claim_id)
    assert [(u.group_id, u.person_id) for u in unreached] == [(2, 2)]
    assert statuses == ["failed", "sent"]
    assert claim_row is not None and claim_row.status == "done"


@given(
    text=st.text(max_size=50),
    labels=st.lists(st.text(min_size=1, max_size=10), max_size=3),
    data=st.binary(max_size=64),
)
def test_a_reply_survives_the_log(text: str, labels: list[str], data: bytes) -> None:
    reply = Reply(
        text,
        buttons=[[Button(label, data=f"s:{i}") for i, label in enumerate(labels)]],
        attachment=Attachment("周通报.docx", data),
    )
    assert delivery_log.from_payload(delivery_log.to_payload(reply)) == reply
