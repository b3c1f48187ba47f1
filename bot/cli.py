"""The ``lihui`` command line: one sub-command per operator task (README lists them).

Each sub-command is a small function that loads the configuration, does its work through
the core, and prints a short result. Configuration errors end the program with one line
(exit code 2), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
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


# --- roster and sample data (bot/roster.py, bot/sample.py) ---


async def _migrated_database(config: Config) -> Database:
    """The configured database with its schema current, so a fresh machine just works."""
    database = Database(config.database_url)
    await upgrade(database)
    return database


async def cmd_roster_import(args: argparse.Namespace, config: Config) -> int:
    from bot.roster import RosterError, apply_roster, read_roster

    try:
        groups = read_roster(args.file)
    except RosterError as error:
        print("\n".join(error.lines(config.locale)), file=sys.stderr)
        return 1
    database = await _migrated_database(config)
    try:
        async with database.session() as session:
            summary = await apply_roster(session, args.chat, groups, title=args.title)
    finally:
        await database.dispose()
    print(summary.describe(config.locale))
    return 0


async def cmd_roster_export(args: argparse.Namespace, config: Config) -> int:
    from bot.i18n import translate
    from bot.people import workspace_for_chat
    from bot.roster import RosterError, load_roster, write_roster

    database = await _migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await workspace_for_chat(session, args.chat)
            groups = await load_roster(session, args.chat)
    finally:
        await database.dispose()
    if workspace is None:
        print(
            translate(config.locale, "roster.export.no_workspace", chat_id=args.chat),
            file=sys.stderr,
        )
        return 1
    try:
        write_roster(args.file, groups)
    except RosterError as error:
        print("\n".join(error.lines(config.locale)), file=sys.stderr)
        return 1
    print(translate(config.locale, "roster.export.summary", count=len(groups), path=args.file))
    return 0


async def cmd_roster_sample(args: argparse.Namespace, config: Config) -> int:
    from bot.i18n import translate
    from bot.roster import RosterError, write_roster
    from bot.sample import sample_roster

    groups = sample_roster()
    try:
        write_roster(args.file, groups)
    except RosterError as error:
        print("\n".join(error.lines(config.locale)), file=sys.stderr)
        return 1
    print(translate(config.locale, "roster.sample.summary", count=len(groups), path=args.file))
    return 0


async def cmd_sample(args: argparse.Namespace, config: Config) -> int:
    from bot.sample import SampleError, load_sample

    database = await _migrated_database(config)
    try:
        async with database.session() as session:
            summary = await load_sample(session, args.chat, args.weeks, args.groups, seed=args.seed)
    except SampleError as error:
        print(error.translated(config.locale), file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print(summary.describe(config.locale))
    return 0


def _add_roster_commands(commands: Any) -> None:
    """``lihui roster import|export|sample`` and ``lihui sample``; none needs a token."""
    roster = commands.add_parser("roster", help="import or export the task-group roster")
    actions = roster.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
    for name, handler, help_text in (
        ("import", cmd_roster_import, "import a roster file (.csv or .xlsx) into a chat"),
        ("export", cmd_roster_export, "export a chat's roster to a file (.csv or .xlsx)"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("file", type=Path, metavar="FILE")
        action.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
        action.set_defaults(handler=handler)
    actions.choices["import"].add_argument("--title", help="the workspace's title")
    sample_file = actions.add_parser("sample", help="write the sample roster to a file")
    sample_file.add_argument("file", type=Path, metavar="FILE")
    sample_file.set_defaults(handler=cmd_roster_sample)

    sample = commands.add_parser("sample", help="load sample data into a sample workspace")
    sample.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    sample.add_argument("--weeks", type=int, default=8, metavar="N")
    sample.add_argument("--groups", type=int, default=13, metavar="M")
    sample.add_argument("--seed", type=int, default=0, metavar="S")
    sample.set_defaults(handler=cmd_sample)


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

    # --- roster and sample data (bot/roster.py, bot/sample.py) ---
    _add_roster_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
