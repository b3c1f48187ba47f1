"""``lihui jobs list|run``: the weekly cycle's next runs, and one step run by hand.

``jobs run`` goes through the same claim as the scheduler, so running a step that already
happened (by the bot or by an earlier ``jobs run``) sends nothing; a step that was
interrupted is resumed with the messages it had not sent.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli import migrated_database
from bot.config import Config
from bot.cycle import STEPS


def _parse_at(text: str | None, tz: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


async def cmd_jobs_list(args: argparse.Namespace, config: Config) -> int:
    from sqlalchemy import select

    from bot.clock import now
    from bot.cycle import at_text, moved_reason, next_runs, step_name
    from bot.i18n import translate
    from handlers.scheduler import load_entries
    from storage.models import Workspace

    database = await migrated_database(config)
    try:
        async with database.session() as session:
            entries = await load_entries(session)
            query = select(Workspace).order_by(Workspace.id)
            if args.chat is not None:
                query = query.where(Workspace.chat_id == args.chat)
            workspaces = list(await session.scalars(query))
    finally:
        await database.dispose()
    locale = config.locale
    if not workspaces:
        print(translate(locale, "cli.jobs.no_workspace"), file=sys.stderr)
        return 1
    moment = now()
    for workspace in workspaces:
        entry = entries[workspace.id]
        print(
            translate(
                locale,
                "cli.jobs.workspace",
                title=workspace.title,
                chat_id=workspace.chat_id,
                timezone=workspace.timezone,
            )
        )
        for run in next_runs(entry.settings, entry.tz, entry.calendar, moment):
            reason = moved_reason(run, entry.calendar, locale)
            when = at_text(run, locale)
            line = f"  {run.step:<9} {run.key:<9} {when}  {step_name(run.step, locale)}"
            print(f"{line}  ({reason})" if reason else line)
    return 0


async def cmd_jobs_run(args: argparse.Namespace, config: Config) -> int:
    from bot.app import build_application
    from bot.clock import now
    from bot.i18n import translate
    from bot.people import workspace_for_chat
    from handlers.scheduler import Scheduler
    from handlers.sender import Sender

    locale = config.locale
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await workspace_for_chat(session, args.chat)
        if workspace is None:
            print(translate(locale, "cli.jobs.no_workspace"), file=sys.stderr)
            return 1
        try:
            at = _parse_at(args.at, ZoneInfo(workspace.timezone)) or now()
        except ValueError:
            print(translate(locale, "cli.jobs.bad_time", text=args.at), file=sys.stderr)
            return 2
        application = build_application(config)
        async with application:
            scheduler = Scheduler(database, Sender(application.bot), application.bot.username)
            outcome, tally = await scheduler.run_now(args.chat, args.step, at)
    finally:
        await database.dispose()
    print(translate(locale, f"cli.jobs.outcome.{outcome}", step=args.step))
    for line in tally.lines:
        print(f"  {line}")
    print(
        translate(
            locale, "cli.jobs.tally", sent=tally.sent, retried=tally.retried, failed=tally.failed
        )
    )
    return 0 if outcome in ("ran", "resumed", "done", "skipped", "none") else 1


def add_commands(commands: Any) -> None:
    jobs = commands.add_parser("jobs", help="the weekly cycle's scheduled steps")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every workspace's next run of every step")
    listing.add_argument("--chat", type=int, metavar="CHAT_ID")
    listing.set_defaults(handler=cmd_jobs_list)
    run = actions.add_parser("run", help="run one step now (once: through the same claim)")
    run.add_argument("step", choices=STEPS, metavar="STEP", help=", ".join(STEPS))
    run.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    run.add_argument("--at", metavar="ISO_TIME", help="as if at this time (default: now)")
    run.set_defaults(handler=cmd_jobs_run, needs_token=True)
