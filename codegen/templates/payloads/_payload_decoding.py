"""Strict decoding of JSON into the generated payload dataclasses.

codegen/render.py copies this module into the generated package as
`agentfm_gateway/_payload_decoding.py`; every class in `agentfm_gateway/payloads.py` decodes
through it in `from_dict` / `from_json`. Payloads arrive
from the network (a webhook body, an event's data line), so a missing key or a value of the wrong
type is refused with a ValueError naming the field, and keys the gateway may add later are ignored.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, cast

_PayloadT = TypeVar("_PayloadT")


def _decode_dataclass(cls: type[_PayloadT], data: object) -> _PayloadT:
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__}: expected a JSON object, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cast(Any, cls)):
        where = f"{cls.__name__}.{field.name}"
        if field.name in data:
            values[field.name] = _decode_value(hints[field.name], data[field.name], where)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ValueError(f"{where}: required key is missing")
    return cast(_PayloadT, cast(Any, cls)(**values))


def _decode_value(annotation: Any, value: object, where: str) -> Any:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if annotation is Any:
        return value
    if origin is typing.Union or origin is types.UnionType:
        for member in arguments:
            try:
                return _decode_value(member, value, where)
            except ValueError:
                continue
        raise ValueError(f"{where}: {value!r} matches none of {annotation}")
    if annotation is type(None):
        if value is None:
            return None
        raise ValueError(f"{where}: expected null, got {value!r}")
    if origin is typing.Literal:
        if value in arguments:
            return value
        raise ValueError(f"{where}: expected one of {list(arguments)}, got {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected an array, got {value!r}")
        return [_decode_value(arguments[0], item, f"{where}[{i}]") for i, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: expected an object, got {value!r}")
        return {
            key: _decode_value(arguments[1], item, f"{where}.{key}") for key, item in value.items()
        }
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _decode_dataclass(annotation, value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
    elif annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif annotation is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"{where}: the payload decoder does not handle {annotation!r}")
    raise ValueError(f"{where}: expected {annotation.__name__}, got {value!r}")
