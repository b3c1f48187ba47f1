"""The good-practice buttons other commands show (``/report`` under its week's reports).

Kept apart from :mod:`bot.rollups.commands` so that showing a button imports nothing of
the roll-ups' compilers. A press is handled by :func:`bot.rollups.commands.button`
(``ru:hq:<group id>:<period key>``): the report is chosen, and its title follows with
``/highlight TITLE``.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import translate
from bot.replies import Button, Keyboard

PER_ROW = 2


def practice_buttons(groups: Iterable[tuple[int, str]], period_key: str, locale: str) -> Keyboard:
    """One "⭐ group" button per (group id, name) that reported the week, two to a row."""
    buttons = [
        Button(
            translate(locale, "rollups.highlight.group_button", group=name),
            f"ru:hq:{gid}:{period_key}",
        )
        for gid, name in groups
    ]
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
