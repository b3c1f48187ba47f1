"""Which commands exist, who may use them, and how they are described to Telegram."""

from __future__ import annotations

from bot.i18n import translate

# (command, roles that may use it; empty = everyone), in the order /help lists them.
COMMANDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("submit", frozenset({"contact"})),
    ("mystatus", frozenset({"contact"})),
    ("cancel", frozenset({"contact"})),
    ("report", frozenset({"director", "staff"})),
    ("agenda", frozenset({"director", "staff"})),
    ("bulletin", frozenset({"director", "staff"})),
    ("decide", frozenset({"director", "staff"})),
    ("decisions", frozenset({"director", "staff", "member"})),
    ("problems", frozenset({"director", "staff", "member"})),
    ("settings", frozenset({"director", "staff"})),
    ("holiday", frozenset({"director", "staff"})),
    ("assess", frozenset({"director", "staff"})),
    ("adjust", frozenset({"director", "staff"})),
    ("monthly", frozenset({"director", "staff"})),
    ("highlight", frozenset({"director", "staff"})),
    ("rubric", frozenset({"director", "staff"})),
    ("roles", frozenset({"director"})),
    ("groups", frozenset({"director", "staff"})),
    ("roster", frozenset({"director", "staff"})),
    ("invite", frozenset({"director", "staff"})),
    ("audit", frozenset({"director"})),
    ("unbind", frozenset({"director"})),
    ("office", frozenset({"director", "staff", "member"})),
    # Everyone may ask; the right is Telegram's: an administrator of the group.
    ("bind", frozenset()),
    ("help", frozenset()),
    ("start", frozenset()),
)

# In a group chat only these make sense; the rest happen in the private chat.
GROUP_COMMANDS = (
    "submit",
    "report",
    "decide",
    "decisions",
    "problems",
    "help",
    "bind",
    "unbind",
    "roles",
    "groups",
    "invite",
    "audit",
)


def available(roles: set[str], private: bool) -> list[str]:
    names = [name for name, allowed in COMMANDS if not allowed or allowed & roles]
    return names if private else [name for name in names if name in GROUP_COMMANDS]


def describe(command: str, locale: str) -> str:
    return translate(locale, f"command.{command}")


def menu(locale: str, private: bool) -> list[tuple[str, str]]:
    """The (command, description) pairs registered with setMyCommands."""
    names = [name for name, _ in COMMANDS] if private else list(GROUP_COMMANDS)
    return [(name, describe(name, locale)) for name in names]
