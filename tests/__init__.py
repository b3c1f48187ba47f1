"""The test suite. Its processes keep their bytecode, even where it is turned off.

The team's machines set ``PYTHONDONTWRITEBYTECODE``, so each of the suite's processes (the
pytest controller, eight xdist workers, every bot) would compile lihui, the sandbox and
the tests from source again, and pytest would rewrite every test module's assertions
again: some 4 s of CPU per worker. This package is imported before anything else of the
suite's (the first conftest is ``tests/conftest.py``), so from here on bytecode is kept,
where Python keeps it by default: in ``__pycache__`` beside the sources (ignored by git).

Not in a ``pycache_prefix`` directory: Python then looks for bytecode only there, so the
libraries' bytecode that uv installed (``compile-bytecode`` in pyproject.toml) went unread,
and on a fresh clone every worker compiled matplotlib, SQLAlchemy and the rest again at
once, some 30 s of the run. The bots the tests start keep bytecode the same way
(``tests/e2e/harness.py`` ``bot_env``).
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = False
