"""What the sync and async clients share: settings, the wire set-up, and response checking.

Everything here is free of I/O. `AgentFMClient` and `AsyncAgentFMClient` (agentfm/_client.py)
only add the sending and waiting.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
from agentfm_gateway._records import Record
from agentfm_gateway.types import Response, Unset

from agentfm._bounds import MAX_ANSWER_BYTES, CallBounds
from agentfm._errors import error_from_response, redact_url
from agentfm._options import ClientOptions
from agentfm._transport import hide_secret_from_http_logs
from agentfm.exceptions import AgentFMError, GatewayProtocolError, InvalidRequestError
from agentfm.models import read_answer

__all__ = [
    "MAX_REQUEST_BYTES",
    "PARSE_ERRORS",
    "ClientBase",
    "check_request_body",
    "expect_parsed",
    "forget_answer",
    "given",
    "protocol_error",
    "remember_answer",
    "remember_answer_async",
    "require_utf8",
    "stream_failure",
    "unparsable_answer",
]

ParsedT = TypeVar("ParsedT")
ValueT = TypeVar("ValueT")

# What a generated endpoint raises when a body does not have the documented shape.
PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


def expect_parsed(response: Response[Any], expected: type[ParsedT]) -> ParsedT:
    """The parsed body of a successful answer, or the error the answer means.

    A model of `agentfm.models` / `agentfm.openai.models` is read from the body of any 2xx
    answer, leniently (docs/reference/gateway-versions.md §15); other types are the generated
    parser's result.
    """
    status = int(response.status_code)
    if not 200 <= status < 300:
        raise error_from_response(status, response.headers, response.content)
    if issubclass(expected, Record):
        try:
            # The generated parser hands record bodies over as decoded JSON for the statuses the
            # spec lists; any other 2xx (e.g. an ack as 200) is decoded here.
            data = response.parsed
            if data is None:
                data = json.loads(response.content)
        except (ValueError, RecursionError):
            raise GatewayProtocolError(
                f"the gateway answered HTTP {status} without a JSON {expected.__name__} body",
                code="unexpected_body",
                status=status,
            ) from None
        return cast(ParsedT, read_answer(expected, data, status=status))
    if not isinstance(response.parsed, expected):
        raise GatewayProtocolError(
            f"the gateway answered HTTP {status} without the documented {expected.__name__} body",
            code="unexpected_body",
            status=status,
        )
    return response.parsed


# docs/reference/gateway-protocol.md §5.4, §5.10: the gateway reads at most 1 MiB of a request body
# and fails to parse the rest.
MAX_REQUEST_BYTES = 1 << 20


def given(value: ValueT | Unset) -> ValueT | None:
    """A field the gateway may omit (it omits empty strings, docs/reference/gateway-protocol.md §5):
    None when absent."""
    return None if isinstance(value, Unset) or value == "" else value


def check_request_body(body: dict[str, Any]) -> None:
    """Refuse a JSON body that cannot be sent, or that the gateway would cut at 1 MiB."""
    unencodable = _unencodable_field(body, "")
    if unencodable is not None:
        raise _not_utf8(unencodable)
    try:
        # Encoded as httpx encodes a `json=` body, so the size is the size sent.
        encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidRequestError(
            f"the request cannot be encoded as JSON: {error}",
            code="invalid_argument",
        ) from None
    if len(encoded.encode("utf-8")) > MAX_REQUEST_BYTES:
        raise InvalidRequestError(
            "the request is too large: the gateway reads at most 1 MiB of request body",
            code="prompt_too_large",
        )


def _not_utf8(argument: str) -> InvalidRequestError:
    # A lone surrogate (e.g. from a file read with errors="surrogateescape") is not UTF-8. The
    # text itself is not shown: it may be long, or private.
    return InvalidRequestError(
        f"{argument} is not valid Unicode text: it contains a lone surrogate, which cannot be "
        "sent as UTF-8",
        code="invalid_argument",
    )


def require_utf8(text: str, argument: str) -> None:
    """Refuse a string argument that cannot be sent as UTF-8, naming the argument."""
    if not _is_utf8_encodable(text):
        raise _not_utf8(argument)


def _unencodable_field(value: object, path: str) -> str | None:
    """The path (e.g. `messages[0].content`) of the first string in `value` UTF-8 cannot encode."""
    pending: list[tuple[object, str]] = [(value, path)]
    seen: set[int] = set()  # a container holding itself is json.dumps's to refuse, not a loop
    while pending:
        item, where = pending.pop()
        if isinstance(item, (dict, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, str):
            if not _is_utf8_encodable(item):
                return where or "the request"
        elif isinstance(item, dict):
            for key, member in reversed(list(item.items())):
                if isinstance(key, str) and not _is_utf8_encodable(key):
                    return f"a key of {where}" if where else "a key of the request"
                pending.append((member, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, (list, tuple)):
            pending.extend(
                (member, f"{where}[{index}]") for index, member in reversed(list(enumerate(item)))
            )
    return None


def _is_utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def stream_failure(response: httpx.Response) -> Exception:
    """The error a streaming request's non-200 answer means (its body must have been read)."""
    return error_from_response(response.status_code, response.headers, response.content)


