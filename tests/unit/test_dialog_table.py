"""The dialog's table is consistent, and its drawing names exactly its steps."""

from __future__ import annotations

import re
from pathlib import Path

from bot.dialog import ORDER, PARENT, STEPS  # the whole table: the paste adds its steps there
from bot.dialog_steps import EDITABLE

DRAWING = Path(__file__).resolve().parents[2] / "docs" / "dialog.md"


def test_every_main_line_and_sub_step_is_in_the_table() -> None:
    assert set(ORDER) <= set(STEPS)
    assert set(PARENT) <= set(STEPS) and set(PARENT.values()) <= set(STEPS)
    assert set(EDITABLE) <= set(ORDER)


def test_the_drawing_names_exactly_the_steps_of_the_table() -> None:
    text = DRAWING.read_text(encoding="utf-8")
    diagram = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert diagram
    drawn = set(re.findall(r"^\s*(\w+) --> ", diagram.group(1), re.M))
    drawn |= set(re.findall(r"--> (\w+):", diagram.group(1)))
    assert drawn == set(STEPS)
