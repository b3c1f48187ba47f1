"""Frozen dataclasses to JSON and back, for the content of a published bulletin.

Small on purpose: the shapes it must carry are the compilers' own (dataclasses of strings,
numbers, booleans, dates, instants, optionals and tuples), and reading them back by their
type hints means a stored bulletin comes back as the very objects the renderers take.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any


def dump(value: Any) -> Any:
    """A JSON-able copy: dataclasses become dicts, tuples lists, dates ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {str(key): dump(item) for key, item in value.items()}
    if isinstance(value, date):  # datetime too: both have isoformat
        return value.isoformat()
    return value


def load(kind: Any, data: Any) -> Any:
    """The value of type ``kind`` that :func:`dump` turned into ``data``."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return load(options[0], data)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(load(item, element) for element in data)
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        return {load(key_type, k): load(value_type, v) for k, v in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        known = {f.name for f in dataclasses.fields(kind)}
        return kind(**{name: load(hints[name], v) for name, v in data.items() if name in known})
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is float:
        return float(data)
    return data


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
