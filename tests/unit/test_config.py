"""Configuration: defaults, one-line errors naming the variable, and no token in logs."""

from __future__ import annotations

import logging

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, RedactingFilter, load

TOKEN = "123456789:AAEhBOweik9ai2o4GJFI8n_example-token"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_URL", "LIHUI_TIMEZONE",
        "LIHUI_LOCALE", "LIHUI_WEBHOOK_URL", "LIHUI_WEBHOOK_SECRET", "LIHUI_LOG_LEVEL",
        "LIHUI_WEBHOOK_PORT", "LIHUI_RENDER_IDLE_SECONDS",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    config = load(env_file=None)
    assert config.database_url == DEFAULT_DATABASE_URL
    assert config.timezone == "Asia/Shanghai" and config.locale == "zh-CN"
    assert config.api_base_url == "https://api.telegram.org/bot"
    assert config.file_base_url == "https://api.telegram.org/file/bot"
    assert config.render_idle_seconds == 600
    assert TOKEN not in repr(config)


def test_another_bot_api_server_derives_its_file_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    assert load(env_file=None).file_base_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_BASE_URL", "ftp://example"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "::::"),
        ("LIHUI_TIMEZONE", "Mars/Olympus"),
        ("LIHUI_LOCALE", "fr"),
        ("LIHUI_LOG_LEVEL", "LOUD"),
        ("LIHUI_WEBHOOK_PORT", "99999"),
        ("LIHUI_WEBHOOK_SECRET", "has spaces"),
        ("LIHUI_RENDER_IDLE_SECONDS", "soon"),
        ("LIHUI_RENDER_IDLE_SECONDS", "0"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load(env_file=None)
    message = str(error.value)
    assert message.startswith(variable) and "\n" not in message
    assert TOKEN not in message


def test_missing_token_is_named() -> None:
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN"):
        load(env_file=None)


def test_bad_token_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "12345:short")
    with pytest.raises(ConfigError) as error:
        load(env_file=None)
    assert "short" not in str(error.value)


def test_the_token_is_redacted_from_log_records() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )
    RedactingFilter([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage() and "<redacted>" in record.getMessage()


def test_a_webhook_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LIHUI_WEBHOOK_URL", "https://example.org/hook")
    with pytest.raises(ConfigError, match=r"^LIHUI_WEBHOOK_SECRET: required"):
        load(env_file=None)
