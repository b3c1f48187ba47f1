"""The ``lihui`` program's first lines: no garbage collection while the bot starts.

Starting the bot imports and builds about a hundred thousand objects that live as long as
the process (modules, mappers, handlers, catalogs). Python's collector would walk them
again and again while they are made, about a tenth of the start-up, and find next to
nothing to free. So it is off from the first import until the composition root freezes what
start-up built (``bot.app``) and turns it back on; every other command turns it on as soon
as its arguments are read (``bot.cli.main``).
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from bot.cli import main as command_line

    return command_line()
