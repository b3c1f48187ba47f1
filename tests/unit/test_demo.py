"""The demo's pure parts: where its clock starts and stops, its cast, its saved chats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from demo import snapshot
from demo.cast import cast_list
from demo.runner import initial_moment
from demo.steps import jump_target, stops_until, upcoming
from sandbox import actions
from sandbox.state import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_starts_when_reports_open_in_the_current_week() -> None:
    # Tuesday 1 December 2026, 08:52 UTC (16:52 in Shanghai): week 49 opens Thursday 3rd.
    tuesday = datetime(2026, 12, 1, 8, 52, tzinfo=UTC)
    assert initial_moment(tuesday, SHANGHAI) == datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    # Sunday night in Shanghai is still week 49, whose Thursday has passed.
    sunday = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)
    assert initial_moment(sunday, SHANGHAI) == datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)


def test_the_next_stops_follow_the_week_from_thursday_morning() -> None:
    thursday = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)  # reports have just opened
    stops = [(stop.step, stop.at) for stop in upcoming(thursday, SHANGHAI)]
    assert stops == [
        ("remind", datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)),
        ("deadline", datetime(2026, 12, 4, 18, 0, tzinfo=SHANGHAI)),
        ("summary", datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI)),
        ("agenda", datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)),
        ("open", datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)),
    ]
    first = upcoming(thursday, SHANGHAI)[0]
    assert jump_target(first) == datetime(2026, 12, 4, 11, 59, 58, tzinfo=SHANGHAI)


def test_a_walk_to_monday_passes_every_step_on_the_way() -> None:
    thursday = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    monday = datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI)
    walk = [stop.step for stop in stops_until(thursday, monday, SHANGHAI)]
    assert walk == ["remind", "deadline", "summary"]
    assert stops_until(thursday, thursday, SHANGHAI) == []


def test_the_cast_carries_the_sample_rosters_usernames() -> None:
    cast = cast_list()
    usernames = {p.username for p in cast}
    assert {f"sample_contact{n:02d}" for n in range(1, 14)} <= usernames
    assert {"sample_director", "sample_staff01", "sample_member01"} <= usernames
    roles = {p.role for p in cast}
    assert roles == {"director", "staff", "member", "contact", "deputy", "stranger"}
    first = next(p for p in cast if p.username == "sample_contact01")
    assert first.groups == ["党群服务中心提质组（示例）"]
    deputies = [p for p in cast if p.role == "deputy"]
    assert len(deputies) == 5 and all(len(p.groups) == 1 for p in deputies)
    stranger = next(p for p in cast if p.role == "stranger")
    assert not stranger.in_office and stranger.language_code == "en"


async def test_saved_chats_come_back_with_their_files_and_update_numbers(tmp_path: Path) -> None:
    world = World()
    bot = world.default_bot
    alice = world.create_user("王晓明", username="sample_contact01")
    group = world.create_group("办公室")
    group.members = {alice.id: "creator", bot.id: "member"}
    actions.send_text(world, bot, alice, group.id, "大家好")
    actions.send_text(world, bot, alice, alice.id, "/start")
    photo = world.store_file(b"\x89PNG-bytes", "photos", "jpg", width=1, height=1)
    next_update = bot.updates.next_update_id
    snapshot.save(world, tmp_path)

    again = World()
    assert snapshot.restore(again, tmp_path)
    assert [m.data["text"] for m in again.groups[group.id].log.messages.values()] == ["大家好"]
    private = again.default_bot.private_logs[alice.id]
    assert [m.data["text"] for m in private.messages.values()] == ["/start"]
    assert again.files[photo.file_id].data == b"\x89PNG-bytes"
    assert again.default_bot.started == {alice.id}
    assert again.default_bot.updates.next_update_id == next_update
    # New people and groups get new numbers, never one already in use.
    assert again.create_user("新人").id == alice.id + 1
    assert again.create_group("第二个群").id == group.id - 1


def test_nothing_saved_means_a_fresh_sandbox(tmp_path: Path) -> None:
    assert not snapshot.restore(World(), tmp_path)
    (tmp_path / "sandbox.json").write_text("{not json", encoding="utf-8")
    assert not snapshot.restore(World(), tmp_path)
