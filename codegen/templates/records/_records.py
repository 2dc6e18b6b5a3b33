"""The base of every model the SDK reads from the gateway, and of the SDK's own result types.

codegen/render.py copies this module into the generated package as `agentfm_gateway/_records.py`;
the classes of `agentfm_gateway/records.py` (rendered from schema/openapi.yaml) and the
hand-written results of `agentfm.models` (TaskResult, ScatterResult, ...) are dataclasses deriving
from `Record`.

Reading is lenient, because four gateway generations send different field sets
(docs/reference/gateway-versions.md §7, §8, §11, §15):

* a missing key, or a JSON null where the field is not nullable, takes the field's default;
  only a field declared without a default (one the SDK cannot work without) is refused;
* a key the class does not declare is kept: `model_extra`, attribute access, `model_dump()`;
* a value of the wrong type is refused with `RecordError` naming the field (`Class.field[0].x`),
  so a bad answer fails where it is read, never as a TypeError somewhere later.

`Record` also gives the pydantic-style API the SDK's 0.3.0 models had (`model_validate`,
`model_dump`, `model_dump_json`, `model_copy`, `model_fields`) without importing pydantic.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, ClassVar, TypeVar

from agentfm_gateway.types import parse_datetime

__all__ = ["FieldInfo", "Record", "RecordError"]

RecordT = TypeVar("RecordT", bound="Record")

_MAX_SHOWN_VALUE_CHARS = 80


class RecordError(ValueError):
    """A value cannot be read into a model: `field` names where (`WorkerProfile.hardware`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _shown(value: object) -> str:
    text = repr(value)
    return (
        text if len(text) <= _MAX_SHOWN_VALUE_CHARS else text[: _MAX_SHOWN_VALUE_CHARS - 3] + "..."
    )


class FieldInfo:
    """What `Model.model_fields[name]` describes: the annotation and the default of one field."""

    __slots__ = ("_required", "annotation", "default", "default_factory", "name")

    def __init__(self, field: dataclasses.Field[Any], annotation: Any) -> None:
        self.name = field.name
        self.annotation = annotation
        self.default = None if field.default is dataclasses.MISSING else field.default
        factory = field.default_factory
        self.default_factory = None if factory is dataclasses.MISSING else factory
        self._required = not _has_default(field)

    def is_required(self) -> bool:
        """True for a field without a default: the reader refuses an answer that lacks it."""
        return self._required

    def __repr__(self) -> str:
        return f"FieldInfo(name={self.name!r}, annotation={self.annotation!r})"


# Per class: (name, annotation, dataclass field) of every field, resolved once.
_FIELD_TABLES: dict[type, tuple[tuple[str, Any, dataclasses.Field[Any]], ...]] = {}


def _field_table(cls: type) -> tuple[tuple[str, Any, dataclasses.Field[Any]], ...]:
    table = _FIELD_TABLES.get(cls)
    if table is None:
        # The defining module as locals too: a mixin's annotations name classes of that module.
        hints = typing.get_type_hints(cls, localns=dict(vars(sys.modules[cls.__module__])))
        table = tuple(
            (field.name, hints[field.name], field)
            for field in dataclasses.fields(cls)
            if field.init and not field.name.startswith("_")
        )
        _FIELD_TABLES[cls] = table
    return table


# Per class: the JSON keys its fields read (anything else in an answer is kept as extra).
_JSON_KEYS: dict[type, frozenset[str]] = {}


def _json_keys(cls: type) -> frozenset[str]:
    keys = _JSON_KEYS.get(cls)
    if keys is None:
        keys = frozenset(_json_key(field) for _, _, field in _field_table(cls))
        _JSON_KEYS[cls] = keys
    return keys


class _ModelFields:
    """`Model.model_fields`: a dict of `FieldInfo` by name, on the class and on instances."""

    def __get__(self, instance: object, owner: type) -> dict[str, FieldInfo]:
        if not dataclasses.is_dataclass(owner):
            return {}  # `Record` itself declares no fields
        return {name: FieldInfo(field, hint) for name, hint, field in _field_table(owner)}


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def _json_key(field: dataclasses.Field[Any]) -> str:
    """The key of the field in the gateway's JSON (its name unless the spec renames it)."""
    return str(field.metadata.get("json", field.name))


def _nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def _decode(annotation: Any, value: object, where: str) -> Any:
    """`value` (decoded JSON) as `annotation`, or RecordError naming `where`."""
    if annotation is Any or annotation is object:
        return value
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in arguments:
            return None
        members = [member for member in arguments if member is not type(None)]
        problems = []
        for member in members:
            try:
                return _decode(member, value, where)
            except RecordError as error:
                problems.append(error.problem)
        raise RecordError(where, " or ".join(problems))
    if origin is typing.Literal:
        if value in arguments:
            return value
        raise RecordError(where, f"expected one of {list(arguments)}, got {_shown(value)}")
    if origin in (list, tuple) or annotation in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise RecordError(where, f"expected an array, got {_shown(value)}")
        item_type = arguments[0] if arguments else Any
        items = [_decode(item_type, item, f"{where}[{index}]") for index, item in enumerate(value)]
        return items if origin is list or annotation is list else tuple(items)
    if origin is dict or annotation is dict:
        if not isinstance(value, Mapping):
            raise RecordError(where, f"expected an object, got {_shown(value)}")
        value_type = arguments[1] if len(arguments) == 2 else Any
        return {
            str(key): _decode(value_type, item, f"{where}.{key}") for key, item in value.items()
        }
    if isinstance(annotation, type):
        if issubclass(annotation, Record):
            if isinstance(value, annotation):
                return value
            return annotation._read(value, where)
        return _decode_scalar(annotation, value, where)
    raise TypeError(f"{where}: the model reader does not handle {annotation!r}")


def _decode_scalar(annotation: type, value: object, where: str) -> Any:
    if annotation is bool:
        if isinstance(value, bool):
            return value
        expected = "true or false"
    elif annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        expected = "an integer"
    elif annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        expected = "a number"
    elif annotation is str:
        if isinstance(value, str):
            return value
        expected = "a string"
    elif annotation is datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return parse_datetime(value)
            except ValueError:
                pass
        expected = "an RFC 3339 timestamp"
    elif issubclass(annotation, PurePath):
        if isinstance(value, (str, PurePath)):
            return annotation(value)
        expected = "a path"
    elif isinstance(value, annotation):
        return value
    else:
        expected = f"a {annotation.__name__}"
    raise RecordError(where, f"expected {expected}, got {_shown(value)}")


def _dumped(value: Any, *, json_mode: bool, exclude_none: bool) -> Any:
    if isinstance(value, Record):
        return value._dump(json_mode=json_mode, exclude_none=exclude_none)
    if isinstance(value, (list, tuple)):
        items = [_dumped(item, json_mode=json_mode, exclude_none=exclude_none) for item in value]
        return items if json_mode or isinstance(value, list) else tuple(items)
    if isinstance(value, Mapping):
        return {
            key: _dumped(item, json_mode=json_mode, exclude_none=exclude_none)
            for key, item in value.items()
        }
    if json_mode:
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, PurePath):
            return str(value)
    return value


