"""``lihui demo``: the sandbox, the bot and a sample office in a browser; no token needed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.config import Config


async def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    from demo.runner import Demo, DemoOptions  # the web page is wiring, not core

    options = DemoOptions(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        reset=args.reset,
        weeks=args.weeks,
        locale=config.locale,
    )
    return await Demo(options).run()


def add_commands(commands: Any) -> None:
    demo = commands.add_parser(
        "demo", help="the whole product in a browser, on a local Telegram sandbox (no token)"
    )
    demo.add_argument("--host", default="127.0.0.1", help="where the page listens")
    demo.add_argument("--port", type=int, default=8080, help="the page's port (default 8080)")
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data/demo"),
        metavar="DIR",
        help="the demo's own database, clock and chats (default data/demo)",
    )
    demo.add_argument("--reset", action="store_true", help="forget the demo's data, start afresh")
    demo.add_argument("--weeks", type=int, default=8, help="weeks of sample history (default 8)")
    demo.set_defaults(handler=cmd_demo)
