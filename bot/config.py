"""Configuration from the environment (and an optional ``.env`` file).

Every variable is read and checked here, once, at start-up. A wrong value stops start-up
with one line that names the variable, so an operator never has to read a traceback; the
bot token is never echoed, not even when it is the value that is wrong.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.i18n import SUPPORTED_LOCALES

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/lihui.sqlite3"
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A configuration value is wrong; the message is one line that names the variable."""


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"
    locale: str = "zh-CN"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    log_level: str = "INFO"
    tick_seconds: float = 2.0  # how often the scheduler asks which steps are due
    # The per-person budget of updates (bot/access/budget.py): a burst, then a steady rate.
    flood_burst: float = 20.0  # bot/access/budget.py says why
    flood_per_second: float = 1.0
    # How long the render process (bot/reports/outputs.py) outlives its last file.
    render_idle_seconds: float = 600.0

    @property
    def file_base_url(self) -> str:
        """The file-download URL in python-telegram-bot's form, derived like Telegram's.

        ``https://api.telegram.org/bot`` becomes ``https://api.telegram.org/file/bot``.
        """
        head, _, tail = self.api_base_url.rstrip("/").rpartition("/")
        return f"{head}/file/{tail}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _check_url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name}: expected an http(s) URL, got {value!r}")
    return value


_PASSWORD_IN_URL = re.compile(r"(?<=://)([^:/@]*):[^/]*@")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``: for anything printed or logged.

    Also for text that does not parse as a URL (a typo in DATABASE_URL still holds the
    password the operator typed).
    """
    return _PASSWORD_IN_URL.sub(r"\1:***@", url)


def database_password(url: str) -> str:
    try:
        return make_url(url).password or ""
    except ArgumentError:
        return ""


def _check_database_url(value: str) -> str:
    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL: not a database URL: {mask_url(value)!r}") from None
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError("DATABASE_URL: expected sqlite+aiosqlite:// or postgresql+asyncpg://")
    return value


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"LIHUI_TIMEZONE: unknown time zone {value!r}") from None
    return value


def _tick_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0.1 <= seconds <= 60:
        raise ConfigError(f"LIHUI_TICK_SECONDS: expected 0.1 to 60 seconds, got {value!r}")
    return seconds


def _webhook_port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"LIHUI_WEBHOOK_PORT: expected a port number, got {value!r}")
    return int(value)


def _positive(name: str, value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < 1e9:
        raise ConfigError(f"{name}: expected a positive number, got {value!r}")
    return number


def load(require_token: bool = True, env_file: Path | None = Path(".env")) -> Config:
    """Read the configuration; raise :class:`ConfigError` on the first wrong value."""
    if env_file is not None and env_file.is_file():
        load_dotenv(env_file, override=False)
    env = os.environ
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if require_token and not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN: not set; ask @BotFather for a token")
    if token and not TOKEN_PATTERN.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN: does not look like a bot token (digits:secret)")
    webhook_url = env.get("LIHUI_WEBHOOK_URL") or None
    webhook_secret = env.get("LIHUI_WEBHOOK_SECRET") or None
    if webhook_url and not webhook_secret:
        # Without it anyone who finds the URL could post forged updates.
        raise ConfigError("LIHUI_WEBHOOK_SECRET: required when LIHUI_WEBHOOK_URL is set")
    if webhook_secret and not SECRET_PATTERN.match(webhook_secret):
        raise ConfigError("LIHUI_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return Config(
        token=token,
        api_base_url=_check_url(
            "TELEGRAM_API_BASE_URL", env.get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL)
        ),
        database_url=_check_database_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
        timezone=_check_timezone(env.get("LIHUI_TIMEZONE", "Asia/Shanghai")),
        locale=_check_choice("LIHUI_LOCALE", env.get("LIHUI_LOCALE", "zh-CN"), SUPPORTED_LOCALES),
        webhook_url=_check_url("LIHUI_WEBHOOK_URL", webhook_url) if webhook_url else None,
        webhook_secret=webhook_secret,
        webhook_listen=env.get("LIHUI_WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=_webhook_port(env.get("LIHUI_WEBHOOK_PORT", "8443")),
        log_level=_check_choice(
            "LIHUI_LOG_LEVEL", env.get("LIHUI_LOG_LEVEL", "INFO").upper(), LOG_LEVELS
        ),
        tick_seconds=_tick_seconds(env.get("LIHUI_TICK_SECONDS", "2")),
        flood_burst=_positive("LIHUI_FLOOD_BURST", env.get("LIHUI_FLOOD_BURST"), 20.0),
        flood_per_second=_positive(
            "LIHUI_FLOOD_PER_SECOND", env.get("LIHUI_FLOOD_PER_SECOND"), 1.0
        ),
        render_idle_seconds=_positive(
            "LIHUI_RENDER_IDLE_SECONDS", env.get("LIHUI_RENDER_IDLE_SECONDS"), 600.0
        ),
    )


class RedactingFilter(logging.Filter):
    """Replaces the bot token in every log record: HTTP client logs carry it in URLs."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<redacted>")
            record.msg, record.args = message, None
        return True


def setup_logging(config: Config) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secrets = [config.token, config.webhook_secret or "", database_password(config.database_url)]
    handler.addFilter(RedactingFilter(secrets))
    logging.basicConfig(level=config.log_level, handlers=[handler], force=True)
    # httpx logs every request URL, and Telegram URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
