"""The render process (bot/reports/render_process.py) through the bot's end of it
(bot/reports/outputs.py): a real child process, real pipes, real pickles."""

from __future__ import annotations

import math
import operator
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.reports.outputs import RenderFailed, RenderProcess
from bot.rollups.refusals import RollupRefused


def refuse(fmt: str) -> None:
    raise RollupRefused("rollups.error.no_renderer", format=fmt)


class Unpicklable(Exception):
    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("not across a pipe")


def fail_unpicklably() -> None:
    raise Unpicklable("half-drawn")


def die_once(flag: str) -> str:
    """Kills its process the first time (as the OOM killer would), draws the second."""
    if not os.path.exists(flag):
        open(flag, "w").close()
        os._exit(137)
    return "drawn"


@pytest.fixture
def renderer() -> Iterator[RenderProcess]:
    process = RenderProcess(idle_seconds=60)
    yield process
    process.stop()


def test_a_job_runs_in_another_process_and_its_result_comes_back(renderer: RenderProcess) -> None:
    assert renderer.call(operator.add, (2, 3)) == 5
    pid = renderer.call(os.getpid, ())
    assert pid != os.getpid() and pid == renderer.pid
    assert renderer.call(os.getpid, ()) == pid  # one process serves the jobs that follow


def test_errors_come_back_as_what_they_were(renderer: RenderProcess) -> None:
    with pytest.raises(ValueError, match="math domain error"):
        renderer.call(math.sqrt, (-1,))
    with pytest.raises(RollupRefused) as refused:
        renderer.call(refuse, ("png",))
    assert refused.value.key == "rollups.error.no_renderer"
    assert refused.value.params == {"format": "png"}
    with pytest.raises(RuntimeError, match="Unpicklable: half-drawn"):
        renderer.call(fail_unpicklably, ())
    assert renderer.call(operator.mul, (6, 7)) == 42  # and the process serves on


def test_a_killed_render_process_is_replaced_by_the_next_job(renderer: RenderProcess) -> None:
    first = renderer.call(os.getpid, ())
    os.kill(first, signal.SIGKILL)
    second = renderer.call(os.getpid, ())
    assert second != first
    assert renderer.call(operator.add, (1, 1)) == 2


def test_a_job_that_kills_the_process_is_drawn_once_more(
    renderer: RenderProcess, tmp_path: Path
) -> None:
    first = renderer.call(os.getpid, ())
    assert renderer.call(die_once, (str(tmp_path / "flag"),)) == "drawn"
    assert renderer.pid not in (None, first)
    with pytest.raises(RenderFailed, match="render process ended"):
        renderer.call(os._exit, (1,))  # every time: an error like any other renderer's
    assert renderer.call(operator.add, (1, 1)) == 2


def test_an_idle_render_process_leaves_and_the_next_job_starts_one() -> None:
    renderer = RenderProcess(idle_seconds=0.3)
    try:
        first = renderer.call(os.getpid, ())
        deadline = time.monotonic() + 10
        while renderer.pid is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert renderer.pid is None, "the idle render process is still running"
        assert renderer.call(os.getpid, ()) not in (None, first)
    finally:
        renderer.stop()


def test_stop_ends_the_process(renderer: RenderProcess) -> None:
    pid = renderer.call(os.getpid, ())
    renderer.stop()
    assert renderer.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


def test_a_job_that_does_not_answer_in_time_is_given_up_and_the_next_is_drawn() -> None:
    renderer = RenderProcess(idle_seconds=60, timeout_seconds=0.5)
    try:
        stuck = renderer.call(os.getpid, ())
        with pytest.raises(RenderFailed, match="sleep took more than"):
            renderer.call(time.sleep, (30,))
        with pytest.raises(ProcessLookupError):
            os.kill(stuck, 0)  # killed, and reaped
        assert renderer.call(operator.add, (2, 2)) == 4
    finally:
        renderer.stop()
