"""Receive the gateway's async-task webhooks: a small signed-callback server, and the helpers to
verify a delivery inside your own web framework.

    def on_done(payload: WebhookPayload) -> None:
        print(payload.task_id, payload.status)

    with WebhookReceiver(port=8000, callback=on_done, secret="shared-secret") as rx:
        client.tasks.submit_async(worker_id=peer, prompt="...", webhook_url=rx.url)

What the gateway sends (docs/reference/gateway-protocol.md §5.5): one `POST` per completed task, no
retries, `Content-Type: application/json`, the body
`{"status":"completed","task_id":"task_...","worker_id":"..."}`, and, when the gateway has
`AGENTFM_WEBHOOK_SECRET`, the header `X-AgentFM-Signature` (on the wire `X-Agentfm-Signature`)
holding the lowercase hex HMAC-SHA256 of the exact body bytes. There is no timestamp, so a
captured delivery can be replayed: the receiver hands a `task_id` it remembers to the callback
only once (the limits are below).

`secret`: omitted reads `AGENTFM_WEBHOOK_SECRET` (empty counts as unset); `None` accepts unsigned
deliveries and ignores the environment; a string or bytes requires a valid signature.

Answers of `WebhookReceiver`, in the order it checks: 404 another path (the query string is
ignored), 405 another method, 411 no `Content-Length` (chunked bodies are refused), 400 a
malformed length, 413 a body over `max_body_bytes` (refused before reading it), 415 not
`application/json`, 401 a missing or wrong signature when a secret is set, 400 a body that is not
a webhook payload, 200 a duplicate `task_id` (the callback is not called again), 500 the callback
raised (logged; a later redelivery of that `task_id` is processed again), 200 otherwise. Every
connection is closed after one request, and a request must arrive whole within
`request_timeout` seconds, so a slow client cannot hold a thread.

Availability: at most `max_connections` connections are served at once. When all are taken, a
new connection takes the slot of the one that has been sending its request the longest, which is
cut; so sockets held open idle, or trickling their headers, cannot starve the gateway's
deliveries (which arrive whole at once), and only requests already read (their callback running)
are never cut. To displace a delivery an attacker must open more than `max_connections`
connections within the delivery's own round trip: a flood at that rate, not idle sockets. A
burst of more genuine deliveries than `max_connections` at once loses the excess (raise it).

What signing can and cannot prevent (docs/reference/gateway-protocol.md §5.5): the signature proves
the gateway (or someone holding the secret) produced the body, but the body carries no timestamp or
nonce, so a captured delivery stays valid forever and can be replayed. The receiver refuses a
`task_id` it has already delivered among the last `remembered_task_ids` (in memory; with
`dedupe_file=`, also across restarts). It cannot refuse the replay of a task id it has forgotten, a
delivery replayed to another receiver that shares the secret, or tell when a task finished; over
plain http anyone on the path can read deliveries. Use a secret per receiver, https where the
gateway crosses a network, and, for certainty, accept only task ids your own `submit_async` calls
returned. The gateway never retries, so a delivery refused or lost here is not sent again; nothing
is sent for a failed task.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import hmac
import inspect
import logging
import os
import re
import socket
import socketserver
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

from agentfm_gateway.records import WebhookPayload

from agentfm._identifiers import is_task_id
from agentfm._options import NOT_GIVEN, NotGiven
from agentfm.exceptions import AgentFMError, InvalidRequestError, WebhookVerificationError

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "SIGNATURE_HEADER",
    "WEBHOOK_SECRET_ENV",
    "WebhookCallback",
    "WebhookPayload",
    "WebhookReceiver",
    "parse_webhook",
    "verify_signature",
]

logger = logging.getLogger("agentfm.webhook")

SIGNATURE_HEADER = "X-AgentFM-Signature"
WEBHOOK_SECRET_ENV = "AGENTFM_WEBHOOK_SECRET"  # noqa: S105 - a variable name, not a secret
DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 64
# How many delivered task ids are remembered to drop duplicates (oldest forgotten first).
DEFAULT_REMEMBERED_TASK_IDS = 10_000

# ASCII digits only (str.isdigit would pass "²"), and few enough to be a plausible length.
_DECIMAL_LENGTH = re.compile(r"[0-9]{1,18}")

WebhookCallback = Callable[[WebhookPayload], object]
"""What `WebhookReceiver(callback=...)` calls with each verified delivery (result ignored)."""

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
Secret = str | bytes


def _secret_bytes(secret: Secret) -> bytes:
    if isinstance(secret, str):
        # Go signs with the secret string's bytes (docs/reference/gateway-protocol.md §5.5)
        secret = secret.encode("utf-8")
    if not isinstance(secret, bytes) or not secret:
        raise InvalidRequestError(
            "the webhook secret must be a non-empty str or bytes (None accepts unsigned calls)",
            code="invalid_webhook_secret",
        )
    return secret


def _resolve_secret(secret: Secret | NotGiven | None) -> bytes | None:
    if isinstance(secret, NotGiven):
        secret = os.environ.get(WEBHOOK_SECRET_ENV) or None
    return None if secret is None else _secret_bytes(secret)


def verify_signature(body: bytes, signature: str | None, secret: str | bytes) -> bool:
    """True when `signature` is the hex HMAC-SHA256 of `body` keyed with `secret`.

    Compared in constant time. The gateway sends lowercase hex; hex case is not significant.
    """
    key = _secret_bytes(secret)
    if signature is None:
        return False
    try:
        given = signature.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    expected = hmac.new(key, bytes(body), hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, given)


def _header_values(headers: Headers, name: str) -> list[str]:
    """Every value of header `name`, matched case-insensitively (Go canonicalises names).

    Anything with `.items()` (dict, Starlette, Django, werkzeug, `email.message.Message`) is read
    through it, so repeated headers are all seen; otherwise `headers` is `(name, value)` pairs.
    """
    items_of = getattr(headers, "items", None)
    # A mapping without `.items()` does not exist; what remains is an iterable of pairs.
    items = cast("Iterable[tuple[str, str]]", items_of() if callable(items_of) else headers)
    wanted = name.lower()
    return [value for key, value in items if key.lower() == wanted]


def _is_json(content_types: list[str]) -> bool:
    if len(content_types) != 1:
        return False
    media_type = content_types[0].split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def parse_webhook(body: bytes, headers: Headers, *, secret: str | bytes | None) -> WebhookPayload:
    """Check one delivery and return its payload; `WebhookVerificationError` when refused.

    For your own web framework: pass the raw body bytes (before any JSON parsing: the signature
    covers the exact bytes), the request headers (a mapping or `(name, value)` pairs), and the
    secret (`None` skips the signature check). The error's `.status` is the HTTP status to
    answer: 415 not JSON, 401 a missing or wrong signature, 400 a malformed body.
    """
    if not _is_json(_header_values(headers, "Content-Type")):
        raise WebhookVerificationError(
            "the webhook must be sent as Content-Type: application/json",
            code="unsupported_media_type",
            status=415,
        )
    if secret is not None:
        signatures = _header_values(headers, SIGNATURE_HEADER)
        if len(signatures) != 1:
            raise WebhookVerificationError(
                f"the webhook carries no single {SIGNATURE_HEADER} header; is "
                f"{WEBHOOK_SECRET_ENV} set on the gateway?",
                code="missing_signature",
                status=401,
            )
        if not verify_signature(body, signatures[0], secret):
            raise WebhookVerificationError(
                "the webhook signature does not match its body",
                code="invalid_signature",
                status=401,
            )
    try:
        payload = WebhookPayload.from_json(bytes(body))
    except (ValueError, RecursionError) as error:
        reason = str(error)[:200]
        raise WebhookVerificationError(
            f"the webhook body is not an AgentFM webhook payload: {reason}",
            code="invalid_payload",
            status=400,
        ) from None
    if not is_task_id(payload.task_id) or not payload.worker_id or not payload.status:
        raise WebhookVerificationError(
            "the webhook payload has an invalid task_id or an empty worker_id or status",
            code="invalid_payload",
            status=400,
        )
    return payload


class _DedupeFile:
    """The delivered task ids on disk, so a replay is still recognised after a restart.

    A header line, then one task id per line, appended and fsynced as each delivery succeeds.
    Rewritten (to a temporary file, then renamed over) with only the newest `capacity` ids once
    it holds twice that many, so it stays bounded.
    """

    HEADER = b"agentfm-webhook-delivered-task-ids v1\n"

    def __init__(self, path: Path, capacity: int) -> None:
        self.path = path
        self._capacity = capacity
        self._lines = 0

    def load(self) -> list[str]:
        """The remembered ids, oldest first (creating the file when it is new or empty)."""
        try:
            with open(self.path, "a+b") as handle:
                handle.seek(0)
                first = handle.readline(len(self.HEADER) + 1)
                if not first:
                    handle.write(self.HEADER)
                    handle.flush()
                    os.fsync(handle.fileno())
                    return []
                if first != self.HEADER:
                    raise self._error(
                        "is not a webhook dedupe file (its first line is not the agentfm "
                        "header); it was left untouched: pass a new path or an empty file",
                        "webhook_dedupe_foreign",
                    )
                # Only whole lines holding a task id count: a line torn by a crash is skipped.
                ids = [
                    line[:-1].decode("ascii")
                    for line in handle
                    if line.endswith(b"\n") and is_task_id(line[:-1].decode("ascii", "replace"))
                ]
        except OSError as error:
            raise self._error(
                f"cannot be read or created ({error.strerror or error})", "webhook_dedupe_unusable"
            ) from None
        self._lines = len(ids)
        return ids[-self._capacity :]

    def record(self, task_id: str, remembered: Iterable[str]) -> None:
        """Append one delivered id durably (compacting to `remembered` when it grew too long).
        A failure is logged, not raised: the delivery itself succeeded."""
        try:
            with open(self.path, "ab") as handle:
                # Deleted while serving: start the new file with its header again.
                header = self.HEADER if handle.tell() == 0 else b""
                handle.write(header + task_id.encode("ascii") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            self._lines += 1
            if self._lines > 2 * self._capacity:
                self._compact(remembered)
        except OSError as error:
            logger.error(
                "webhook dedupe file %s: cannot record task %s (%s); a replay of it after a "
                "restart would be delivered again",
                self.path,
                task_id,
                error.strerror or error,
            )

    def _compact(self, remembered: Iterable[str]) -> None:
        ids = list(remembered)
        fd, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with open(fd, "wb") as handle:
                handle.write(self.HEADER + b"".join(i.encode("ascii") + b"\n" for i in ids))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._lines = len(ids)

    def _error(self, message: str, code: str) -> InvalidRequestError:
        return InvalidRequestError(f"webhook dedupe file {self.path}: {message}", code=code)


class _DeliveryLog:
    """Which task ids reached the callback, bounded (and kept on disk with a dedupe file); and
    which are being handled right now."""

    def __init__(self, capacity: int, store: _DedupeFile | None = None) -> None:
        self._capacity = capacity
        self._done: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._store = store
        if store is not None:
            self._done.update((task_id, None) for task_id in store.load())

    def begin(self, task_id: str) -> bool:
        """False when this task id was already delivered (or is being delivered now)."""
        with self._lock:
            if task_id in self._done or task_id in self._running:
                return False
            self._running.add(task_id)
            return True

    def end(self, task_id: str, *, delivered: bool) -> None:
        with self._lock:
            self._running.discard(task_id)
            if delivered:
                self._done[task_id] = None
                while len(self._done) > self._capacity:
                    self._done.popitem(last=False)
                if self._store is not None:
                    self._store.record(task_id, self._done)


class _Server(ThreadingHTTPServer):
    """One thread per connection; at most `max_connections` connections hold a slot.

    Availability under a flood of idle or trickling connections: when every slot is taken, a new
    connection takes over the slot of the connection that has been sending its request the
    longest, which is cut. A genuine delivery arrives whole within a round trip (the gateway
    writes headers and body at once), so an attacker must open `max_connections` new
    connections within that round trip to displace it, rather than simply holding idle sockets
    open. Only connections whose request has been read (their callback is running) are never
    displaced; when all slots are such, a newcomer is answered 503. Handler threads, including
    those of cut connections still winding down, never exceed twice `max_connections`.

    `server_close()` waits for the handler threads (each bounded by the request timeout plus the
    callback's own time), except the one calling it: a callback may stop its own receiver.
    """

    # The listen backlog: a burst of connections (say, many tasks finishing at once) waits in
    # the kernel's queue for the accept loop instead of being refused with a reset.
    request_queue_size = 128

    def __init__(self, receiver: WebhookReceiver, address: tuple[str, int]) -> None:
        self.receiver = receiver
        self._max_connections = receiver.max_connections
        self._lock = threading.Lock()
        self._handlers: set[threading.Thread] = set()
        self._slots: set[socket.socket] = set()
        # Connections still sending their request, oldest first: the ones that may be cut.
        self._reading: collections.OrderedDict[socket.socket, None] = collections.OrderedDict()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look up the host's FQDN, a DNS query that can stall.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def _admit(self, request: socket.socket) -> tuple[bool, socket.socket | None]:
        """Whether `request` gets a slot, and the connection cut to make room for it."""
        with self._lock:
            if len(self._handlers) >= 2 * self._max_connections:
                return False, None
            displaced = None
            if len(self._slots) >= self._max_connections and self._reading:
                displaced, _ = self._reading.popitem(last=False)
                self._slots.discard(displaced)
            if len(self._slots) >= self._max_connections:
                return False, None
            self._slots.add(request)
            self._reading[request] = None
            return True, displaced

    def process_request(self, request: Any, client_address: Any) -> None:
        admitted, displaced = self._admit(request)
        if displaced is not None:
            logger.info("webhook receiver full: cut the oldest unfinished request for a new one")
            with contextlib.suppress(OSError):
                displaced.shutdown(socket.SHUT_RDWR)
        if not admitted:
            logger.warning("webhook receiver busy: refusing a connection from %s", client_address)
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\n\r\n"
                )
            self.shutdown_request(request)
            return
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="agentfm-webhook-request",
            daemon=True,
        )
        with self._lock:
            self._handlers.add(thread)
        try:
            thread.start()
        except BaseException:
            self._release(request, thread)
            self.shutdown_request(request)
            raise

    def _release(self, request: socket.socket, thread: threading.Thread) -> None:
        with self._lock:
            self._slots.discard(request)
            self._reading.pop(request, None)
            self._handlers.discard(thread)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release(request, threading.current_thread())

    def server_close(self) -> None:
        super().server_close()
        current = threading.current_thread()
        with self._lock:
            handlers = [thread for thread in self._handlers if thread is not current]
        for thread in handlers:
            thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.exception("webhook receiver: unexpected error serving %s", client_address)

    def request_read(self, connection: socket.socket) -> None:
        """The request on `connection` arrived whole: it may no longer be cut for a newcomer."""
        with self._lock:
            self._reading.pop(connection, None)

    def cut_reading_connections(self) -> None:
        """End connections still sending their request (so stop() need not wait them out)."""
        with self._lock:
            connections = list(self._reading)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "agentfm-webhook"
    sys_version = ""

    def setup(self) -> None:
        receiver = self.server.receiver
        # Per read, and for the whole request: a client that sends nothing, or trickles, is cut.
        self.request.settimeout(receiver.request_timeout)
        super().setup()
        self._deadline = threading.Timer(receiver.request_timeout, self._cut)
        self._deadline.daemon = True
        self._deadline.start()

    def _cut(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _request_read(self) -> None:
        self._deadline.cancel()
        self.server.request_read(self.connection)

    def finish(self) -> None:
        self._request_read()
        self._deadline.join()
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _reply(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        body = (message + "\n").encode("utf-8")
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    def _not_post(self) -> None:
        if self._path_matches():
            self._reply(405, "method not allowed", {"Allow": "POST"})
        else:
            self._reply(404, "not found")

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_post

    def _path_matches(self) -> bool:
        return urlsplit(self.path).path == self.server.receiver.path

    def _body_length(self) -> int | None:
        """The declared body length, or None after answering why it is not acceptable."""
        limit = self.server.receiver.max_body_bytes
        if self.headers.get_all("Transfer-Encoding"):
            self._reply(411, "a Content-Length is required (chunked bodies are not accepted)")
            return None
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            self._reply(411, "a Content-Length is required")
            return None
        if len(lengths) != 1 or not _DECIMAL_LENGTH.fullmatch(lengths[0].strip()):
            self._reply(400, "malformed Content-Length")
            return None
        length = int(lengths[0].strip())
        if length > limit:
            self._reply(413, f"the body exceeds {limit} bytes")
            return None
        return length

    def do_POST(self) -> None:
        receiver = self.server.receiver
        if not self._path_matches():
            self._reply(404, "not found")
            return
        length = self._body_length()
        if length is None:
            return
        try:
            body = self.rfile.read(length)
        except OSError:
            body = b""
        if len(body) != length:
            logger.debug("webhook body cut short by %s", self.address_string())
            self._reply(400, "the body ended before its Content-Length")
            return
        self._request_read()
        try:
            payload = parse_webhook(body, self.headers.items(), secret=receiver._secret)
        except WebhookVerificationError as error:
            logger.warning("webhook refused from %s: %s", self.address_string(), error.message)
            self._reply(error.status or 400, error.message)
            return
        self._reply(*receiver._deliver(payload))


class WebhookReceiver:
    """A local HTTP server that verifies the gateway's webhooks and calls `callback(payload)`.

    `port=0` picks a free port (see `.port`, `.url`, known once started). `start()` serves from
    a background thread; `serve_forever()` serves in the calling thread until `stop()` (from
    another thread) or Ctrl-C; as a context manager it is started and stopped for you. The
    callback runs on a server thread; what it raises is logged and answered 500.

    Bounds: a request must arrive whole within `request_timeout` seconds; at most
    `max_connections` connections are served at once, and when all are taken the one that has
    been sending its request the longest is cut for the newcomer (idle sockets cannot starve
    deliveries); at most `remembered_task_ids` delivered ids are remembered, in memory and, with
    `dedupe_file=`, in that file (created if new or empty, refused with `InvalidRequestError` code
    `webhook_dedupe_foreign` if it holds anything else), so replays are still recognised after a
    restart. One receiver per dedupe file.
    """

    def __init__(
        self,
        *,
        port: int,
        callback: WebhookCallback,
        host: str = "127.0.0.1",
        path: str = "/cb",
        secret: str | bytes | NotGiven | None = NOT_GIVEN,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        remembered_task_ids: int = DEFAULT_REMEMBERED_TASK_IDS,
        dedupe_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise InvalidRequestError(f"port must be 0-65535, not {port!r}", code="invalid_port")
        if not callable(callback):
            raise InvalidRequestError("callback must be callable", code="invalid_callback")
        if inspect.iscoroutinefunction(callback):
            raise InvalidRequestError(
                "callback must be a plain function: it runs on a server thread, where nothing "
                "would await a coroutine",
                code="invalid_callback",
            )
        if not isinstance(path, str) or not path.startswith("/"):
            raise InvalidRequestError(
                f"path must start with '/', not {path!r}", code="invalid_path"
            )
        for name, value in (
            ("max_body_bytes", max_body_bytes),
            ("max_connections", max_connections),
            ("remembered_task_ids", remembered_task_ids),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InvalidRequestError(f"{name} must be a positive whole number, not {value!r}")
        if (
            isinstance(request_timeout, bool)
            or not isinstance(request_timeout, (int, float))
            or not request_timeout > 0
        ):
            raise InvalidRequestError(f"request_timeout must be > 0, not {request_timeout!r}")
        self.host = host
        self.path = path
        self.callback = callback
        self.max_body_bytes = max_body_bytes
        self.request_timeout = float(request_timeout)
        self.max_connections = max_connections
        self._secret = _resolve_secret(secret)
        self._requested_port = port
        store = None
        if dedupe_file is not None:
            if not isinstance(dedupe_file, (str, os.PathLike)) or not os.fspath(dedupe_file):
                raise InvalidRequestError(
                    f"dedupe_file must be a file path, not {dedupe_file!r}",
                    code="invalid_dedupe_file",
                )
            store = _DedupeFile(Path(os.path.abspath(dedupe_file)), remembered_task_ids)
        self._deliveries = _DeliveryLog(remembered_task_ids, store)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._serving = False
        if self._secret is None:
            logger.warning(
                "webhook receiver without a secret: deliveries are not authenticated "
                "(set %s or pass secret=)",
                WEBHOOK_SECRET_ENV,
            )

    @property
    def verifies_signatures(self) -> bool:
        """True when a secret is set, so unsigned or forged deliveries are refused."""
        return self._secret is not None

    @property
    def port(self) -> int:
        """The port it listens on (the chosen free one when created with `port=0`)."""
        server = self._server
        if server is not None:
            return int(server.server_address[1])
        if self._requested_port == 0:
            raise InvalidRequestError(
                "port=0 picks a free port when the receiver starts: call start() first",
                code="not_started",
            )
        return self._requested_port

    @property
    def url(self) -> str:
        """`http://<host>:<port><path>`: the `webhook_url` to give the gateway."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.path}"

    def __repr__(self) -> str:
        where = self.url if self._server is not None or self._requested_port else "not started"
        return f"WebhookReceiver({where}, verifies_signatures={self.verifies_signatures})"

    # --- serving ------------------------------------------------------------------------------

    def _bind(self) -> _Server:
        try:
            return _Server(self, (self.host, self._requested_port))
        except OSError as error:
            raise AgentFMError(
                f"the webhook receiver cannot listen on {self.host}:{self._requested_port}: "
                f"{error.strerror or error}",
                code="webhook_bind_failed",
            ) from None

    def start(self) -> WebhookReceiver:
        """Listen, and serve from a background thread. Returns once connections are accepted."""
        with self._lock:
            if self._server is not None:
                return self
            server = self._bind()
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"agentfm-webhook:{server.server_address[1]}",
                daemon=True,
            )
            self._server, self._thread, self._serving = server, thread, True
            thread.start()
        logger.info("webhook receiver listening on %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Listen (if not yet) and serve in this thread until `stop()` or KeyboardInterrupt."""
        with self._lock:
            if self._serving:
                raise InvalidRequestError(
                    "the webhook receiver is already serving", code="already_serving"
                )
            server = self._server if self._server is not None else self._bind()
            self._server, self._serving = server, True
        logger.info("webhook receiver listening on %s", self.url)
        try:
            server.serve_forever(poll_interval=0.1)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop listening, cut requests still arriving, and wait for deliveries being handled.
        Safe to call more than once."""
        with self._lock:
            server, thread, serving = self._server, self._thread, self._serving
            self._server, self._thread, self._serving = None, None, False
        if server is None:
            return
        if serving:
            server.shutdown()
        server.cut_reading_connections()
        server.server_close()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        logger.info("webhook receiver stopped")

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- one delivery -------------------------------------------------------------------------

    def _deliver(self, payload: WebhookPayload) -> tuple[int, str]:
        """Hand a verified payload to the callback once per task id; the status to answer."""
        if not self._deliveries.begin(payload.task_id):
            logger.info("duplicate webhook for task %s ignored", payload.task_id)
            return 200, "duplicate"
        try:
            self.callback(payload)
        except Exception:
            self._deliveries.end(payload.task_id, delivered=False)
            logger.exception("webhook callback failed for task %s", payload.task_id)
            return 500, "callback failed"
        self._deliveries.end(payload.task_id, delivered=True)
        return 200, "ok"
