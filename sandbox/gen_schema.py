"""Regenerate ``sandbox/bot_api_schema.json`` from the scraped Bot API reference.

Why: the sandbox must speak the real Bot API and nothing else, so it checks every request
and every object it returns against Telegram's own reference. That reference
(``../shared/telegram-bot-api/api.json``) lives outside the repository and is large, so we
commit a compact derivative instead: method and type names, field names, their types,
required flags, union subtypes, and the constant value of discriminator fields such as
``ChatMemberOwner.status == "creator"`` (read from descriptions like 'always "creator"').

Usage::

    uv run python -m sandbox.gen_schema [PATH_TO_api.json]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

DEFAULT_SOURCE = Path("../shared/telegram-bot-api/api.json")
TARGET = Path(__file__).with_name("bot_api_schema.json")

# 'Type of the message origin, always "user"' / 'Type of the result, must be photo'
_CONST_PATTERNS = (
    re.compile(r'always [“"]([\w-]+)[”"]'),
    re.compile(r"must be ([a-z_]+)$"),
)


def _const_of(field: dict[str, Any]) -> str | None:
    """The fixed value of a discriminator field, when the description states one."""
    if field["types"] != ["String"] or not field.get("required"):
        return None
    description = field.get("description", "")
    for pattern in _CONST_PATTERNS:
        match = pattern.search(description)
        if match:
            return match.group(1)
    return None


def _compact_fields(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    compact: dict[str, dict[str, Any]] = {}
    for field in fields:
        entry: dict[str, Any] = {"types": field["types"], "required": bool(field["required"])}
        const = _const_of(field)
        if const is not None:
            entry["const"] = const
        compact[field["name"]] = entry
    return compact


def compact_schema(api: dict[str, Any]) -> dict[str, Any]:
    """Strip the reference down to what request and object validation needs."""
    methods = {
        name: {"params": _compact_fields(spec.get("fields", [])), "returns": spec["returns"]}
        for name, spec in sorted(api["methods"].items())
    }
    types: dict[str, Any] = {}
    for name, spec in sorted(api["types"].items()):
        entry: dict[str, Any] = {"fields": _compact_fields(spec.get("fields", []))}
        if spec.get("subtypes"):
            entry["subtypes"] = spec["subtypes"]
        types[name] = entry
    return {
        "version": api.get("version"),
        "release_date": api.get("release_date"),
        "methods": methods,
        "types": types,
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    api = json.loads(source.read_text(encoding="utf-8"))
    schema = compact_schema(api)
    TARGET.write_text(
        json.dumps(schema, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {TARGET} ({len(schema['methods'])} methods, {len(schema['types'])} types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
