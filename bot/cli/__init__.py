"""The ``lihui`` command line: one sub-command per operator task (README lists them).

This module holds the entry point, ``run`` and ``db``; every other concern keeps its
sub-commands in a module of its own beside it (``roster.py`` ...), each with an
``add_commands`` that :func:`build_parser` calls.

Each sub-command is a small function that loads the configuration, does its work through
the core, and prints a short result. Configuration errors end the program with one line
(exit code 2), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bot import config as config_module
from bot.config import Config, ConfigError
from bot.i18n import translate
from storage.db import Database
from storage.migrate import upgrade

Command = Callable[[argparse.Namespace, Config], Coroutine[Any, Any, int]]


async def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.app import run_bot  # the bot stack is imported only by the command that runs it

    try:
        await run_bot(config)
    except InvalidToken:
        print("lihui: TELEGRAM_BOT_TOKEN: the Bot API server refused the token", file=sys.stderr)
        return 1
    except NetworkError as error:
        where = config.api_base_url
        print(f"lihui: cannot reach the Bot API at {where} ({error.message})", file=sys.stderr)
        return 1
    return 0


async def cmd_db_upgrade(args: argparse.Namespace, config: Config) -> int:
    database = Database(config.database_url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    print(translate(config.locale, "cli.db_upgraded"))
    return 0


async def migrated_database(config: Config) -> Database:
    """The configured database with its schema current, so a fresh machine just works."""
    database = Database(config.database_url)
    await upgrade(database)
    return database


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lihui", description="例会助手 lihui")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (needs TELEGRAM_BOT_TOKEN)")
    run.set_defaults(handler=cmd_run, needs_token=True)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply schema migrations").set_defaults(
        handler=cmd_db_upgrade
    )

    # Each concern adds its own sub-commands from its module in this package.
    from bot.cli import audit, calendar, demo, jobs, report, roles, rollups, roster, workspace

    modules = (roster, roles, jobs, calendar, report, rollups, audit, workspace, demo)
    for module in modules:
        module.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.handler is not cmd_run:
        gc.enable()  # only the bot keeps the collector off until its start-up is frozen
    try:
        config = config_module.load(require_token=getattr(args, "needs_token", False))
    except ConfigError as error:
        print(f"lihui: {error}", file=sys.stderr)
        return 2
    config_module.setup_logging(config)
    handler: Command = args.handler
    try:
        return asyncio.run(handler(args, config))
    except KeyboardInterrupt:
        return 130
    finally:
        from bot.reports import outputs

        outputs.stop()  # a file drawn for this command leaves no render process behind


if __name__ == "__main__":
    sys.exit(main())
