"""The choosing core (bot.access.office) on a real database, both backends: which office a
private command acts on, the question and its press, the remembered choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import office
from bot.caller import Caller
from bot.replies import Answer
from storage.db import Database
from storage.models import Membership, OfficeQuestion, Person, Workspace

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
ACTION = "report.view"
RAN: list[tuple[str, str, int | None]] = []  # (person, args, office) of each run


async def _probe(caller: Caller, args: str) -> Answer:
    """A command that records where it ran: the press must run it once, in the office
    chosen (which it finds remembered, as every real command does)."""
    chosen = await office.office_for(caller, ACTION, "probe", args)
    assert isinstance(chosen, Workspace)
    RAN.append((caller.person.username or "", args, chosen.id))
    return Answer(toast="ran")


office.command("probe", _probe)


async def world(database: Database) -> tuple[int, int]:
    """Two offices; 赵 directs both, 钱 is staff of the first only, 孙 has no role."""
    async with database.session() as session:
        first = Workspace(chat_id=-1001, title="一号办公室", settings={}, created_at=NOW)
        second = Workspace(chat_id=-1002, title="二号办公室", settings={}, created_at=NOW)
        people = [Person(username=n, display_name=n) for n in ("zhao", "qian", "sun")]
        session.add_all([first, second, *people])
        await session.flush()
        zhao, qian, _ = people
        session.add_all(
            [
                Membership(workspace_id=first.id, person_id=zhao.id, role="director"),
                Membership(workspace_id=second.id, person_id=zhao.id, role="director"),
                Membership(workspace_id=first.id, person_id=qian.id, role="staff"),
            ]
        )
        return first.id, second.id


def caller(session: AsyncSession, person: Person) -> Caller:
    return Caller(session, person, "zh-CN", NOW, 1, True)


async def someone(session: AsyncSession, username: str) -> Person:
    found = await session.scalar(select(Person).where(Person.username == username))
    assert found is not None
    return found


async def questions(database: Database) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(OfficeQuestion)) or 0


async def test_one_office_is_taken_without_a_question(database: Database) -> None:
    first, _ = await world(database)
    async with database.session() as session:
        qian = await someone(session, "qian")
        chosen = await office.office_for(caller(session, qian), ACTION, "report")
        assert isinstance(chosen, Workspace) and chosen.id == first
        sun = await someone(session, "sun")
        refused = await office.office_for(caller(session, sun), ACTION, "report")
        assert isinstance(refused, Answer) and "没有权限" in refused.replies[0].text
    assert await questions(database) == 0


async def test_the_question_runs_the_command_once_in_the_office_chosen(
    database: Database,
) -> None:
    first, second = await world(database)
    RAN.clear()
    async with database.session() as session:
        asked = await office.office_for(caller(session, await someone(session, "zhao")), ACTION,
                                        "probe", "2026-11")  # fmt: skip
        assert isinstance(asked, Answer)
        [reply] = asked.replies
        labels = [(b.label, b.data) for row in reply.buttons for b in row]
        [question] = list(await session.scalars(select(OfficeQuestion)))
        assert labels == [
            ("一号办公室", f"of:{question.id}:{first}"),
            ("二号办公室", f"of:{question.id}:{second}"),
        ]
        assert (question.command, question.action, question.args) == ("probe", ACTION, "2026-11")
    data = f"of:{question.id}:{second}"
    async with database.session() as session:  # a new transaction: as after a restart
        zhao = await someone(session, "zhao")
        pressed = await office.press(caller(session, zhao), data, 7)
        assert pressed.toast == "ran"
        assert "二号办公室" in pressed.replies[0].text and pressed.replies[0].edit_message_id == 7
        assert zhao.office_id == second
    async with database.session() as session:
        again = await office.press(caller(session, await someone(session, "zhao")), data, 7)
        assert again.replies == [] and again.toast == "这个问题已经回答过了。"
    assert [("zhao", "2026-11", second)] == RAN


async def test_a_press_by_another_or_for_a_foreign_office_runs_nothing(
    database: Database,
) -> None:
    first, second = await world(database)
    RAN.clear()
    async with database.session() as session:
        asked = await office.office_for(caller(session, await someone(session, "zhao")), ACTION,
                                        "probe")  # fmt: skip
        assert isinstance(asked, Answer)
        question_id = await session.scalar(select(OfficeQuestion.id))
    async with database.session() as session:
        qian = await someone(session, "qian")
        theirs = await office.press(caller(session, qian), f"of:{question_id}:{first}", None)
        assert theirs.toast == "这不是给您的选择。" and theirs.replies == []
        zhao = await someone(session, "zhao")
        foreign = await office.press(caller(session, zhao), f"of:{question_id}:999", None)
        assert foreign.toast == "没有权限" and zhao.office_id is None
        for garbage in ("of:x:1", "of:1", f"of:{question_id}:{2**40}", "of:99999:1"):
            stale = await office.press(caller(session, zhao), garbage, None)
            assert stale.toast == "这个按钮已失效。", garbage
        # The question is still open: the right press still runs it.
        right = await office.press(caller(session, zhao), f"of:{question_id}:{second}", None)
        assert right.toast == "ran"
    assert [("zhao", "", second)] == RAN


async def test_the_remembered_office_holds_until_the_role_is_lost(database: Database) -> None:
    first, second = await world(database)
    async with database.session() as session:
        zhao = await someone(session, "zhao")
        zhao.office_id = second
        chosen = await office.office_for(caller(session, zhao), ACTION, "report")
        assert isinstance(chosen, Workspace) and chosen.id == second
        await session.execute(
            delete(Membership).where(
                Membership.person_id == zhao.id, Membership.workspace_id == second
            )
        )
        only = await office.office_for(caller(session, zhao), ACTION, "report")
        assert isinstance(only, Workspace) and only.id == first  # one office left: no question
        session.add(Membership(workspace_id=second, person_id=zhao.id, role="member"))
        zhao.office_id = second  # remembered where they now only read: /report asks nothing
        session.add(Workspace(chat_id=-1003, title="三号办公室", settings={}, created_at=NOW))
    async with database.session() as session:
        zhao = await someone(session, "zhao")
        third = await session.scalar(select(Workspace.id).where(Workspace.chat_id == -1003))
        session.add(Membership(workspace_id=third, person_id=zhao.id, role="director"))
        await session.flush()
        asked = await office.office_for(caller(session, zhao), ACTION, "report")
        assert isinstance(asked, Answer)  # remembered office no longer allows it: ask again
        labels = [b.label for row in asked.replies[0].buttons for b in row]
        assert labels == ["一号办公室", "三号办公室"]


async def test_office_shows_the_current_choice_and_asks(database: Database) -> None:
    first, _ = await world(database)
    async with database.session() as session:
        zhao = await someone(session, "zhao")
        fresh = await office.office_command(caller(session, zhao))
        assert "还没有选择办公室" in fresh.replies[0].text
        zhao.office_id = first
        current = await office.office_command(caller(session, zhao))
        assert "一号办公室" in current.replies[0].text
        assert len(current.replies[0].buttons) == 2
        only = await office.office_command(caller(session, await someone(session, "qian")))
        assert "只在一个办公室" in only.replies[0].text and only.replies[0].buttons == []
        none = await office.office_command(caller(session, await someone(session, "sun")))
        assert "没有权限" in none.replies[0].text
        in_group = Caller(session, zhao, "zh-CN", NOW, -1001, False)
        assert "私聊" in (await office.office_command(in_group)).replies[0].text


async def test_a_month_old_question_is_forgotten_when_the_next_is_asked(
    database: Database,
) -> None:
    await world(database)
    async with database.session() as session:
        zhao = await someone(session, "zhao")
        old = Caller(session, zhao, "zh-CN", NOW - office.KEPT - timedelta(minutes=1), 1, True)
        await office.office_for(old, ACTION, "probe")
        old_id = await session.scalar(select(OfficeQuestion.id))
        await office.office_for(caller(session, zhao), ACTION, "probe")
    async with database.session() as session:
        zhao = await someone(session, "zhao")
        gone = await office.press(caller(session, zhao), f"of:{old_id}:1", None)
        assert gone.toast == "这个按钮已失效。"
    assert await questions(database) == 1
