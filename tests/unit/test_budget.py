"""The flood budget's two kindnesses: a repeat refunded, and a dropped press answered (paced).

``Budget.take`` and ``first_refusal`` are covered in ``test_access_core.py``; these are the
parts added so that Telegram's redeliveries cost nobody their budget (``refund``) and a
dropped press still stops its spinner without a script's flood turning into as many
answerCallbackQuery calls (``may_answer``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.access.budget import ANSWER_BURST, ANSWERS_PER_SECOND, Budget

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
PERSON, OTHER = 7, 8


def dry(budget: Budget, key: int, at: datetime) -> None:
    while budget.take(key, at):
        pass


def test_a_refund_gives_back_the_one_update_a_repeat_spent() -> None:
    budget = Budget(capacity=3, per_second=0.001)
    dry(budget, PERSON, T0)
    budget.refund(PERSON)
    assert budget.take(PERSON, T0)  # the refunded one
    assert not budget.take(PERSON, T0)  # and no more


def test_a_refund_never_lifts_the_budget_above_its_capacity() -> None:
    budget = Budget(capacity=2, per_second=0.001)
    assert budget.take(PERSON, T0)
    for _ in range(10):  # many repeats of one handled update
        budget.refund(PERSON)
    assert [budget.take(PERSON, T0) for _ in range(3)] == [True, True, False]


def test_a_refund_to_someone_never_seen_creates_nothing_and_touches_nobody_else() -> None:
    budget = Budget(capacity=2, per_second=0.001)
    dry(budget, OTHER, T0)
    budget.refund(PERSON)
    assert not budget.take(OTHER, T0)  # the other person's dry budget stays dry
    assert [budget.take(PERSON, T0) for _ in range(3)] == [True, True, False]


def test_dropped_presses_are_answered_in_a_burst_then_at_the_answer_rate() -> None:
    budget = Budget(capacity=1, per_second=0.001)
    dry(budget, PERSON, T0)
    answered = [budget.may_answer(PERSON, T0) for _ in range(20)]
    assert answered == [True] * int(ANSWER_BURST) + [False] * (20 - int(ANSWER_BURST))
    later = T0 + timedelta(seconds=1 / ANSWERS_PER_SECOND)
    assert budget.may_answer(PERSON, later)  # one answer back after a second
    assert not budget.may_answer(PERSON, later)


def test_the_answer_burst_refills_only_to_its_size() -> None:
    budget = Budget(capacity=1, per_second=0.001)
    dry(budget, PERSON, T0)
    much_later = T0 + timedelta(hours=1)
    answered = [budget.may_answer(PERSON, much_later) for _ in range(10)]
    assert answered.count(True) == int(ANSWER_BURST)


def test_each_person_has_their_own_answers() -> None:
    budget = Budget(capacity=1, per_second=0.001)
    dry(budget, PERSON, T0)
    dry(budget, OTHER, T0)
    for _ in range(int(ANSWER_BURST)):
        assert budget.may_answer(PERSON, T0)
    assert not budget.may_answer(PERSON, T0)
    assert budget.may_answer(OTHER, T0)


def test_a_clock_set_back_refills_no_answers() -> None:
    budget = Budget(capacity=1, per_second=0.001)
    dry(budget, PERSON, T0)
    for _ in range(int(ANSWER_BURST)):
        assert budget.may_answer(PERSON, T0)
    assert not budget.may_answer(PERSON, T0 - timedelta(hours=1))


def test_someone_the_budget_has_not_seen_may_always_be_answered() -> None:
    assert all(Budget().may_answer(PERSON, T0) for _ in range(10))
