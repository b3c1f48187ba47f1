"""``lihui audit export --chat CHAT_ID FILE``: the office's audit log as CSV or XLSX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import migrated_database
from bot.config import Config


async def cmd_audit_export(args: argparse.Namespace, config: Config) -> int:
    from bot import audit
    from bot.i18n import translate
    from bot.people import workspace_for_chat

    path: Path = args.file
    if path.suffix.lower() not in (".csv", ".xlsx"):
        print(translate(config.locale, "cli.audit.bad_extension", path=path), file=sys.stderr)
        return 2
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await workspace_for_chat(session, args.chat)
            entries = await audit.all_entries(session, workspace.id) if workspace else []
    finally:
        await database.dispose()
    if workspace is None:
        print(translate(config.locale, "cli.no_workspace", chat_id=args.chat), file=sys.stderr)
        return 1
    audit.write_export(path, audit.export_rows(entries))
    print(translate(config.locale, "cli.audit.exported", count=len(entries), path=path))
    return 0


def add_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the audit log of an office")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write a chat's audit log to .csv or .xlsx")
    export.add_argument("file", type=Path, metavar="FILE")
    export.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    export.set_defaults(handler=cmd_audit_export)
