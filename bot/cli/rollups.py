"""``lihui monthly``, ``lihui assess`` and ``lihui ranking``: the roll-ups as files.

Each writes one file in the format asked (md, png, docx or xlsx) for the workspace of an
office chat, computed at the clock's now; a published assessment is written as stored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import migrated_database
from bot.config import Config

FORMATS = ("md", "png", "docx", "xlsx")


def _fail(text: str) -> int:
    print(f"lihui: {text}", file=sys.stderr)
    return 1


async def _write(args: argparse.Namespace, config: Config, kind: str) -> int:
    from bot import clock
    from bot.i18n import translate
    from bot.people import workspace_for_chat
    from bot.rollups import outputs
    from bot.rollups.assessment import assess, year_ranking
    from bot.rollups.months import InvalidWindow, parse_month, window
    from bot.rollups.refusals import RollupRefused

    locale, now = config.locale, clock.now()
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await workspace_for_chat(session, args.chat)
            if workspace is None:
                return _fail(translate(locale, "roster.export.no_workspace", chat_id=args.chat))
            if kind == "monthly":
                data = await outputs.monthly_file(
                    session, workspace, parse_month(args.month), args.format, locale, now
                )
            elif kind == "year":
                ranking = await year_ranking(session, workspace, args.year, now)
                data = await outputs.year_file(ranking, workspace, args.format, locale, now)
            else:
                span = window(parse_month(args.first), parse_month(args.last))
                assessment = await assess(session, workspace, span, now)
                data = await outputs.assessment_file(
                    assessment, workspace, args.format, locale, now
                )
    except (InvalidWindow, RollupRefused) as error:
        return _fail(error.translated(locale))
    finally:
        await database.dispose()
    args.out.write_bytes(data)
    print(args.out)
    return 0


async def cmd_monthly(args: argparse.Namespace, config: Config) -> int:
    return await _write(args, config, "monthly")


async def cmd_assess(args: argparse.Namespace, config: Config) -> int:
    if args.year is not None:
        return await _write(args, config, "year")
    if not (args.first and args.last):
        return _fail("assess needs --from and --to (months, e.g. 2026-01 and 2026-06) or --year")
    return await _write(args, config, "window")


async def cmd_ranking(args: argparse.Namespace, config: Config) -> int:
    return await _write(args, config, "year")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    parser.add_argument("--format", choices=FORMATS, default="md")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE")


def add_commands(commands: Any) -> None:
    monthly = commands.add_parser("monthly", help="write a month's summary (md, png, docx, xlsx)")
    _common(monthly)
    monthly.add_argument("--month", required=True, metavar="YYYY-MM")
    monthly.set_defaults(handler=cmd_monthly)

    assess = commands.add_parser(
        "assess", help="write the assessment of a run of months, or of a year (--year)"
    )
    _common(assess)
    assess.add_argument("--from", dest="first", metavar="YYYY-MM")
    assess.add_argument("--to", dest="last", metavar="YYYY-MM")
    assess.add_argument("--year", type=int, metavar="YYYY", help="the year's ranking instead")
    assess.set_defaults(handler=cmd_assess)

    ranking = commands.add_parser("ranking", help="write the year's ranking and shortlist")
    _common(ranking)
    ranking.add_argument("--year", type=int, required=True, metavar="YYYY")
    ranking.set_defaults(handler=cmd_ranking)
