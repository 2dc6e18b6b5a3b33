"""How the Go gateway reads JSON request bodies into its structs (encoding/json semantics).

Clients observe these rules through which bodies get a 400 and which get through
(gateway-protocol.md section 2): bodies are truncated at the route's cap, not refused; only the
first JSON value counts (trailing data is ignored); unknown fields are ignored; object keys match
struct fields case-insensitively (an exact match wins, a later duplicate overwrites); `null`
leaves a field at its zero value; a type mismatch on a known field, `NaN`, or a fraction for an
integer field is an error. Error texts imitate Go's where a route echoes them (`/api/relay/test`).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

__all__ = [
    "FieldKind",
    "GoJSONError",
    "decode_go_object",
    "go_string",
    "go_trim_space",
    "read_capped_body",
]

# string, bool, float64, int64, interface{} (any JSON value), and the chat `messages` slice.
FieldKind = Literal["string", "bool", "float", "int", "any", "messages"]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_JSON_TYPE_NAMES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "bool",
    int: "number",
    float: "number",
}
_GO_TYPE_NAMES = {
    "string": "string",
    "bool": "bool",
    "float": "float64",
    "int": "int64",
    "messages": "[]main.chatMessage",
}
_WHITESPACE = re.compile(r"[ \t\r\n]*")
# unicode.IsSpace, which strings.TrimSpace uses: Python's str.strip() also strips \x1c-\x1f.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _one_byte_at_a_time(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd", error.start + 1


codecs.register_error("agentfm-go-utf8", _one_byte_at_a_time)


def go_string(data: bytes) -> str:
    """Bytes as Go sees them when it writes a string as JSON: every byte that is not part of
    valid UTF-8 is one U+FFFD (Python's "replace" would fold a truncated sequence into one)."""
    return data.decode("utf-8", "agentfm-go-utf8")


def go_trim_space(text: str) -> str:
    """Go's strings.TrimSpace: the gateway's blank checks and trims use this whitespace set."""
    return text.strip(_GO_SPACE)


class GoJSONError(ValueError):
    """The body is not what Go's decoder accepts; `str()` is Go's error text (approximately)."""


class _FloatLiteral(str):
    """A JSON number literal with a fraction or exponent (Go refuses it for int64 fields)."""


def _reject_constant(name: str) -> Any:
    raise GoJSONError(f"invalid character '{name[0]}' looking for beginning of value")


_DECODER = json.JSONDecoder(
    parse_float=_FloatLiteral,
    parse_constant=_reject_constant,
)


def _without_lone_surrogates(text: str) -> str:
    # Go replaces invalid \ud800-style escapes with U+FFFD; Python would keep lone surrogates.
    return _SURROGATE.sub("\ufffd", text)


def _first_value(body: bytes) -> Any:
    """The first JSON value of the body, as Go's json.Decoder.Decode reads it."""
    text = go_string(body)
    start = _WHITESPACE.match(text)
    offset = start.end() if start else 0
    if offset == len(text):
        raise GoJSONError("EOF")
    try:
        value, _ = _DECODER.raw_decode(text, offset)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text):
            raise GoJSONError("unexpected EOF") from None
        # An error on the last few characters of a truncated body is really an early EOF.
        character = text[exc.pos]
        truncated = "Expecting" in exc.msg and not text[exc.pos :].strip()
        if truncated or "Unterminated string" in exc.msg:
            raise GoJSONError("unexpected EOF") from None
        context = "looking for beginning of value"
        if exc.msg.startswith("Expecting ',' delimiter"):
            context = (
                "after object key:value pair"
                if _in_object(text, exc.pos)
                else "after array element"
            )
        elif exc.msg.startswith("Expecting ':' delimiter"):
            context = "after object key"
        elif exc.msg.startswith("Expecting property name"):
            context = "looking for beginning of object key string"
        elif exc.msg.startswith("Invalid control character"):
            context = "in string literal"
        shown = "'\\''" if character == "'" else f"'{character}'"
        raise GoJSONError(f"invalid character {shown} {context}") from None
    return value


