"""Messages that may not have arrived: listed for the managers, sent again or let go once.

On a real database (SQLite, and PostgreSQL too): the rows are made the way the scheduler
makes them (recorded, taken for sending, found ``sending`` by a restart).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.caller import Caller
from bot.cycle import delivery_log, uncertain
from bot.cycle.steps import Outgoing
from bot.replies import Button, Reply
from storage.db import Database
from storage.models import AuditLog, Delivery, Membership, Person, Workspace

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # Thursday 09:00 in Shanghai: the open step
LATER = NOW + delivery_log.STALE_SENDING + timedelta(minutes=1)
OFFICE = -100700
PEOPLE = {"张伟": 11, "李娜": 12, "王芳": 13, "赵主任": 20, "钱干事": 21, "孙成员": 22}


async def office(database: Database) -> tuple[int, dict[str, int]]:
    """A workspace with a director, staff and a member; contacts known by Telegram id."""
    async with database.session() as session:
        workspace = Workspace(chat_id=OFFICE, title="办公室", settings={}, created_at=NOW)
        people = {
            name: Person(telegram_user_id=uid, display_name=name) for name, uid in PEOPLE.items()
        }
        session.add_all([workspace, *people.values()])
        await session.flush()
        for name, role in (("赵主任", "director"), ("钱干事", "staff"), ("孙成员", "member")):
            session.add(Membership(workspace_id=workspace.id, person_id=people[name].id, role=role))
        return workspace.id, {name: person.id for name, person in people.items()}


def prompt(ws: int, group: int, chat_id: int, kind: str = "prompt") -> Outgoing:
    reply = Reply(f"<b>请填报</b> 第{group}组", buttons=[[Button("开始填报", data=f"p:{group}")]])
    return Outgoing(
        f"open:{ws}:2026-W48:{group}:{chat_id}", chat_id, kind, reply, {"group_id": group}
    )


async def interrupted(database: Database, ws: int, outgoing: list[Outgoing], sent: int = 0) -> None:
    """Record the messages, send the first ``sent``, take the rest for sending, then a
    restart finds those ``sending``: uncertain."""
    async with database.session() as session:
        claim = await delivery_log.claim(session, ws, "open", f"2026-W48-{len(outgoing)}", "a", NOW)
        assert claim is not None
        await delivery_log.record(session, claim, outgoing, NOW)
        ids = await delivery_log.pending(session, claim.id)
    async with database.session() as session:
        for number, delivery_id in enumerate(ids):
            assert await delivery_log.grab(session, delivery_id, NOW) is not None
            if number < sent:
                await delivery_log.finish(session, delivery_id, status="sent", attempts=1, now=NOW)
    async with database.session() as session:
        await delivery_log.mark_uncertain(session, None)


async def press_as(database: Database, person_id: int, data: str, now: datetime = LATER) -> str:
    async with database.session() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        answer = await uncertain.press(Caller(session, person, "zh-CN", now, 1, True), data, 7)
    assert answer.toast is not None
    if answer.replies:
        assert answer.replies[0].edit_message_id == 7  # the notice itself, its buttons gone
        assert not answer.replies[0].buttons
    return answer.toast


async def notice_for(database: Database, person_id: int, now: datetime = LATER) -> list[Reply]:
    async with database.session() as session:
        person, workspace = (
            await session.get(Person, person_id),
            await session.scalar(select(Workspace)),
        )
        assert person is not None and workspace is not None
        return await uncertain.notice(Caller(session, person, "zh-CN", now, 1, True), workspace)


async def statuses(database: Database) -> dict[int, str]:
    async with database.session() as session:
        return {d.chat_id: d.status for d in await session.scalars(select(Delivery))}


def test_a_few_names_then_deng() -> None:
    assert uncertain.names_text("zh-CN", ["张伟", "李娜"]) == "张伟、李娜"
    assert uncertain.names_text("zh-CN", ["甲", "乙", "丙", "丁"]) == "甲、乙、丙等"
    assert uncertain.names_text("en", ["A", "B", "C", "D", "E"]) == "A, B, C and others"


async def test_the_notice_counts_messages_and_names_each_recipient_once(database: Database) -> None:
    ws, people = await office(database)
    contacts = [PEOPLE["张伟"], PEOPLE["李娜"], PEOPLE["李娜"], PEOPLE["王芳"]]
    outgoing = [prompt(ws, group, chat) for group, chat in enumerate(contacts, start=1)]
    await interrupted(database, ws, [*outgoing, prompt(ws, 9, OFFICE, "office")])
    # Right after the restart another instance may still be sending: nothing to decide yet.
    assert await notice_for(database, people["赵主任"], NOW) == []
    [reply] = await notice_for(database, people["赵主任"])
    assert "5条定时消息可能未送达" in reply.text
    assert "张伟、李娜、王芳等" in reply.text  # the office chat is the fourth recipient
    [[resend, dismiss]] = reply.buttons
    assert (resend.label, dismiss.label) == ("重新发送", "不必重发")
    assert resend.data is not None and resend.data.startswith(f"ud:r:{ws}:")
    assert await notice_for(database, people["钱干事"]) != []  # staff manage the office too
    assert await notice_for(database, people["孙成员"]) == []  # a member does not


async def test_send_again_requeues_each_once_however_often_and_by_whom(database: Database) -> None:
    ws, people = await office(database)
    await interrupted(database, ws, [prompt(ws, 1, PEOPLE["张伟"]), prompt(ws, 2, OFFICE)], sent=1)
    [reply] = await notice_for(database, people["赵主任"])
    assert "1条" in reply.text and "办公室群" in reply.text and "张伟" not in reply.text
    data = reply.buttons[0][0].data
    assert data is not None
    assert await press_as(database, people["赵主任"], data) == "已重新发送1条定时消息：办公室群。"
    assert await statuses(database) == {PEOPLE["张伟"]: "sent", OFFICE: "pending"}
    # A second press, the staff's press of their own notice, a press after a restart: nothing.
    for person in ("赵主任", "钱干事"):
        assert await press_as(database, people[person], data) == "这些消息已处理过，未再发送。"
    assert await statuses(database) == {PEOPLE["张伟"]: "sent", OFFICE: "pending"}
    assert await notice_for(database, people["赵主任"]) == []
    async with database.session() as session:
        [row] = await session.scalars(select(Delivery).where(Delivery.chat_id == OFFICE))
        assert row.payload["text"] == "<b>请填报</b> 第2组"  # the recorded message, unchanged
        assert row.last_error.endswith("sent again on request")
        # The scheduler's sweep sends pending rows of any claim, done or not.
        assert await delivery_log.pending(session, row.claim_id or 0) == [row.id]
        actions = list(await session.scalars(select(AuditLog.action)))
    assert actions == ["delivery.resend"]


async def test_a_press_settles_only_what_its_notice_showed(database: Database) -> None:
    ws, people = await office(database)
    await interrupted(database, ws, [prompt(ws, 1, PEOPLE["张伟"])])
    [first] = await notice_for(database, people["赵主任"])
    await interrupted(database, ws, [prompt(ws, 2, PEOPLE["李娜"]), prompt(ws, 3, PEOPLE["王芳"])])
    dismiss = first.buttons[0][1].data
    assert dismiss is not None
    assert await press_as(database, people["赵主任"], dismiss) == (
        "已确认不必重发1条定时消息：张伟。"
    )
    assert await statuses(database) == {
        PEOPLE["张伟"]: "dismissed",
        PEOPLE["李娜"]: "uncertain",
        PEOPLE["王芳"]: "uncertain",
    }
    [later] = await notice_for(database, people["赵主任"])
    assert "2条" in later.text and "李娜、王芳" in later.text


async def test_a_member_a_forged_button_and_another_office_change_nothing(
    database: Database,
) -> None:
    ws, people = await office(database)
    await interrupted(database, ws, [prompt(ws, 1, PEOPLE["张伟"])])
    [reply] = await notice_for(database, people["赵主任"])
    data = reply.buttons[0][0].data
    assert data is not None
    assert await press_as(database, people["孙成员"], data) == "没有权限"
    assert await press_as(database, people["赵主任"], f"ud:r:{ws + 1}:999") == "没有权限"
    for forged in ("ud:r:1", "ud:x:1:1", f"ud:r:{ws}:99999999999", "ud:r:１:1"):
        assert await press_as(database, people["赵主任"], forged) == "这个按钮已失效。"
    assert await statuses(database) == {PEOPLE["张伟"]: "uncertain"}
