"""Parse a JSON document the gateway sent, refusing anything the parser cannot handle.

The standard parser raises `RecursionError` on a document nested deeper than the interpreter's
recursion limit (a few thousand `[`), `ValueError` on malformed JSON and `UnicodeDecodeError` on
bytes that are not UTF-8. Whatever the gateway sends, a caller gets a `GatewayProtocolError`.
"""

from __future__ import annotations

import json

from agentfm.exceptions import GatewayProtocolError

__all__ = ["loads_gateway_json"]


def loads_gateway_json(data: bytes | str, *, what: str) -> object:
    """The JSON value of `data`; `what` names it in the error (e.g. "the /api/workers answer")."""
    try:
        return json.loads(data)
    except RecursionError:
        reason = "is nested too deeply to parse"
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        reason = "is not valid JSON"
    raise GatewayProtocolError(f"{what} {reason}", code="invalid_json")
