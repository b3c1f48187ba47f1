"""``lihui roles grant|revoke|list``: roles from the command line, for bootstrap and recovery.

So an office can start before anyone binds the chat in Telegram: the operator names the
office chat and a person (``@username`` or id), and the core (:mod:`bot.access.roles`) does the
rest, audit-logged like a change made in the chat.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import migrated_database
from bot.config import Config


async def cmd_roles(args: argparse.Namespace, config: Config) -> int:
    from bot.access import roles
    from bot.clock import now
    from bot.i18n import translate

    def say(key: str, **params: object) -> str:
        return translate(config.locale, key, **params)

    database = await migrated_database(config)
    try:
        async with database.session() as session:
            if args.roles_command == "list":
                lines = _listing(await roles.holders(session, args.chat), say)
            else:
                if not args.user:
                    raise roles.RoleError("roles.error.user", {"user": ""})
                act = roles.grant if args.roles_command == "grant" else roles.revoke
                lines = _described(await act(session, args.chat, args.user, args.role, now()), say)
    except roles.RoleError as error:
        print(say(error.key, **error.params), file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print("\n".join(lines))
    return 0


def _role(say: Any, role: str | None) -> str:
    return say(f"roles.name.{role}") if role else "—"


def _described(change: Any, say: Any) -> list[str]:
    if change.after is None:
        lines = [say("roles.revoked", user=change.holder.label, role=_role(say, change.before))]
    elif change.before == change.after:
        lines = [say("roles.unchanged", user=change.holder.label, role=_role(say, change.after))]
    else:
        lines = [
            say(
                "roles.granted",
                user=change.holder.label,
                role=_role(say, change.after),
                before=_role(say, change.before),
            )
        ]
    if change.demoted is not None:
        lines.append(say("roles.demoted", user=change.demoted.label))
    return lines


def _listing(holders: list[Any], say: Any) -> list[str]:
    if not holders:
        return [say("roles.none")]
    return [f"{_role(say, h.role)}\t{h.label}" for h in holders]


def add_commands(commands: Any) -> None:
    roles = commands.add_parser("roles", help="grant, revoke or list roles in an office")
    actions = roles.add_subparsers(dest="roles_command", required=True, metavar="ACTION")
    for name, help_text in (
        ("grant", "give a person a role (one director: the previous one becomes staff)"),
        ("revoke", "take a person's role away"),
        ("list", "list who holds which role"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--chat", type=int, required=True, metavar="CHAT_ID")
        if name != "list":
            action.add_argument("--user", metavar="@USERNAME|ID")
            action.add_argument("--role", metavar="director|staff|member")
        action.set_defaults(handler=cmd_roles)
