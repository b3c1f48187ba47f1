"""``lihui run`` as an operator meets it when something is wrong: one clear line, no secret."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sandbox.server import ThreadedSandbox
from tests.e2e.harness import bot_env, lihui_executable

pytestmark = pytest.mark.e2e

TOKEN = "987654321:secret-part-of-the-token-xyz"


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [lihui_executable(), "run"], env=env, capture_output=True, text=True, timeout=60
    )


def test_without_a_token_it_says_so(tmp_path: Path, sandbox: ThreadedSandbox) -> None:
    env = bot_env(
        sandbox_api=sandbox.bot_api_base_url,
        token="",
        database_url="sqlite+aiosqlite://",
        clock_file=tmp_path / "clock",
    )
    env.pop("TELEGRAM_BOT_TOKEN")
    result = run(env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("lihui: TELEGRAM_BOT_TOKEN")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_api_is_one_line_without_the_token(tmp_path: Path) -> None:
    env = bot_env(
        sandbox_api="http://127.0.0.1:9/bot",
        token=TOKEN,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        clock_file=tmp_path / "clock",
    )
    result = run(env)
    assert result.returncode == 1
    assert "cannot reach the Bot API at http://127.0.0.1:9/bot" in result.stderr
    assert "secret-part-of-the-token" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
