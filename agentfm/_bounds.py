"""What one call may cost: its deadline, and how many bytes its answer may decode to.

Every limit the SDK puts on an answer lives here, free of I/O; `agentfm._transport` applies them
to every request (sync and async alike), so a port to another HTTP library moves one module.

The gateway's own answers are small (docs/reference/gateway-protocol.md §9), so the caps are
generous multiples of the largest answer it can send, not of the typical one:

* `MAX_ANSWER_BYTES` (32 MiB): any JSON or text answer of a non-streamed call. The largest is
  `/api/workers` on a big mesh: an entry is about 0.6 KiB and at most ~4 KiB (a 3000-character
  description, Go's `\\u003c` escaping), so 32 MiB holds 8,000 workers of the largest kind.
  `/v1/models`, a peer log (at most 500 entries), a proof or a comment (at most 10240 bytes of
  text) are far below it.
* `MAX_COMPLETION_BYTES` (100 MiB): a non-streamed OpenAI completion. The gateway keeps at most
  16 MiB of a task's text (docs/reference/gateway-protocol.md §5.10), and JSON escaping can grow
  text up to 6x.
* `MAX_ERROR_BODY_BYTES` (64 KiB): the body of a refusal. Only its first 500 characters are ever
  shown; the rest is dropped, not refused, so the refusal's own meaning is kept.
* Streams (task output, events, streamed completions) have no total cap here: their decoders
  bound what they keep. Each piece handed to them is at most `MAX_PIECE_BYTES` (64 KiB) decoded.

The SDK asks for uncompressed answers (`Accept-Encoding: identity`); a gateway or proxy that
compresses anyway gets gzip and deflate decoded here under the same caps, and a compressed stream
that expands more than `MAX_COMPRESSION_RATIO` times past its first MiB is refused as a bomb.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Final

import attrs

from agentfm.exceptions import GatewayProtocolError, GatewayTimeoutError

__all__ = [
    "DEADLINE_PER_TIMEOUT",
    "MAX_ANSWER_BYTES",
    "MAX_COMPLETION_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_ERROR_BODY_BYTES",
    "MAX_PIECE_BYTES",
    "AnswerDecoder",
    "CallBounds",
    "active_deadline",
    "bounded_call",
    "call_bounds",
    "checked_deadline",
    "deadline_error",
    "deadline_in_effect",
    "scrub_secret",
]

MAX_ANSWER_BYTES: Final = 32 << 20
MAX_COMPLETION_BYTES: Final = 100 << 20
MAX_ERROR_BODY_BYTES: Final = 64 << 10
MAX_PIECE_BYTES: Final = 64 << 10
MAX_COMPRESSION_RATIO: Final = 100
_RATIO_FREE_BYTES: Final = 1 << 20
# A non-streamed call ends within this many times the client's largest phase timeout (120 s with
# the default 30 s): room for the retries of `agentfm._retry` and their backoff, and no more.
DEADLINE_PER_TIMEOUT: Final = 4


@attrs.frozen
class CallBounds:
    """One call's limits. `deadline` is a `time.monotonic()` instant; None means no limit."""

    deadline: float | None = None
    seconds: float | None = None  # the deadline as the caller gave it, for the error message
    max_answer_bytes: int | None = None

    @classmethod
    def within(cls, seconds: float | None, *, max_answer_bytes: int | None) -> CallBounds:
        """Bounds for a call starting now that must end within `seconds` (None: no deadline)."""
        if seconds is None:
            return cls(max_answer_bytes=max_answer_bytes)
        return cls(
            deadline=time.monotonic() + seconds, seconds=seconds, max_answer_bytes=max_answer_bytes
        )

    def remaining(self) -> float | None:
        """Seconds left before the deadline (may be negative), or None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0


def checked_deadline(value: object, name: str = "deadline") -> float | None:
    """A user's `deadline=` argument: None, or a positive number of seconds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        from agentfm.exceptions import InvalidRequestError

        raise InvalidRequestError(
            f"{name} must be a positive number of seconds or None, not {value!r}",
            code="invalid_deadline",
        )
    return float(value)


def deadline_error(bounds: CallBounds, where: str) -> GatewayTimeoutError:
    """The error of a call that was still running when its deadline came."""
    return GatewayTimeoutError(
        f"the call to the gateway at {where} did not finish within its deadline of "
        f"{bounds.seconds:g} s",
        code="deadline_exceeded",
    )


# The bounds of the call being sent, set by the client around the send; the transport reads them
# once per request, so what a response later does is tied to its own call, not to the context.
_CALL_BOUNDS: ContextVar[CallBounds | None] = ContextVar("agentfm_call_bounds", default=None)
# The deadline of the socket operation in progress, read by the deadline-aware network streams.
_ACTIVE_DEADLINE: ContextVar[float | None] = ContextVar("agentfm_active_deadline", default=None)


@contextlib.contextmanager
def bounded_call(bounds: CallBounds) -> Iterator[None]:
    """Requests sent inside this block get `bounds`."""
    token = _CALL_BOUNDS.set(bounds)
    try:
        yield
    finally:
        _CALL_BOUNDS.reset(token)


