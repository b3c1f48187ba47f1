"""The one door to the file renderers: charts (PNG), Word (DOCX) and Excel (XLSX).

Files are drawn in a render process of their own, started for the first file, which leaves
once it has been idle for a while (:data:`IDLE_SECONDS`, ``LIHUI_RENDER_IDLE_SECONDS``):

- matplotlib, python-docx and openpyxl cost about 55 MB once imported, and drawing a
  1,000-group bulletin leaves a few hundred more behind in the allocator. In the bot's own
  process that memory stayed for good; in the render process it goes when the process does,
  so between Mondays the bot holds what its dialogs need and no more.
- A chart is pure CPU under the GIL. Drawn in another process it no longer slows the event
  loop, so a /report or Monday's bulletin does not make anyone's dialog step wait.
- A renderer that crashes (out of memory, a broken font) takes only the render process
  down; the next file starts a new one.

The price is the renderers' import in the new process, once per busy spell (about half a
second with compiled bytecode): the first file after a quiet spell is that much slower, the
rest are not.

What crosses to the render process is plain data (:mod:`bot.reports.layout`, a roll-up's
summary) and a module-level function to apply to it, both pickled. The functions are named
here or in a module that imports its heavy libraries only when it draws
(:mod:`bot.rollups.charts`), so that naming one does not import matplotlib into the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import select
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TypeVar, cast

from bot.reports.layout import BulletinChart, OfficialDocument, Sheet
from bot.reports.render_process import read_frame, write_frame

log = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_SECONDS = 600.0  # a /report and the export buttons pressed after it share one process
# A 1,000-group bulletin is drawn in about a second; a file that takes minutes will not come,
# and must not hold every file after it.
TIMEOUT_SECONDS = 300.0


class RenderFailed(RuntimeError):
    """The render process ended while drawing, twice in a row, or did not answer in time."""


class RenderProcess:
    """The bot's end of the render process (:mod:`bot.reports.render_process`).

    Driven from one thread, so files are drawn one after another: a burst of /report
    queues rather than drawing many bulletins' worth of memory at once, and the event loop
    never blocks on the pipe.
    """

    def __init__(
        self, idle_seconds: float = IDLE_SECONDS, timeout_seconds: float = TIMEOUT_SECONDS
    ) -> None:
        self.idle_seconds = idle_seconds
        self.timeout_seconds = timeout_seconds
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The render process's id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def call(self, make: Callable[..., T], args: tuple[object, ...]) -> T:
        """``make(*args)`` in the render process, started first if none runs."""
        try:
            ok, value = self._exchange(make, args)
        except (EOFError, OSError):
            # It died under the job (killed, out of memory), or left just then for being
            # idle. Once more in a new one; a job that kills it every time fails like any
            # other renderer error.
            log.warning("the render process ended; drawing %s in a new one", make.__name__)
            self.stop()
            try:
                ok, value = self._exchange(make, args)
            except (EOFError, OSError) as error:
                self.stop()
                raise RenderFailed(
                    f"the render process ended while drawing {make.__name__}"
                ) from error
        if not ok:
            raise cast(BaseException, value)
        return cast(T, value)

    def _exchange(self, make: Callable[..., T], args: tuple[object, ...]) -> tuple[bool, object]:
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        write_frame(process.stdin, (make, args))
        if not select.select([process.stdout], [], [], self.timeout_seconds)[0]:
            self.stop(kill=True)
            raise RenderFailed(f"{make.__name__} took more than {self.timeout_seconds:.0f} s")
        return cast(tuple[bool, object], read_frame(process.stdout))

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            command = [sys.executable, "-m", "bot.reports.render_process", f"{self.idle_seconds}"]
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            # Reaped as soon as it leaves (idle or killed), not left a zombie until the next
            # file; Popen's wait and poll are safe to call from two threads.
            threading.Thread(
                target=self._process.wait, name="lihui-render-reaper", daemon=True
            ).start()
        return self._process

    def stop(self, kill: bool = False) -> None:
        """End the render process: its input closes and it leaves (or, stuck, it is
        killed); the next job starts one."""
        process, self._process = self._process, None
        if process is None:
            return
        if kill:
            process.kill()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                # Closing its input flushes what a failed write left in the buffer: into a
                # process that is gone, that is a broken pipe, and nothing to report.
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_RENDERER = RenderProcess()
# The one thread that talks to the render process (see RenderProcess).
_RENDER_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lihui-render")


def configure(idle_seconds: float) -> None:
    """How long the render process outlives its last file (``LIHUI_RENDER_IDLE_SECONDS``)."""
    _RENDERER.idle_seconds = idle_seconds


def stop() -> None:
    """End the render process now (the bot stopping); waits for a file being drawn."""
    _RENDER_THREAD.submit(_RENDERER.stop).result()


async def rendered(make: Callable[..., T], *args: object) -> T:
    """``make(*args)`` in the render process: ``make`` is a module-level function whose
    module does not import a renderer until called, and ``args`` are plain data."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_RENDER_THREAD, functools.partial(_RENDERER.call, make, args))


async def chart_png(chart: BulletinChart) -> bytes:
    return await rendered(draw_chart, chart)


async def document_docx(document: OfficialDocument) -> bytes:
    return await rendered(draw_document, document)


async def workbook_xlsx(sheets: Sequence[Sheet], created: date | None = None) -> bytes:
    return await rendered(draw_workbook, sheets, created)


# --- in the render process ------------------------------------------------------------------


def draw_chart(chart: BulletinChart) -> bytes:
    from bot.reports.charts import render_bulletin_chart

    return render_bulletin_chart(chart)


def draw_document(document: OfficialDocument) -> bytes:
    from bot.reports.docx import render_document

    return render_document(document)


def draw_workbook(sheets: Sequence[Sheet], created: date | None) -> bytes:
    from bot.reports.xlsx import render_workbook

    return render_workbook(sheets, created=created)
