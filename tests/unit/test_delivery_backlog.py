"""A fan-out worker's backlog: deliveries in order, a held chat's set aside until its wait ends."""

from __future__ import annotations

from handlers.delivery import Backlog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_deliveries_come_in_order_and_a_set_aside_one_when_its_wait_is_over() -> None:
    clock = Clock()
    backlog = Backlog([1, 2, 3], clock)
    assert backlog.pop() == 1
    backlog.set_aside(1, 30.0)
    assert [backlog.pop(), backlog.pop()] == [2, 3]
    assert backlog.pop() is None
    assert backlog.wait() == 30.0
    clock.now += 29.5
    assert backlog.pop() is None and backlog.wait() == 0.5
    clock.now += 0.5
    assert backlog.wait() == 0.0
    assert backlog.pop() == 1
    assert backlog.pop() is None and backlog.wait() is None


def test_a_due_set_aside_delivery_goes_before_the_rest_and_the_soonest_first() -> None:
    clock = Clock()
    backlog = Backlog([1, 2, 3, 4], clock)
    backlog.pop(), backlog.pop()
    backlog.set_aside(1, 10.0)
    backlog.set_aside(2, 5.0)
    assert backlog.wait() == 0.0  # 3 and 4 are ready
    clock.now += 10.0
    assert [backlog.pop() for _ in range(4)] == [2, 1, 3, 4]
    assert backlog.wait() is None
