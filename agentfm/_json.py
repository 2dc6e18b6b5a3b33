"""Defensive JSON parsing for everything the SDK reads from the network or a file.

`json.loads` alone lets hostile input escape as something other than a `ValueError`: nesting a
few thousand brackets deep raises `RecursionError` (or, with a raised recursion limit, can
overflow the C stack), and on Python 3.10 a number with millions of digits takes minutes to
convert. The gateway's own answers are shallow (its deepest, a chat chunk, nests four levels) and
its numbers are counts, scores and Unix times, so both are refused here before they can hurt.

* `parse_json` raises `ValueError` for anything that is not such a document (callers that skip
  bad input, e.g. one odd event frame or one bad checkpoint line, catch that);
* `parse_gateway_json` raises `GatewayProtocolError` (code `unexpected_body`): use it for a
  gateway answer (a 200 body, an error body, an SSE `data:` line);
* `loads_gateway_json` is the same with the answer named in the message and code `invalid_json`
  (used for whole answers by agentfm/_errors.py and the OpenAI resources).
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from agentfm.exceptions import GatewayProtocolError

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_JSON_NUMBER_DIGITS",
    "JSONTooDeepError",
    "loads_gateway_json",
    "parse_gateway_json",
    "parse_json",
]

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects accepted: 16 times the gateway's deepest answer."""

MAX_JSON_NUMBER_DIGITS = 100
"""Longest integer literal accepted (an int64 has 19 digits)."""

# Escapes are removed first, so a string is then simply quote, non-quotes, quote: the patterns
# cannot backtrack more than once over the text (a string-with-escapes pattern can, quadratically,
# on a run of `\\"`). Brackets inside strings nest nothing.
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class JSONTooDeepError(ValueError):
    """The document nests arrays/objects deeper than `MAX_JSON_DEPTH`."""


def _too_deep(text: str, limit: int) -> bool:
    """True when `text` nests arrays/objects more than `limit` deep. Linear in `len(text)`."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case costs two C-level scans
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    depth = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_JSON_NUMBER_DIGITS:
        raise ValueError(f"an integer of {len(literal)} digits")
    return int(literal)


def _refuse_constant(name: str) -> NoReturn:
    # `NaN`, `Infinity` and `-Infinity` are not JSON; Go's encoder never writes them.
    raise ValueError(f"{name} is not a JSON value")


def parse_json(document: bytes | bytearray | str) -> Any:
    """The value of one JSON document (UTF-8 when given bytes); `ValueError` for anything else.

    Refused as well: nesting deeper than `MAX_JSON_DEPTH`, integers longer than
    `MAX_JSON_NUMBER_DIGITS` digits, `NaN`/`Infinity`. Time and memory are linear in the size of
    `document`, and no exception other than `ValueError` escapes.
    """
    text = document if isinstance(document, str) else document.decode("utf-8")
    if _too_deep(text, MAX_JSON_DEPTH):
        raise JSONTooDeepError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_refuse_constant)
    except RecursionError:  # not reachable after the depth check; kept as a last line of defence
        raise JSONTooDeepError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None


def parse_gateway_json(document: bytes | bytearray | str, *, status: int | None = None) -> Any:
    """The value of a JSON answer from the gateway, or `GatewayProtocolError` (`unexpected_body`).

    `status` is the HTTP status of the answer, kept on the error. Bounds as in `parse_json`.
    """
    try:
        return parse_json(document)
    except ValueError as error:
        raise GatewayProtocolError(
            f"the gateway's answer is not usable JSON: {_reason(error)}",
            code="unexpected_body",
            status=status,
        ) from None


def loads_gateway_json(data: bytes | str, *, what: str) -> object:
    """The JSON value of `data`; `what` names it in the error (e.g. "the /api/workers answer").

    `GatewayProtocolError` (code `invalid_json`) for anything `parse_json` refuses.
    """
    try:
        return parse_json(data)
    except ValueError as error:
        deep = isinstance(error, JSONTooDeepError)
        reason = "is nested too deeply to parse" if deep else "is not valid JSON"
        raise GatewayProtocolError(f"{what} {reason}", code="invalid_json") from None


def _reason(error: ValueError) -> str:
    # A decode error's message quotes no input, only a position: safe to show. Anything else
    # (the messages written above) names the rule that was broken.
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 (byte {error.start})"
    return str(error)
