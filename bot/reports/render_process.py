"""The render process: draws files for the bot, one at a time, until it is idle.

``python -m bot.reports.render_process IDLE_SECONDS``, started by :mod:`bot.reports.outputs`.
Each request on stdin is a pickled ``(function, args)``; each answer on stdout is a pickled
``(True, result)`` or ``(False, exception)``, both framed by an 8-byte length. The process
ends on end of input (the bot stopped or died) or after ``IDLE_SECONDS`` without a request,
which gives the renderers' memory back to the machine; the bot starts a new one for the
next file.

It imports nothing of the bot's stack (no SQLAlchemy, no Telegram library): only what the
functions it is asked to run import.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable
from typing import IO, Any

_LENGTH = 8
QUIET_SECONDS = 0.5  # no request for this long after a job: time to give memory back


def write_frame(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_LENGTH, "big") + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next value; ``EOFError`` when the other side has gone."""
    size = int.from_bytes(_read_exactly(stream, _LENGTH), "big")
    return pickle.loads(_read_exactly(stream, size))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _answer(make: Callable[..., object], args: tuple[object, ...]) -> tuple[bool, object]:
    try:
        return True, make(*args)
    except Exception as error:  # the bot raises it again where it asked
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        return False, error


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except AttributeError:  # not glibc (musl, macOS): nothing to trim
        return None


def serve(requests: IO[bytes], answers: IO[bytes], idle_seconds: float) -> None:
    trim = _malloc_trim()
    untidy = False  # a job ran since memory was last given back
    while True:
        timeout = QUIET_SECONDS if untidy else idle_seconds
        if not select.select([requests], [], [], timeout)[0]:
            if not untidy:
                return  # idle: leave, and the renderers' memory with this process
            _tidy(trim)
            untidy = False
            continue
        try:
            make, args = read_frame(requests)
        except EOFError:
            return
        write_frame(answers, _answer(make, args))
        del make, args
        untidy = True


def _tidy(trim: Callable[[int], int] | None) -> None:
    """Give memory back once the bot has stopped asking for a moment (an export button is
    often pressed right after the chart, and should not wait for this): a figure is a web
    of cycles that only the collector frees, and a big bulletin's figure and XML are freed
    in pieces that glibc's allocator would otherwise keep for as long as the process lives.
    """
    gc.collect()
    if trim is not None:
        trim(0)


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group; the bot ends this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = os.fdopen(sys.stdin.fileno(), "rb", buffering=0)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print() must not corrupt the answers
    serve(requests, answers, float(sys.argv[1]))


if __name__ == "__main__":
    main()
