"""Keep the sandbox's world across demo restarts: users, chats, messages, files, update ids.

Why: the sandbox lives in memory, but the bot's database persists in the data directory.
Restarted on a fresh sandbox, the chats would be empty and, worse, update ids would start
again from the beginning, so the bot would take new messages for updates it has already
handled (it remembers update ids to handle each exactly once) and ignore them. Saving the
world beside the database keeps the two in step; ``--reset`` removes both.

The messages are kept as JSON (``sandbox.json``); file contents are written once each into
``files/``, named by their Telegram ``file_path``.
"""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path
from typing import Any

from sandbox.state import GROUP_ID_BASE, Group, MessageLog, StoredFile, StoredMessage, User, World
from sandbox.updates import UpdateQueue

log = logging.getLogger(__name__)
VERSION = 1


def _log_to_json(message_log: MessageLog) -> dict[str, Any]:
    return {
        "next_id": message_log.next_id,
        "messages": [
            {"data": m.data, "sender_id": m.sender_id, "version": m.version, "markup": m.markup}
            for m in message_log.messages.values()
        ],
    }


def _log_from_json(data: dict[str, Any]) -> MessageLog:
    messages = [StoredMessage(**m) for m in data["messages"]]
    return MessageLog({m.message_id: m for m in messages}, int(data["next_id"]))


def save(world: World, directory: Path) -> None:
    """Write the world (atomically) into ``directory``."""
    files_dir = directory / "files"
    bot = world.default_bot
    for stored in world.files.values():
        target = files_dir / stored.file_path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(stored.data)
    state = {
        "version": VERSION,
        "users": [vars(u) for u in world.users.values()],
        "groups": [
            {
                "id": g.id,
                "title": g.title,
                "username": g.username,
                "members": {str(k): v for k, v in g.members.items()},
                "log": _log_to_json(g.log),
            }
            for g in world.groups.values()
        ],
        "files": [{k: v for k, v in vars(f).items() if k != "data"} for f in world.files.values()],
        "private_logs": {str(k): _log_to_json(v) for k, v in bot.private_logs.items()},
        "started": sorted(bot.started),
        "blocked": sorted(bot.blocked),
        "next_update_id": bot.updates.next_update_id,
    }
    path = directory / "sandbox.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def restore(world: World, directory: Path) -> bool:
    """Load a saved world into a fresh one; False when there is nothing (usable) saved."""
    path = directory / "sandbox.json"
    if not path.exists():
        return False
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("version") != VERSION:
            return False
        _apply(world, state, directory / "files")
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("the saved sandbox in %s is unreadable (%r); starting afresh", path, error)
        return False
    return True


def _apply(world: World, state: dict[str, Any], files_dir: Path) -> None:
    users = [User(**u) for u in state["users"]]
    world.users = {u.id: u for u in users}
    for g in state["groups"]:
        members = {int(k): v for k, v in g["members"].items()}
        group = Group(g["id"], g["title"], g["username"], members, _log_from_json(g["log"]))
        world.groups[group.id] = group
    for f in state["files"]:
        data = (files_dir / f["file_path"]).read_bytes()
        world.files[f["file_id"]] = StoredFile(data=data, **f)
    bot = world.default_bot
    bot.private_logs = {int(k): _log_from_json(v) for k, v in state["private_logs"].items()}
    bot.started = set(state["started"])
    bot.blocked = set(state["blocked"])
    bot.updates = UpdateQueue(int(state["next_update_id"]))
    # New users, groups and files continue the numbering instead of reusing an id.
    world._user_ids = itertools.count(max(world.users, default=100000000) + 1)
    groups = max((GROUP_ID_BASE - g for g in world.groups), default=0)
    world._group_ids = itertools.count(groups + 1)
    world._file_numbers = itertools.count(len(world.files) + 1)
    world.touch()
