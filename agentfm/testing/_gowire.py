"""How the Go gateway puts bytes on the wire: JSON encoding, error bodies and timestamps.

Every simulator route answers through these helpers so that the simulator's bytes match the
real Boss's (docs/reference/gateway-protocol.md §2 and §3), including the quirks clients can
observe: the encoder's trailing newline, HTML escaping on most routes, integral floats written
without a fraction, RFC 3339 timestamps in the host's local zone with trimmed nanoseconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from starlette.responses import Response

__all__ = [
    "JSON_CONTENT_TYPE",
    "PLAIN_TEXT_CONTENT_TYPE",
    "envelope_response",
    "go_json",
    "go_time",
    "go_time_utc_seconds",
    "json_response",
    "plain_text_response",
]

JSON_CONTENT_TYPE = "application/json"
# Go's http.Error always sets this exact value (docs/reference/gateway-protocol.md §3.1).
PLAIN_TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"


def _format_go_float(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError("Go's encoder refuses NaN and infinities")
    if value == 0:
        return "0"
    magnitude = abs(value)
    # Go uses %f for 1e-6 <= |x| < 1e21 and %e otherwise, both with the shortest digits that
    # round-trip; Python's repr gives those digits.
    if 1e-6 <= magnitude < 1e21:
        text = repr(value)
        if "e" in text:
            text = f"{value:.20f}".rstrip("0").rstrip(".")
        return text[:-2] if text.endswith(".0") else text
    mantissa, _, exponent = repr(value).partition("e")
    if not exponent:  # repr chose positional notation; force the exponent form
        mantissa, _, exponent = f"{value:.16e}".partition("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    sign = "-" if exponent.startswith("-") else "+"
    digits = exponent.lstrip("+-").lstrip("0")
    return f"{mantissa}e{sign}{digits.rjust(2, '0')}"


def _encode(value: Any, *, sort_keys: bool) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_go_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = sorted(value.items()) if sort_keys else list(value.items())
        return (
            "{"
            + ",".join(
                f"{json.dumps(str(key), ensure_ascii=False)}:{_encode(item, sort_keys=sort_keys)}"
                for key, item in items
            )
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(item, sort_keys=sort_keys) for item in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as Go JSON")


def go_json(value: Any, *, escape_html: bool = True, sort_keys: bool = False) -> bytes:
    """Compact JSON as Go writes it, without the trailing newline.

    `sort_keys` reproduces Go's map encoding (keys in byte order); struct-typed bodies keep the
    order the caller built. `escape_html` is Go's default; the routes that switch it off say so.
    """
    text = _encode(value, sort_keys=sort_keys)
    # Go always escapes the two JavaScript line terminators, and with HTML escaping on, <, > and &.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode("utf-8")


def json_response(
    value: Any,
    status_code: int = 200,
    *,
    escape_html: bool = True,
    sort_keys: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A body written by Go's json.Encoder: compact, then one newline
    (docs/reference/gateway-protocol.md §2)."""
    body = go_json(value, escape_html=escape_html, sort_keys=sort_keys) + b"\n"
    return Response(
        body,
        status_code=status_code,
        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})},
    )


def plain_text_response(
    status_code: int, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """Go's http.Error: the message plus a newline, as text/plain with nosniff
    (docs/reference/gateway-protocol.md §3.1)."""
    return Response(
        (message + "\n").encode("utf-8"),
        status_code=status_code,
        headers={
            "Content-Type": PLAIN_TEXT_CONTENT_TYPE,
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )


def envelope_response(
    status_code: int,
    code: str,
    message: str,
    *,
    error_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The OpenAI-style error envelope (docs/reference/gateway-protocol.md §3.2); `type` follows
    from the status by default."""
    if error_type is None:
        error_type = "server_error" if status_code >= 500 else "invalid_request_error"
    body = {"error": {"message": message, "type": error_type, "code": code}}
    return json_response(body, status_code, headers=headers)


def go_time(moment: datetime) -> str:
    """Go's time.Time JSON: RFC 3339 in the local zone, nanoseconds with trailing zeros trimmed."""
    local = moment.astimezone()
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if local.microsecond:
        text += "." + f"{local.microsecond:06d}".rstrip("0")
    offset = local.utcoffset()
    if offset is None or offset.total_seconds() == 0:
        return text + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def go_time_utc_seconds(moment: datetime) -> str:
    """The `YYYY-MM-DDTHH:MM:SSZ` form used by `last_updated` and `head.signed_at`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
