"""``lihui report``: the agenda or the bulletin of a week, as a file (DESIGN §7).

The same content as in the chat, through the same service: Markdown (``md``), the chart
(``png``), Word (``docx``) or Excel (``xlsx``). A published bulletin comes out as it was
published, with its number; otherwise as a preview.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import migrated_database
from bot.config import Config


async def cmd_report(args: argparse.Namespace, config: Config) -> int:
    from bot.clock import now
    from bot.i18n import normalize_locale, translate
    from bot.people import workspace_for_chat
    from bot.periods import InvalidPeriod, parse_period
    from bot.reports import service

    locale = normalize_locale(args.locale or config.locale)
    try:
        key = parse_period(args.period).key if args.period else None
    except InvalidPeriod as error:
        print(error.translated(locale), file=sys.stderr)
        return 2
    database = await migrated_database(config)
    try:
        async with database.session() as session:
            workspace = await workspace_for_chat(session, args.chat)
            if workspace is None:
                message = translate(locale, "reports.cli.no_workspace", chat_id=args.chat)
                print(message, file=sys.stderr)
                return 1
            key = key or await service.current_period_key(session, workspace, now())
            data = await service.render_report(
                session, workspace, key, args.kind, args.format, locale, now()
            )
    finally:
        await database.dispose()
    args.out.write_bytes(data)
    kind = translate(locale, f"reports.kind.{args.kind}")
    print(
        translate(
            locale, "reports.cli.written", path=args.out, kind=kind, format=args.format, period=key
        )
    )
    return 0


# As in bot.reports.service (not imported here: parsing the command line stays light).
KINDS = ("agenda", "bulletin")
FORMATS = ("md", "png", "docx", "xlsx")


def add_commands(commands: Any) -> None:
    report = commands.add_parser("report", help="write a week's agenda or bulletin to a file")
    report.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
    report.add_argument(
        "--period", metavar="PERIOD", help="the week, e.g. 2026-W48 (default: the current one)"
    )
    report.add_argument("--kind", choices=KINDS, default="bulletin")
    report.add_argument("--format", choices=FORMATS, required=True)
    report.add_argument("--out", type=Path, required=True, metavar="FILE")
    report.add_argument("--locale", choices=("zh-CN", "en"), help="default: LIHUI_LOCALE")
    report.set_defaults(handler=cmd_report)
