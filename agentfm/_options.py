"""A client's settings: resolved once at construction, inherited by `with_options`.

`NOT_GIVEN` means "use the default" (for `api_key`: read `AGENTFM_API_KEY`; in `with_options`:
keep the parent's value); `None` means "switch it off" (`api_key=None`: no auth, environment
ignored). Pure data, shared by the sync and async clients.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final, Literal

import attrs
import httpx

from agentfm._bounds import DEADLINE_PER_TIMEOUT
from agentfm._version import __version__
from agentfm.exceptions import InvalidRequestError

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_GATEWAY_URL",
    "NOT_GIVEN",
    "ClientOptions",
    "NotGiven",
    "TimeoutSetting",
]

DEFAULT_GATEWAY_URL: Final = "http://127.0.0.1:8080"
API_KEY_ENV: Final = "AGENTFM_API_KEY"
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
# A task may be silent for minutes while its container works, but the gateway itself ends every
# response after 12 minutes (docs/reference/gateway-protocol.md §2, WriteTimeout): waiting longer
# than that between two chunks can only mean the connection is gone.
TASK_STREAM_READ_TIMEOUT: Final = 12.5 * 60
# /v1/events sends a heartbeat every 15 s (docs/reference/gateway-protocol.md §5.8); three missed
# ones mean the stream is dead.
EVENT_STREAM_READ_TIMEOUT: Final = 45.0


def _shown_url(url: str) -> str:
    from agentfm._errors import redact_url

    return redact_url(url)


class NotGiven:
    """The type of `NOT_GIVEN`: an argument the caller left out, as distinct from `None`."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

TimeoutSetting = float | httpx.Timeout | None


def _timeout(value: TimeoutSetting) -> httpx.Timeout:
    if value is None:
        return httpx.Timeout(DEFAULT_TIMEOUT_SECONDS)
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidRequestError(
            f"timeout must be a positive number of seconds or an httpx.Timeout, not {value!r}",
            code="invalid_timeout",
        )
    return httpx.Timeout(float(value))


def _gateway_url(value: str) -> str:
    # The value is never echoed whole: it may carry a password or token in its user info.
    problem = _gateway_url_problem(value)
    if problem is not None:
        raise InvalidRequestError(
            f"gateway_url must be an http(s) URL such as {DEFAULT_GATEWAY_URL}: {problem}",
            code="invalid_gateway_url",
        )
    return value.rstrip("/")


def _gateway_url_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"got {type(value).__name__}"
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c.isspace() for c in value):
        return "it contains whitespace or a control character"
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return "it cannot be parsed as a URL"
    if url.scheme not in ("http", "https"):
        return f"its scheme is {url.scheme!r}" if url.scheme else "it has no http:// or https://"
    if not url.host:
        return "it names no host"
    return None


def _api_key(value: str | NotGiven | None) -> str | None:
    if isinstance(value, NotGiven):
        value = os.environ.get(API_KEY_ENV) or None
    if value is None:
        return None
    # The key is never echoed, not even one character of it: an error message may be logged.
    # HTTP header values are ASCII, so any other character could only fail later, at send time.
    if not isinstance(value, str) or any(not 0x21 <= ord(c) < 0x7F for c in value):
        raise InvalidRequestError(
            "api_key must be a token of printable ASCII characters, without spaces or control "
            "characters",
            code="invalid_api_key_format",
        )
    return value or None


def _retries(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequestError(
            f"retries must be a whole number >= 0, not {value!r}", code="invalid_retries"
        )
    return value


@attrs.frozen(kw_only=True)
class ClientOptions:
    """Everything that shapes a client's requests. The api key never appears in its repr."""

    gateway_url: str = attrs.field(repr=lambda url: repr(_shown_url(url)))
    timeout: httpx.Timeout
    retries: int
    artifacts_dir: Path | None
    api_key: str | None = attrs.field(repr=False)

    @classmethod
    def create(
        cls,
        *,
        gateway_url: str,
        timeout: TimeoutSetting,
        retries: int,
        artifacts_dir: str | os.PathLike[str] | None,
        api_key: str | NotGiven | None,
    ) -> ClientOptions:
        return cls(
            gateway_url=_gateway_url(gateway_url),
            timeout=_timeout(timeout),
            retries=_retries(retries),
            artifacts_dir=Path(artifacts_dir) if artifacts_dir is not None else None,
            api_key=_api_key(api_key),
        )

    def derive(
        self,
        *,
        gateway_url: str | NotGiven = NOT_GIVEN,
        timeout: TimeoutSetting | NotGiven = NOT_GIVEN,
        retries: int | NotGiven = NOT_GIVEN,
        artifacts_dir: str | os.PathLike[str] | NotGiven | None = NOT_GIVEN,
        api_key: str | NotGiven | None = NOT_GIVEN,
    ) -> ClientOptions:
        """These options with the given ones replaced; `NOT_GIVEN` keeps the current value."""
        return ClientOptions(
            gateway_url=self.gateway_url
            if isinstance(gateway_url, NotGiven)
            else _gateway_url(gateway_url),
            timeout=self.timeout if isinstance(timeout, NotGiven) else _timeout(timeout),
            retries=self.retries if isinstance(retries, NotGiven) else _retries(retries),
            artifacts_dir=self.artifacts_dir
            if isinstance(artifacts_dir, NotGiven)
            else (Path(artifacts_dir) if artifacts_dir is not None else None),
            api_key=self.api_key if isinstance(api_key, NotGiven) else _api_key(api_key),
        )

    def call_deadline(self) -> float | None:
        """Seconds a non-streamed call may take in all, retries included: `DEADLINE_PER_TIMEOUT`
        times the largest phase timeout (120 s by default); None when a phase is unlimited."""
        phases = (self.timeout.connect, self.timeout.read, self.timeout.write, self.timeout.pool)
        if any(phase is None for phase in phases):
            return None
        return DEADLINE_PER_TIMEOUT * max(phase for phase in phases if phase is not None)

    def headers(self) -> dict[str, str]:
        """The headers every request carries; the token is set here and nowhere else."""
        headers = {
            "User-Agent": f"agentfm-sdk/{__version__} (python)",
            # The gateway never compresses its answers; asking for none keeps a proxy from doing
            # it (agentfm._bounds decodes gzip and deflate anyway, under its caps).
            "Accept-Encoding": "identity",
        }
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def stream_timeout(self, read_seconds: float) -> httpx.Timeout:
        """The client's timeout with a longer read limit, for streams that may go quiet."""
        return httpx.Timeout(
            connect=self.timeout.connect,
            read=read_seconds,
            write=self.timeout.write,
            pool=self.timeout.pool,
        )
