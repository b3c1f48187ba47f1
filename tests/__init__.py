"""The test suite. Its processes keep their bytecode, even where it is turned off.

The team's machines set ``PYTHONDONTWRITEBYTECODE``, so each of the suite's processes (the
pytest controller, eight xdist workers, every bot) would compile lihui, the sandbox and
the tests from source again, and pytest would rewrite every test module's assertions
again: some 4 s of CPU per worker. This package is imported before anything else of the
suite's (the first conftest is ``tests/conftest.py``), so from here on bytecode is kept,
outside the checkout, in one directory that the bot processes share
(:data:`PYCACHE`, also used by tests/e2e/harness.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

PYCACHE = Path(tempfile.gettempdir()) / "lihui-test-pycache"

if sys.dont_write_bytecode:
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(PYCACHE)