def _in_object(text: str, position: int) -> bool:
    # Good enough for an error message: the innermost unclosed bracket before the error.
    depth_marks = [character for character in text[:position] if character in "{}[]"]
    stack: list[str] = []
    for mark in depth_marks:
        if mark in "{[":
            stack.append(mark)
        elif stack:
            stack.pop()
    return bool(stack) and stack[-1] == "{"


def _type_error(value: Any, kind: FieldKind, field_path: str) -> GoJSONError:
    json_type = _JSON_TYPE_NAMES.get(type(value), "number")
    if isinstance(value, _FloatLiteral):
        json_type = "number"
    if json_type == "number" and kind in ("int", "float"):
        json_type = f"number {value}"
    return GoJSONError(
        f"json: cannot unmarshal {json_type} into Go struct field {field_path} "
        f"of type {_GO_TYPE_NAMES.get(kind, 'interface {}')}"
    )


def _convert(value: Any, kind: FieldKind, field_path: str) -> Any:
    """The Go value for one non-null JSON value, or GoJSONError on a type mismatch."""
    if kind == "any":
        return _plain(value)
    if kind == "string":
        if isinstance(value, str) and not isinstance(value, _FloatLiteral):
            return _without_lone_surrogates(value)
        raise _type_error(value, kind, field_path)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise _type_error(value, kind, field_path)
    if kind == "int":
        in_range = isinstance(value, int) and _INT64_MIN <= value <= _INT64_MAX
        if in_range and not isinstance(value, bool):
            return value
        raise _type_error(value, kind, field_path)
    if kind == "float":
        if isinstance(value, _FloatLiteral) or (
            isinstance(value, int) and not isinstance(value, bool)
        ):
            number = float(value)
            if math.isfinite(number):
                return number
        raise _type_error(value, kind, field_path)
    # messages: []struct{Role string; Content string}
    if not isinstance(value, list):
        raise _type_error(value, kind, field_path)
    messages: list[dict[str, str]] = []
    for item in value:
        if item is None:
            messages.append({"role": "", "content": ""})
            continue
        if not isinstance(item, dict):
            raise _type_error(item, "messages", field_path)
        fields = _match_fields(item, {"role": "string", "content": "string"}, field_path)
        messages.append({"role": fields.get("role", ""), "content": fields.get("content", "")})
    return messages


def _plain(value: Any) -> Any:
    """Undo the decoder's literal markers for an interface{} field."""
    if isinstance(value, _FloatLiteral):
        return float(value)
    if isinstance(value, str):
        return _without_lone_surrogates(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _match_fields(
    raw: Mapping[str, Any], fields: Mapping[str, FieldKind], struct_name: str
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    first_error: GoJSONError | None = None
    for key, value in raw.items():
        name = key if key in fields else _fold_match(key, fields)
        if name is None:
            continue  # unknown fields are ignored
        if value is None:
            continue  # null leaves the Go field at its zero value
        try:
            result[name] = _convert(value, fields[name], f"{struct_name}.{name}")
        except GoJSONError as exc:
            # Go keeps decoding and reports the first mismatch at the end.
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return result


def _fold_match(key: str, fields: Mapping[str, FieldKind]) -> str | None:
    folded = key.casefold()
    for name in fields:
        if name.casefold() == folded:
            return name
    return None


def decode_go_object(
    body: bytes, fields: Mapping[str, FieldKind], *, struct_name: str = "request"
) -> dict[str, Any]:
    """Decode `body` into a struct with `fields`; only fields present and non-null are returned.

    A top-level `null` decodes to the zero struct (an empty dict), as in Go.
    """
    raw = _first_value(body)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        json_type = _JSON_TYPE_NAMES.get(type(raw), "number")
        raise GoJSONError(
            f"json: cannot unmarshal {json_type} into Go value of type main.{struct_name}"
        )
    # The decoder builds dicts with later duplicates overwriting earlier ones, as Go does.
    return _match_fields(raw, fields, struct_name)


async def read_capped_body(
    receive: Callable[[], Awaitable[Mapping[str, Any]]], limit: int
) -> bytes:
    """The request body truncated to `limit` bytes (Go's io.LimitReader, not a 413)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = bytes(message.get("body", b""))
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)[:limit]
