"""How the Go gateway reads JSON request bodies into its structs (encoding/json semantics).

Clients observe these rules through which bodies get a 400 and which get through
(docs/reference/gateway-protocol.md §2): bodies are truncated at the route's cap, not refused; only
the first JSON value counts (trailing data is ignored); unknown fields are ignored; object keys
match struct fields case-insensitively (an exact match wins); members apply in order, so a later
duplicate overwrites an earlier one; `null` leaves a string, bool or number field as it is and
zeroes an interface or slice; a type mismatch on a known field, `NaN`, or a fraction for an integer
field is an error, the first one reported after the whole object was read. Error texts are Go's,
word for word, where a route echoes them (`/api/relay/test`): the syntax errors come from a port of
encoding/json's scanner, the type errors name the struct in the gateway's package (`boss`).
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
_GO_TYPE_NAMES = {
    "string": "string",
    "bool": "bool",
    "float": "float64",
    "int": "int64",
    "messages": "[]boss.chatMessage",
}
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
    """The body is not what Go's decoder accepts; `str()` is Go's error text."""


class _FloatLiteral(str):
    """A JSON number literal with a fraction or exponent (Go refuses it for int64 fields)."""


class _Pairs(list[tuple[str, Any]]):
    """A JSON object's members in order, duplicates kept (Go applies each in turn)."""


def _not_go_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON to Go")


_DECODER = json.JSONDecoder(
    parse_float=_FloatLiteral, parse_constant=_not_go_json, object_pairs_hook=_Pairs
)


def _without_lone_surrogates(text: str) -> str:
    # Go replaces invalid \ud800-style escapes with U+FFFD; Python would keep lone surrogates.
    return _SURROGATE.sub("\ufffd", text)


# --- Go's encoding/json scanner, for its syntax error texts -------------------------------------

_SPACE_BYTES = b" \t\r\n"
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_MAX_NESTING_DEPTH = 10000
# The inside of a string up to its closing quote or first fault, skipped in one go.
_STRING_RUN = re.compile(rb'(?:[^"\\\x00-\x1f]+|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})+')
_OBJECT_KEY, _OBJECT_VALUE, _ARRAY_VALUE = "key", "value", "element"
# Step results, as in Go's scanner.
_CONTINUE, _SKIP_SPACE, _END_OBJECT, _END_ARRAY, _END, _ERROR = range(6)


