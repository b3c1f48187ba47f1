"""``python -m sandbox --port 8081``: run the fake Telegram Bot API standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from sandbox.server import DEFAULT_TOKEN, SandboxServer
from sandbox.state import DEFAULT_BOT_USERNAME


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the default bot's token")
    parser.add_argument("--bot-username", default=DEFAULT_BOT_USERNAME)
    parser.add_argument("--no-flood-limits", action="store_true")
    parser.add_argument("--lenient", action="store_true", help="turn strict schema checks off")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = SandboxServer(
        token=args.token,
        bot_username=args.bot_username,
        flood_limits=not args.no_flood_limits,
        strict=not args.lenient,
    )
    await server.start(args.host, args.port)
    print(f"Telegram sandbox on {server.url}  (base_url {server.bot_api_base_url})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
