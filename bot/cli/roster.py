"""``lihui roster import|export|sample`` and ``lihui sample``; none needs a token."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import migrated_database
from bot.config import Config


async def cmd_roster_import(args: argparse.Namespace, config: Config) -> int:
    from bot.roster import RosterError, apply_roster, read_roster

    try:
        groups = read_roster(args.file)
    except RosterError as error:
        print("\n".join(error.lines(config.locale)), file=sys.stderr)
        return 1
    database = await migrated_database(config)
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

    database = await migrated_database(config)
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

    database = await migrated_database(config)
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


def add_commands(commands: Any) -> None:
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
