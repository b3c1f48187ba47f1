"""Read a Bot API request's parameters the way Telegram does, then check them.

Why: python-telegram-bot sends ``application/x-www-form-urlencoded`` (every value a string;
lists and objects JSON-encoded), ``multipart/form-data`` when files are attached (a file
either as the parameter itself or as a part named by ``attach://<name>``), and other
clients send JSON or query strings. All of them must end up as one typed dict, checked
against the method's parameter list from the schema: unknown parameters and missing
required ones are refused with Telegram's 400 envelope.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from sandbox.errors import bad_request
from sandbox.schema import ARRAY_PREFIX, PRIMITIVES, MethodSpec, Schema
from sandbox.upload import UploadedFile

_ATTACH_RE = re.compile(r"attach://([\w.-]+)")
_INT_RE = re.compile(r"^-?\d+$")
_NO_VALUE = object()


async def read_raw(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Every parameter as sent (strings, or JSON values for a JSON body) and every file part."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.can_read_body:
        return values, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an object")
        values.update(body)
        return values, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, FileField):
            files[name] = UploadedFile(value.file.read(), value.filename, value.content_type)
        else:
            values[name] = value
    return values, files


def check_params(
    schema: Schema, method: MethodSpec, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> dict[str, Any]:
    """Typed parameters of ``method``; 400 for unknown, missing or ill-typed ones."""
    attached = _attach_names(raw)
    raw = dict(raw)
    for name, upload in files.items():
        if name in method.params:
            raw[name] = upload
        elif name not in attached:
            raise bad_request(f"unknown parameter '{name}' for method {method.name}")
    params: dict[str, Any] = {}
    for name, value in raw.items():
        spec = method.params.get(name)
        if spec is None:
            raise bad_request(f"unknown parameter '{name}' for method {method.name}")
        params[name] = _coerce(schema, name, value, spec.types, files)
    for spec in method.params.values():
        if spec.required and (params.get(spec.name) in (None, "")):
            raise bad_request(_missing(method.name, spec.name))
    return params


def _missing(method: str, name: str) -> str:
    if name == "text":
        return "message text is empty"
    return f"{name} is empty (required parameter of {method})"


def _attach_names(raw: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for value in raw.values():
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        names.update(_ATTACH_RE.findall(text))
    return names


def _coerce(
    schema: Schema, name: str, value: Any, types: tuple[str, ...], files: dict[str, UploadedFile]
) -> Any:
    problems: list[str] = []
    for type_name in types:
        converted = _convert(type_name, value, files)
        if converted is _NO_VALUE:
            problems.append(f"expected {type_name}")
            continue
        if type_name in PRIMITIVES:
            return converted
        found = schema.problems(converted, (type_name,), name)
        if not found:
            return converted
        problems += found
    if any(t not in PRIMITIVES for t in types):
        raise bad_request(f"can't parse {name} JSON object: {'; '.join(problems[:3])}")
    raise bad_request(f"invalid {name}: {' or '.join(problems)}, got {value!r}")


def _convert(type_name: str, value: Any, files: dict[str, UploadedFile]) -> Any:
    """``value`` as ``type_name`` if it can be read so, else ``_NO_VALUE``."""
    if type_name == "Integer":
        if isinstance(value, bool):
            return _NO_VALUE
        if isinstance(value, int):
            return value
        return int(value) if isinstance(value, str) and _INT_RE.match(value.strip()) else _NO_VALUE
    if type_name == "Float":
        try:
            return float(value) if not isinstance(value, bool) else _NO_VALUE
        except (TypeError, ValueError):
            return _NO_VALUE
    if type_name in ("Boolean", "True"):
        return _boolean(value, type_name)
    if type_name == "String":
        if isinstance(value, str):
            return value
        return (
            str(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else (_NO_VALUE)
        )
    if type_name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        match = _ATTACH_RE.fullmatch(value) if isinstance(value, str) else None
        return files.get(match.group(1), _NO_VALUE) if match else _NO_VALUE
    if isinstance(value, str) and (type_name.startswith(ARRAY_PREFIX) or type_name[:1].isupper()):
        try:
            return json.loads(value)
        except ValueError:
            return _NO_VALUE
    return value


def _boolean(value: Any, type_name: str) -> Any:
    if isinstance(value, bool):
        result = value
    elif isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        result = value.lower() in ("true", "1")
    elif isinstance(value, int):
        result = bool(value)
    else:
        return _NO_VALUE
    return _NO_VALUE if type_name == "True" and not result else result