def _quote_byte(byte: int) -> str:
    """Go's quoteChar: the byte as a rune in single quotes, escaped like strconv.Quote."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    character = chr(byte)  # Go's string(c) reads a byte as the rune U+00XX
    escapes = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
    escapes.update({"\t": "\\t", "\v": "\\v", "\\": "\\\\"})
    if character in escapes:
        return f"'{escapes[character]}'"
    if byte < 0x20 or byte == 0x7F:
        return f"'\\x{byte:02x}'"
    if 0x80 <= byte < 0xA1 or byte == 0xAD:  # not printable to unicode.IsPrint
        return f"'\\u{byte:04x}'"
    return f"'{character}'"


class _GoScanner:
    """A port of encoding/json's scanner state machine: one byte per `step`."""

    def __init__(self) -> None:
        self.step = self._begin_value
        self.stack: list[str] = []
        self.error = ""
        self._literal = ""
        self._literal_index = 0
        self._hex_left = 0

    def _fail(self, byte: int, context: str) -> int:
        self.step = self._errored
        self.error = f"invalid character {_quote_byte(byte)} {context}"
        return _ERROR

    def _errored(self, byte: int) -> int:
        return _ERROR

    def _push(self, byte: int, state: str) -> int:
        self.stack.append(state)
        if len(self.stack) > _MAX_NESTING_DEPTH:
            return self._fail(byte, "exceeded max depth")
        return _CONTINUE

    def _begin_value_or_empty(self, byte: int) -> int:
        if byte in _SPACE_BYTES:
            return _SKIP_SPACE
        if byte == ord("]"):
            return self._end_value(byte)
        return self._begin_value(byte)

    def _begin_value(self, byte: int) -> int:
        if byte in _SPACE_BYTES:
            return _SKIP_SPACE
        if byte == ord("{"):
            self.step = self._begin_string_or_empty
            return self._push(byte, _OBJECT_KEY)
        if byte == ord("["):
            self.step = self._begin_value_or_empty
            return self._push(byte, _ARRAY_VALUE)
        if byte == ord('"'):
            self.step = self._in_string
        elif byte == ord("-"):
            self.step = self._negative
        elif byte == ord("0"):
            self.step = self._zero
        elif ord("1") <= byte <= ord("9"):
            self.step = self._digits
        elif byte in b"tfn":
            self._literal = {ord("t"): "true", ord("f"): "false", ord("n"): "null"}[byte]
            self._literal_index = 1
            self.step = self._in_literal
        else:
            return self._fail(byte, "looking for beginning of value")
        return _CONTINUE

    def _begin_string_or_empty(self, byte: int) -> int:
        if byte in _SPACE_BYTES:
            return _SKIP_SPACE
        if byte == ord("}"):
            self.stack[-1] = _OBJECT_VALUE
            return self._end_value(byte)
        return self._begin_string(byte)

    def _begin_string(self, byte: int) -> int:
        if byte in _SPACE_BYTES:
            return _SKIP_SPACE
        if byte == ord('"'):
            self.step = self._in_string
            return _CONTINUE
        return self._fail(byte, "looking for beginning of object key string")

    def _end_value(self, byte: int) -> int:
        if not self.stack:
            # Anything after the first value ends it; the Decoder never reads on.
            self.step = self._end_value
            return _END
        if byte in _SPACE_BYTES:
            self.step = self._end_value
            return _SKIP_SPACE
        state = self.stack[-1]
        if state == _OBJECT_KEY:
            if byte == ord(":"):
                self.stack[-1] = _OBJECT_VALUE
                self.step = self._begin_value
                return _CONTINUE
            return self._fail(byte, "after object key")
        if state == _OBJECT_VALUE:
            if byte == ord(","):
                self.stack[-1] = _OBJECT_KEY
                self.step = self._begin_string
                return _CONTINUE
            if byte == ord("}"):
                self._pop()
                return _END_OBJECT
            return self._fail(byte, "after object key:value pair")
        if byte == ord(","):
            self.step = self._begin_value
            return _CONTINUE
        if byte == ord("]"):
            self._pop()
            return _END_ARRAY
        return self._fail(byte, "after array element")

    def _pop(self) -> None:
        self.stack.pop()
        self.step = self._end_value

    def _in_string(self, byte: int) -> int:
        if byte == ord('"'):
            self.step = self._end_value
        elif byte == ord("\\"):
            self.step = self._in_string_escape
        elif byte < 0x20:
            return self._fail(byte, "in string literal")
        return _CONTINUE

    def _in_string_escape(self, byte: int) -> int:
        if byte in b'bfnrt\\/"':
            self.step = self._in_string
        elif byte == ord("u"):
            self._hex_left = 4
            self.step = self._in_unicode_escape
        else:
            return self._fail(byte, "in string escape code")
        return _CONTINUE

    def _in_unicode_escape(self, byte: int) -> int:
        if byte not in _HEX_DIGITS:
            return self._fail(byte, "in \\u hexadecimal character escape")
        self._hex_left -= 1
        if not self._hex_left:
            self.step = self._in_string
        return _CONTINUE

    def _negative(self, byte: int) -> int:
        if byte == ord("0"):
            self.step = self._zero
        elif ord("1") <= byte <= ord("9"):
            self.step = self._digits
        else:
            return self._fail(byte, "in numeric literal")
        return _CONTINUE

    def _digits(self, byte: int) -> int:
        if ord("0") <= byte <= ord("9"):
            return _CONTINUE
        return self._zero(byte)

    def _zero(self, byte: int) -> int:
        if byte == ord("."):
            self.step = self._dot
            return _CONTINUE
        if byte in b"eE":
            self.step = self._exponent
            return _CONTINUE
        return self._end_value(byte)

    def _dot(self, byte: int) -> int:
        if ord("0") <= byte <= ord("9"):
            self.step = self._fraction
            return _CONTINUE
        return self._fail(byte, "after decimal point in numeric literal")

    def _fraction(self, byte: int) -> int:
        if ord("0") <= byte <= ord("9"):
            return _CONTINUE
        if byte in b"eE":
            self.step = self._exponent
            return _CONTINUE
        return self._end_value(byte)

    def _exponent(self, byte: int) -> int:
        if byte in b"+-":
            self.step = self._exponent_sign
            return _CONTINUE
        return self._exponent_sign(byte)

    def _exponent_sign(self, byte: int) -> int:
        if ord("0") <= byte <= ord("9"):
            self.step = self._exponent_digits
            return _CONTINUE
        return self._fail(byte, "in exponent of numeric literal")

    def _exponent_digits(self, byte: int) -> int:
        if ord("0") <= byte <= ord("9"):
            return _CONTINUE
        return self._end_value(byte)

    def _in_literal(self, byte: int) -> int:
        expected = self._literal[self._literal_index]
        if byte != ord(expected):
            return self._fail(byte, f"in literal {self._literal} (expecting {expected!r})")
        self._literal_index += 1
        if self._literal_index == len(self._literal):
            self.step = self._end_value
        return _CONTINUE