# The answer the generated parser is working on, so that a body it cannot parse is still judged by
# its status: a proxy's HTML 401 is an authentication failure, not a protocol error.
_ANSWER_BEING_PARSED: ContextVar[httpx.Response | None] = ContextVar(
    "agentfm_answer_being_parsed", default=None
)


def remember_answer(response: httpx.Response) -> None:
    """httpx response hook: note the answer for `unparsable_answer`."""
    _ANSWER_BEING_PARSED.set(response)


async def remember_answer_async(response: httpx.Response) -> None:
    """The async client's response hook (httpx awaits async clients' hooks)."""
    _ANSWER_BEING_PARSED.set(response)


def forget_answer() -> None:
    """Called before each request, so an earlier answer is never blamed for a later failure."""
    _ANSWER_BEING_PARSED.set(None)


def unparsable_answer(error: Exception) -> AgentFMError:
    """The error for an answer the generated parser rejected: by its status when it is a refusal,
    else a protocol error (a success without the documented body)."""
    response = _ANSWER_BEING_PARSED.get()
    if response is not None and not 200 <= response.status_code < 300:
        try:
            body = response.content
        except httpx.ResponseNotRead:
            body = b""
        return error_from_response(response.status_code, response.headers, body)
    return protocol_error(error)


def protocol_error(error: Exception) -> GatewayProtocolError:
    """A generated parser rejected the body: the gateway did not answer the documented shape."""
    return GatewayProtocolError(
        f"the gateway's answer does not have the documented shape ({type(error).__name__})",
        code="unexpected_body",
    )


def _url_password(url: str) -> str | None:
    """The password of `url`'s user info as it appears in the URL, if it has one."""
    userinfo = httpx.URL(url).userinfo.decode("ascii", "replace")
    return userinfo.partition(":")[2] or None


class ClientBase:
    """Settings and identity of a client. `api_key` is read once: changing it later does nothing
    (as in 0.3.0 and the OpenAI SDK); derive a client with `with_options(api_key=...)` instead."""

    def __init__(self, options: ClientOptions) -> None:
        self._options = options
        self.api_key = options.api_key
        hide_secret_from_http_logs(options.api_key)
        # httpx logs each request's full URL, user info included.
        hide_secret_from_http_logs(_url_password(options.gateway_url))

    @property
    def gateway_url(self) -> str:
        """The gateway's root URL, e.g. `http://127.0.0.1:8080`. Writable (as in 0.3.0): the
        next request goes to the new URL."""
        return self._options.gateway_url

    @gateway_url.setter
    def gateway_url(self, value: str) -> None:
        self._reconfigure(self._options.derive(gateway_url=value))

    @property
    def timeout(self) -> httpx.Timeout:
        """The per-request timeout (task and event streams wait longer between chunks)."""
        return self._options.timeout

    @property
    def retries(self) -> int:
        """How many extra attempts a request gets (see `agentfm._retry` for which ones).

        Writable (as in 0.3.0): the next request uses the new value.
        """
        return self._options.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self._reconfigure(self._options.derive(retries=value))

    def _reconfigure(self, options: ClientOptions) -> None:
        """Apply changed settings to the live connection (each client kind knows how)."""
        raise NotImplementedError

    @property
    def artifacts_dir(self) -> Path | None:
        """Where the gateway writes task zips (`<gateway cwd>/agentfm_artifacts`), if known."""
        return self._options.artifacts_dir

    def _call_bounds(self) -> CallBounds:
        """A non-streamed call's bounds: `MAX_ANSWER_BYTES`, and the client's call deadline."""
        return CallBounds.within(self._options.call_deadline(), max_answer_bytes=MAX_ANSWER_BYTES)

    def _http_settings(self) -> dict[str, Any]:
        return {
            "base_url": self._options.gateway_url,
            "headers": self._options.headers(),
            "timeout": self._options.timeout,
            # The gateway only redirects non-canonical paths; the SDK never sends one.
            "follow_redirects": False,
        }

    def __repr__(self) -> str:
        auth = "with api key" if self._options.api_key else "no auth"
        # A password or token written into the URL's user info is not shown.
        return f"{type(self).__name__}(gateway_url={redact_url(self.gateway_url)!r}, {auth})"
