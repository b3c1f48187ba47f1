"""The README's promises are checked, so that a green CI proves the README."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README.md must open with a bash block holding the two commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    demo_command, test_command = readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines
    # The first command brings a fresh clone to the demo page, installing what it needs.
    assert demo_command.startswith("python3 -m pip install -q uv==")
    assert demo_command.endswith("uv run --locked lihui demo")


def test_running_the_real_bot_is_in_the_operator_section() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operator = readme[readme.index("## Operator commands") :]
    assert "TELEGRAM_BOT_TOKEN=" in operator and "lihui run" in operator