def _first_value_span(body: bytes) -> tuple[int, int]:
    """Where the first JSON value lies, as Go's Decoder.readValue finds it, or GoJSONError
    with Go's text: a syntax error, `unexpected EOF` (cut short) or `EOF` (nothing there)."""
    scanner = _GoScanner()
    start = -1
    index = 0
    while index < len(body):
        if scanner.step == scanner._in_string:
            run = _STRING_RUN.match(body, index)
            if run is not None:
                index = run.end()
                continue
        result = scanner.step(body[index])
        if result == _ERROR:
            raise GoJSONError(scanner.error)
        if result == _END:
            return start, index
        if start < 0 and result != _SKIP_SPACE:
            start = index
        if result in (_END_OBJECT, _END_ARRAY) and not scanner.stack:
            return start, index + 1
        index += 1
    if scanner.step(ord(" ")) == _END:
        return start, len(body)
    raise GoJSONError("unexpected EOF" if body.strip(_SPACE_BYTES) else "EOF")


_TOP_LEVEL_KINDS = {ord("["): "array", ord('"'): "string", ord("t"): "bool", ord("f"): "bool"}
_UNPARSED = object()


def _first_value(body: bytes, struct_type: str) -> _Pairs | None:
    """The members of the first JSON value (None for `null`), as Go's Decoder.Decode reads it
    into a struct of type `struct_type`; GoJSONError with Go's text otherwise."""
    text = go_string(body)
    offset = len(text) - len(text.lstrip(" \t\r\n"))
    value: Any = _UNPARSED
    if text[offset : offset + 1] in ("{", "["):
        # Inside brackets Python's (fast) parser accepts exactly what Go's scanner does; only
        # a failure needs the scanner, to name the error the way Go does.
        try:
            value, _ = _DECODER.raw_decode(text, offset)
        except (ValueError, RecursionError):
            value = _UNPARSED
    if value is _UNPARSED:
        start, end = _first_value_span(body)
        head = body[start]
        if head == ord("n"):
            return None  # null leaves the struct at its zero value
        if head != ord("{"):
            kind = _TOP_LEVEL_KINDS.get(head, "number")
            raise GoJSONError(f"json: cannot unmarshal {kind} into Go value of type {struct_type}")
        try:
            value = _DECODER.decode(go_string(body[start:end]))
        except RecursionError:
            # Deeper than Python's parser goes (Go allows 10000 levels).
            raise GoJSONError("json: nesting too deep for the simulator") from None
    if not isinstance(value, _Pairs):
        raise GoJSONError(
            f"json: cannot unmarshal {_json_kind(value)} into Go value of type {struct_type}"
        )
    return value


def _json_kind(value: Any) -> str:
    """The JSON type word Go's UnmarshalTypeError uses."""
    if isinstance(value, _Pairs):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str) and not isinstance(value, _FloatLiteral):
        return "string"
    return "number"


def _type_error(value: Any, kind: FieldKind, field_path: str) -> GoJSONError:
    json_type = _json_kind(value)
    if json_type == "number" and kind in ("int", "float"):
        json_type = f"number {value}"  # a number that failed ParseInt/ParseFloat is shown
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
        if not isinstance(item, _Pairs):
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
    if isinstance(value, _Pairs):
        return {key: _plain(item) for key, item in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _match_fields(
    members: _Pairs, fields: Mapping[str, FieldKind], struct_name: str
) -> dict[str, Any]:
    """Apply each member in order, as Go does: a later duplicate overwrites an earlier one."""
    result: dict[str, Any] = {}
    first_error: GoJSONError | None = None
    for key, value in members:
        name = key if key in fields else _fold_match(key, fields)
        if name is None:
            continue  # unknown fields are ignored
        if value is None:
            # null zeroes an interface or a slice, and leaves a string, bool or number as is.
            if fields[name] in ("any", "messages"):
                result.pop(name, None)
            continue
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

    A top-level `null` decodes to the zero struct (an empty dict), as in Go. Errors carry Go's
    texts, naming the struct as the gateway's package does (`boss.<struct_name>`).
    """
    members = _first_value(body, f"boss.{struct_name}")
    if members is None:
        return {}
    return _match_fields(members, fields, struct_name)


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