class Record:
    """Base of the SDK's models: lenient reading, kept unknown keys, pydantic-style methods.

    Subclasses are `@dataclasses.dataclass(kw_only=True)` classes; every field has a default
    except the few an answer is useless without.
    """

    model_fields: ClassVar[dict[str, FieldInfo]] = typing.cast(Any, _ModelFields())
    # Keys of the JSON object this instance was read from that no field declares.
    _extra: dict[str, Any]
    # The JSON object as received (None when built in code).
    _source: Mapping[str, Any] | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_extra", {})
        object.__setattr__(self, "_source", None)

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def _read(cls: type[RecordT], data: object, where: str) -> RecordT:
        if not isinstance(data, Mapping):
            raise RecordError(where, f"expected a JSON object, got {_shown(data)}")
        values: dict[str, Any] = {}
        for attribute, annotation, field in _field_table(cls):
            name = _json_key(field)
            if name not in data:
                if not _has_default(field):
                    raise RecordError(f"{where}.{name}", "required key is missing")
                continue
            value = data[name]
            if value is None and _has_default(field) and not _nullable(annotation):
                continue  # null where the field has no null: read as absent
            values[attribute] = _decode(annotation, value, f"{where}.{name}")
        record = cls(**values)
        declared = _json_keys(cls)
        object.__setattr__(
            record, "_extra", {key: item for key, item in data.items() if key not in declared}
        )
        object.__setattr__(record, "_source", data)
        return record

    @classmethod
    def model_validate(cls: type[RecordT], obj: Any) -> RecordT:
        """An instance from a decoded JSON object (or an instance, returned as is).

        Missing keys take their defaults, unknown keys are kept, and a wrong type raises
        `RecordError` (a `ValueError`) naming the field.
        """
        if isinstance(obj, cls):
            return obj
        return cls._read(obj, cls.__name__)

    @classmethod
    def model_validate_json(cls: type[RecordT], data: str | bytes) -> RecordT:
        """`model_validate` of a JSON text; malformed JSON raises `RecordError` too."""
        try:
            decoded = json.loads(data)
        except ValueError as error:
            raise RecordError(cls.__name__, f"not JSON ({error})") from None
        return cls.model_validate(decoded)

    @classmethod
    def from_dict(cls: type[RecordT], data: Any) -> RecordT:
        """The same as `model_validate`."""
        return cls.model_validate(data)

    @classmethod
    def from_json(cls: type[RecordT], data: str | bytes) -> RecordT:
        """The same as `model_validate_json` (e.g. for a webhook request body)."""
        return cls.model_validate_json(data)

    # --- writing --------------------------------------------------------------------------

    def _dump(self, *, json_mode: bool, exclude_none: bool) -> dict[str, Any]:
        dumped: dict[str, Any] = {}
        for name, _, _ in _field_table(type(self)):
            value = getattr(self, name)
            if exclude_none and value is None:
                continue
            dumped[name] = _dumped(value, json_mode=json_mode, exclude_none=exclude_none)
        for key, value in self._extra.items():
            if not (exclude_none and value is None):
                dumped[key] = _dumped(value, json_mode=json_mode, exclude_none=exclude_none)
        return dumped

    def model_dump(
        self,
        *,
        mode: str = "python",
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """The fields (and kept unknown keys) as a dict; `mode="json"` gives JSON-ready values."""
        dumped = self._dump(json_mode=mode == "json", exclude_none=exclude_none)
        if include is not None:
            wanted = set(include)
            dumped = {key: value for key, value in dumped.items() if key in wanted}
        if exclude is not None:
            unwanted = set(exclude)
            dumped = {key: value for key, value in dumped.items() if key not in unwanted}
        return dumped

    def model_dump_json(
        self,
        *,
        indent: int | None = None,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        exclude_none: bool = False,
    ) -> str:
        """`model_dump(mode="json")` as JSON text (compact unless `indent` is given)."""
        dumped = self.model_dump(
            mode="json", include=include, exclude=exclude, exclude_none=exclude_none
        )
        separators = (",", ":") if indent is None else None
        return json.dumps(dumped, ensure_ascii=False, indent=indent, separators=separators)

    def model_copy(
        self: RecordT, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> RecordT:
        """A copy with `update` applied (not validated, as in pydantic); `deep` copies nested
        values too. Keys that are not fields are kept as unknown keys."""
        duplicate = copy.deepcopy(self) if deep else copy.copy(self)
        object.__setattr__(duplicate, "_extra", dict(self._extra))
        object.__setattr__(duplicate, "_source", None)
        declared = {name for name, _, _ in _field_table(type(self))}
        for key, value in (update or {}).items():
            if key in declared:
                object.__setattr__(duplicate, key, value)
            else:
                duplicate._extra[key] = value
        return duplicate

    @property
    def model_extra(self) -> dict[str, Any]:
        """The keys of the answer that this SDK's model does not declare (newer gateways')."""
        return self._extra

    @property
    def raw(self) -> dict[str, Any]:
        """The JSON object exactly as the gateway sent it (as `model_dump(mode="json")` when the
        instance was built in code)."""
        if self._source is not None:
            return dict(self._source)
        return self.model_dump(mode="json")

    if not typing.TYPE_CHECKING:
        # Unknown keys read as attributes, as pydantic's `extra="allow"` did. Hidden from type
        # checkers, so a misspelt field is still an error in typed code.
        def __getattr__(self, name: str) -> Any:
            if not name.startswith("_"):
                extra = self.__dict__.get("_extra")
                if extra is not None and name in extra:
                    return extra[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
