"""``lihui workspace purge --chat CHAT_ID --yes``: delete an office and all its data.

/unbind only stops serving an office and keeps its data; this is the deliberate second
step, for the operator, and it asks for ``--yes`` because nothing brings the data back.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import migrated_database
from bot.config import Config


async def cmd_workspace_purge(args: argparse.Namespace, config: Config) -> int:
    from bot.access import membership
    from bot.i18n import translate

    if not args.yes:
        print(translate(config.locale, "cli.purge.needs_yes", chat_id=args.chat), file=sys.stderr)
        return 2
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await membership.purge(session, args.chat)
            title = workspace.title if workspace else ""
    finally:
        await database.dispose()
    if workspace is None:
        print(translate(config.locale, "cli.no_workspace", chat_id=args.chat), file=sys.stderr)
        return 1
    print(translate(config.locale, "cli.purge.done", chat_id=args.chat, title=title))
    return 0


def add_commands(commands: Any) -> None:
    workspace = commands.add_parser("workspace", help="maintain the offices (workspaces)")
    actions = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    purge = actions.add_parser("purge", help="delete an office and all its data (asks --yes)")
    purge.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    purge.add_argument("--yes", action="store_true", help="yes, delete everything")
    purge.set_defaults(handler=cmd_workspace_purge)
