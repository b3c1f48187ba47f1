"""The sender's flood gate, on a hand-moved clock: limits, lanes and per-chat pauses; and a
fan-out's backlog, which sets a paused chat's delivery aside until its wait is over."""

from __future__ import annotations

import asyncio

import pytest

from handlers.delivery import Backlog
from handlers.flood import FloodControl, FloodGate, Limits

PERSON, OTHER, GROUP = 1001, 1002, -100500

LIMITS = Limits(
    overall_rate=10.0,
    overall_burst=5.0,
    reserve=2.0,
    group_per_minute=20.0,
    private_rate=1.0,
    private_burst=1.0,
)


def drain(gate: FloodGate, now: float, count: int) -> None:
    for _ in range(count):
        gate.take(PERSON, False, False, now)


def test_replies_go_at_once_within_the_burst_then_at_the_overall_rate() -> None:
    gate = FloodGate(LIMITS)
    drain(gate, 0.0, 5)  # the burst of 5 is used up
    assert gate.delay(PERSON, False, False, 0.0) == 0.1  # one token at 10 a second
    assert gate.delay(PERSON, False, False, 0.1) == 0.0


def test_bulk_leaves_the_reserve_to_replies() -> None:
    gate = FloodGate(LIMITS)
    drain(gate, 0.0, 2)  # 3 tokens left: bulk needs 1 + reserve 2 = 3
    assert gate.delay(OTHER, False, True, 0.0) == 0.0
    gate.take(OTHER, False, True, 0.0)  # 2 left: only replies may use them now
    assert gate.delay(PERSON + 5, False, True, 0.0) == 0.1
    assert gate.delay(PERSON, False, False, 0.0) == 0.0


def test_bulk_yields_while_a_reply_waits() -> None:
    gate = FloodGate(LIMITS)
    gate.replies_waiting = 1
    assert gate.delay(OTHER, False, True, 0.0) == 0.1  # 1 / overall rate
    gate.replies_waiting = 0
    assert gate.delay(OTHER, False, True, 0.0) == 0.0


def test_bulk_into_one_private_chat_is_paced_but_a_reply_is_not() -> None:
    gate = FloodGate(LIMITS)
    gate.take(PERSON, False, True, 0.0)
    assert gate.delay(PERSON, False, True, 0.0) == 1.0  # private burst 1, then 1 a second
    assert gate.delay(PERSON, False, False, 0.0) == 0.0


def test_a_group_gets_twenty_a_minute_in_both_lanes() -> None:
    gate = FloodGate(Limits(overall_rate=100.0, overall_burst=100.0, reserve=0.0))
    for _ in range(20):
        assert gate.delay(GROUP, True, False, 0.0) == 0.0
        gate.take(GROUP, True, False, 0.0)
    assert gate.delay(GROUP, True, False, 0.0) == pytest.approx(3.0)  # 60 s / 20
    assert gate.delay(GROUP, True, True, 0.0) == pytest.approx(3.0)


def test_retry_after_pauses_only_its_chat() -> None:
    gate = FloodGate(LIMITS)
    gate.pause(PERSON, 30.0, 10.0)
    assert gate.delay(PERSON, False, False, 10.0) == 30.0
    assert gate.delay(PERSON, False, False, 25.0) == 15.0
    assert gate.delay(OTHER, False, False, 10.0) == 0.0
    assert gate.delay(OTHER, False, True, 10.0) == 0.0
    assert gate.delay(PERSON, False, False, 40.0) == 0.0


def test_forgetting_idle_chats_keeps_busy_ones() -> None:
    gate = FloodGate(LIMITS)
    gate.take(PERSON, False, True, 0.0)
    gate.take(OTHER, False, True, 0.0)
    gate.pause(GROUP, 5.0, 0.0)
    gate.forget_idle(0.5)  # both private buckets still refilling, the pause still on
    assert gate.delay(PERSON, False, True, 0.5) == 0.5
    gate.forget_idle(10.0)
    assert gate._chats == {} and gate._paused == {}


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_the_control_waits_out_a_chats_pause_and_counts_album_photos() -> None:
    time = FakeTime()
    control = FloodControl(LIMITS, clock=time.clock, sleep=time.sleep)
    control.retry_after(PERSON, 2.0)
    await control.slot(PERSON)
    assert time.now == 2.0
    await control.slot(OTHER, messages=5)  # 4 tokens refilled + ... needs a 0.1 s wait
    assert control.gate.replies_waiting == 0
    assert round(time.now, 3) == 2.1


async def test_an_edit_waits_only_for_the_chats_pause() -> None:
    time = FakeTime()
    control = FloodControl(LIMITS, clock=time.clock, sleep=time.sleep)
    await control.slot(OTHER, messages=5)  # the burst is gone
    await control.slot(PERSON, messages=0)
    assert time.now == 0.0
    control.retry_after(PERSON, 3.0)
    await control.slot(PERSON, messages=0)
    assert time.now == 3.0


def test_a_backlog_gives_deliveries_in_order_and_a_set_aside_one_when_its_wait_is_over() -> None:
    time = FakeTime()
    backlog = Backlog([1, 2, 3], time.clock)
    assert backlog.pop() == 1
    backlog.set_aside(1, 30.0)
    assert [backlog.pop(), backlog.pop()] == [2, 3]
    assert backlog.pop() is None
    assert backlog.wait() == 30.0
    time.now += 29.5
    assert backlog.pop() is None and backlog.wait() == 0.5
    time.now += 0.5
    assert backlog.wait() == 0.0
    assert backlog.pop() == 1
    assert backlog.pop() is None and backlog.wait() is None


def test_a_due_set_aside_delivery_goes_before_the_rest_and_the_soonest_first() -> None:
    time = FakeTime()
    backlog = Backlog([1, 2, 3, 4], time.clock)
    backlog.pop(), backlog.pop()
    backlog.set_aside(1, 10.0)
    backlog.set_aside(2, 5.0)
    assert backlog.wait() == 0.0  # 3 and 4 are ready
    time.now += 10.0
    assert [backlog.pop() for _ in range(4)] == [2, 1, 3, 4]
    assert backlog.wait() is None
