"""Concurrent handling that keeps each person's order, and the offset that loses nothing."""

from __future__ import annotations

import asyncio

from handlers.ordering import InOrder, Pending, mark_handled, update_keys


async def test_jobs_of_one_key_run_in_order_and_other_keys_run_beside_them() -> None:
    order = InOrder()
    log: list[str] = []
    release = asyncio.Event()

    def job(name: str, wait: asyncio.Event | None = None):  # type: ignore[no-untyped-def]
        async def run() -> None:
            log.append(f"{name} start")
            if wait is not None:
                await wait.wait()
            log.append(f"{name} end")

        return run

    order.submit(update_keys(1, 1), job("a1", release))
    order.submit(update_keys(1, 1), job("a2"))
    order.submit(update_keys(2, 2), job("b1"))
    await asyncio.sleep(0.01)
    assert log == ["a1 start", "b1 start", "b1 end"]  # b did not wait for a
    release.set()
    await order.drain(1.0)
    assert log[3:] == ["a1 end", "a2 start", "a2 end"]
    assert order.running == set() and order._tails == {}


async def test_a_chat_key_orders_two_people_in_one_group() -> None:
    order = InOrder()
    log: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        await release.wait()
        log.append("first")

    async def second() -> None:
        log.append("second")

    order.submit(update_keys(1, -100), first)
    order.submit(update_keys(2, -100), second)  # another person, the same group chat
    await asyncio.sleep(0.01)
    assert log == []
    release.set()
    await order.drain(1.0)
    assert log == ["first", "second"]


async def test_a_failing_job_does_not_stop_the_next_one() -> None:
    order = InOrder()
    log: list[str] = []

    async def failing() -> None:
        raise RuntimeError("boom")

    async def next_one() -> None:
        log.append("ran")

    order.submit([1], failing)
    order.submit([1], next_one)
    await order.drain(1.0)
    assert log == ["ran"]


async def test_mark_handled_reaches_the_callback_of_its_own_job() -> None:
    order = InOrder()
    handled: list[int] = []

    async def job() -> None:
        mark_handled()

    order.submit([1], job, on_handled=lambda: handled.append(1))
    order.submit([2], job, on_handled=lambda: handled.append(2))
    await order.drain(1.0)
    mark_handled()  # outside any job: nothing happens
    assert sorted(handled) == [1, 2]


def test_the_offset_stays_at_the_lowest_update_not_yet_handled() -> None:
    pending = Pending()
    assert pending.offset is None
    assert [pending.fetched(i) for i in (10, 11, 12)] == [True, True, True]
    assert pending.offset == 10
    pending.handled(11)
    pending.handled(12)
    assert pending.offset == 10  # 10 is still in flight: Telegram must keep it
    # The next getUpdates (offset 10) returns 10, 11, 12 again and 13: only 13 is new.
    assert [pending.fetched(i) for i in (10, 11, 12, 13)] == [False, False, False, True]
    pending.handled(10)
    assert pending.offset == 13
    pending.handled(13)
    assert pending.offset == 14 and pending.in_flight == 0
    assert not pending.fetched(12)  # below the offset: handled long ago
