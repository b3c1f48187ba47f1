"""What the test bots' fork server loads before it forks any bot (tests/e2e/harness.py).

Importing it is the point: the bot's own modules, then what a bot would otherwise load
again in every forked child on first use (httpx's connection pool and its asyncio backend
at the first request, the SQL dialect and driver at the first connection, the CA bundle
for the HTTP clients), which cost each forked bot about a fifth of its CPU.
"""

# ruff: noqa: F401 (imported for what importing does)

import aiosqlite
import anyio._backends._asyncio
import asyncpg
import httpcore
import sqlalchemy.dialects.postgresql.asyncpg
import sqlalchemy.dialects.sqlite.aiosqlite

import bot.app
import bot.cli
import bot.launch

bot.app.tls_context()