def call_bounds() -> CallBounds:
    """The bounds of the call being sent (none for a raw `client.gateway` request)."""
    return _CALL_BOUNDS.get() or _UNBOUNDED


_UNBOUNDED: Final = CallBounds()


@contextlib.contextmanager
def deadline_in_effect(deadline: float | None) -> Iterator[None]:
    """Socket reads, writes and connects inside this block end by `deadline`."""
    token = _ACTIVE_DEADLINE.set(deadline)
    try:
        yield
    finally:
        _ACTIVE_DEADLINE.reset(token)


def active_deadline() -> float | None:
    return _ACTIVE_DEADLINE.get()


def scrub_secret(data: bytes, secret: str | None) -> bytes:
    """`data` with every spelling of `secret` a server could reflect replaced by `[redacted]`."""
    if not secret:
        return data
    spellings = {secret, secret.replace("/", "\\/")}
    # Go's JSON encoder escapes <, > and & (docs/reference/gateway-protocol.md §3); a token may
    # contain them.
    spellings.add(secret.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    for spelling in sorted(spellings, key=len, reverse=True):
        data = data.replace(spelling.encode("utf-8", "replace"), b"[redacted]")
    return data


def _decompressor(content_encoding: str) -> zlib._Decompress | None:
    codings = [
        coding.strip().lower()
        for coding in content_encoding.split(",")
        if coding.strip().lower() not in ("", "identity")
    ]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if len(codings) == 1 and codings[0] == "deflate":
        # RFC 9110's deflate is zlib-wrapped; raw deflate streams are refused as undecodable.
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise GatewayProtocolError(
        f"the gateway answered with Content-Encoding {content_encoding!r}, which the SDK did not "
        "ask for and does not decode",
        code="unsupported_encoding",
    )


def _pieces(data: bytes) -> list[bytes]:
    return [data[start : start + MAX_PIECE_BYTES] for start in range(0, len(data), MAX_PIECE_BYTES)]


class AnswerDecoder:
    """Turns an answer's raw bytes into decoded pieces of at most `MAX_PIECE_BYTES`, within caps.

    `max_bytes` caps the decoded size: past it a success is refused (`answer_too_large`), while a
    refusal's body (`truncate=True`) just stops there. `done` tells the reader to stop reading.
    """

    def __init__(
        self, content_encoding: str, *, max_bytes: int | None, truncate: bool = False
    ) -> None:
        self._decompressor = _decompressor(content_encoding)
        self._max_bytes = max_bytes
        self._truncate = truncate
        self._received = 0
        self._decoded = 0
        self.done = False

    def announce(self, content_length: str | None) -> None:
        """Refuse at once an uncompressed success whose `Content-Length` is over the cap."""
        if self._decompressor is not None or self._truncate or self._max_bytes is None:
            return
        declared = (content_length or "").strip()
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise self._too_large()

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """The decoded pieces `raw` completes (none once `done`), decompressed one at a time as
        the caller takes them: a compressed chunk never expands in memory all at once."""
        if self.done:
            return
        self._received += len(raw)
        if self._decompressor is None:
            for piece in _pieces(raw):
                yield from self._counted(piece)
            return
        pending = raw
        while pending and not self.done:
            try:
                piece = self._decompressor.decompress(pending, MAX_PIECE_BYTES)
            except zlib.error:
                raise self._undecodable() from None
            pending = self._decompressor.unconsumed_tail
            yield from self._counted(piece)

    def finish(self) -> Iterator[bytes]:
        """The body ended: what the decompressor still held."""
        if self._decompressor is None or self.done:
            return
        try:
            rest = self._decompressor.flush()
        except zlib.error:
            raise self._undecodable() from None
        for piece in _pieces(rest):
            yield from self._counted(piece)

    def _counted(self, piece: bytes) -> Iterator[bytes]:
        if not piece or self.done:
            return
        if self._max_bytes is not None and self._decoded + len(piece) > self._max_bytes:
            if not self._truncate:
                raise self._too_large()
            self.done = True
            yield piece[: self._max_bytes - self._decoded]
            self._decoded = self._max_bytes
            return
        self._decoded += len(piece)
        if (
            self._decompressor is not None
            and self._decoded > _RATIO_FREE_BYTES
            and self._decoded > MAX_COMPRESSION_RATIO * self._received
        ):
            raise GatewayProtocolError(
                f"the gateway's compressed answer expands more than {MAX_COMPRESSION_RATIO} "
                "times: refused as a decompression bomb",
                code="compression_bomb",
            )
        yield piece

    def _too_large(self) -> GatewayProtocolError:
        return GatewayProtocolError(
            f"the gateway's answer is larger than the {(self._max_bytes or 0) >> 20} MiB the SDK "
            "accepts for it",
            code="answer_too_large",
        )

    @staticmethod
    def _undecodable() -> GatewayProtocolError:
        return GatewayProtocolError(
            "the gateway's compressed answer cannot be decoded", code="protocol_error"
        )
