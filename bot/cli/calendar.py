"""``lihui calendar add|list``: a workspace's holiday and make-up working day overrides.

For years the calendar package does not know yet, and for local arrangements. A running
bot picks a change up within half a minute (its schedule refresh); the change is in the
audit log like one made through ``/settings``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import migrated_database
from bot.config import Config


async def cmd_calendar_add(args: argparse.Namespace, config: Config) -> int:
    from bot.clock import now
    from bot.cycle import settings
    from bot.i18n import translate
    from bot.people import workspace_for_chat

    locale = config.locale
    day = settings.parse_day(args.date)
    if day is None:
        print(translate(locale, "cli.calendar.bad_date", text=args.date), file=sys.stderr)
        return 2
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await workspace_for_chat(session, args.chat)
            if workspace is None:
                print(translate(locale, "cli.jobs.no_workspace"), file=sys.stderr)
                return 1
            is_workday = args.kind == "workday"
            await settings.set_override(
                session, workspace, day, is_workday, args.note or "", None, now()
            )
            await settings.refresh_deadlines(session, workspace, now())
    finally:
        await database.dispose()
    kind = translate(locale, f"cli.calendar.kind.{args.kind}")
    print(translate(locale, "cli.calendar.added", day=day.isoformat(), kind=kind))
    return 0


async def cmd_calendar_list(args: argparse.Namespace, config: Config) -> int:
    from sqlalchemy import select

    from bot.cycle import settings
    from bot.i18n import translate
    from bot.people import workspace_for_chat
    from storage.models import Workspace

    locale = config.locale
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace_id = None
            if args.chat is not None:
                workspace = await workspace_for_chat(session, args.chat)
                if workspace is None:
                    print(translate(locale, "cli.jobs.no_workspace"), file=sys.stderr)
                    return 1
                workspace_id = workspace.id
            rows = await settings.overrides(session, workspace_id)
            chats = {w.id: w.chat_id for w in await session.scalars(select(Workspace))}
    finally:
        await database.dispose()
    if not rows:
        print(translate(locale, "cli.calendar.empty"))
    for row in rows:
        kind = translate(
            locale, "cli.calendar.kind." + ("workday" if row.is_workday else "holiday")
        )
        note = f"  {row.note}" if row.note else ""
        print(f"{chats.get(row.workspace_id, '?')}  {row.day.isoformat()}  {kind}{note}")
    return 0


def add_commands(commands: Any) -> None:
    calendar = commands.add_parser("calendar", help="holiday and make-up working day overrides")
    actions = calendar.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="mark a day as a holiday or a working day")
    add.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    add.add_argument("kind", choices=("holiday", "workday"))
    add.add_argument("--note", metavar="TEXT")
    add.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    add.set_defaults(handler=cmd_calendar_add)
    listing = actions.add_parser("list", help="list the overrides")
    listing.add_argument("--chat", type=int, metavar="CHAT_ID")
    listing.set_defaults(handler=cmd_calendar_list)
