"""Webhooks: a real receiver on a free port, refusing what it must and delivering each task once."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AgentFMError,
    InvalidRequestError,
    WebhookPayload,
    WebhookReceiver,
    WebhookVerificationError,
)
from agentfm.testing import MeshSimulator
from agentfm.webhook import parse_webhook, verify_signature

SECRET = "a-shared-webhook-secret"
WORKER = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"


def gateway_body(task_id: str = "task_0123456789abcdef01234567") -> bytes:
    """The exact bytes the gateway posts (section 5.5): compact, alphabetical, no newline."""
    return json.dumps(
        {"status": "completed", "task_id": task_id, "worker_id": WORKER},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    # Go canonicalises the header name to this spelling on the wire.
    return {"Content-Type": "application/json", "X-Agentfm-Signature": sign(body, secret)}


@dataclass
class Calls:
    payloads: list[WebhookPayload] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, payload: WebhookPayload) -> None:
        with self.arrived:
            self.payloads.append(payload)
            self.arrived.notify_all()


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def receiver(calls: Calls) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(
        port=0, callback=calls, secret=SECRET, max_body_bytes=4096, request_timeout=0.5
    ) as rx:
        yield rx


def post(rx: WebhookReceiver, body: bytes, headers: dict[str, str], path: str = "/cb") -> int:
    url = f"http://127.0.0.1:{rx.port}{path}"
    return httpx.post(url, content=body, headers=headers, timeout=10).status_code


def raw_exchange(rx: WebhookReceiver, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", rx.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


# --- the receiver -------------------------------------------------------------------------


def test_a_signed_delivery_reaches_the_callback(receiver: WebhookReceiver, calls: Calls) -> None:
    body = gateway_body()

    assert post(receiver, body, signed_headers(body)) == 200

    assert calls.payloads == [
        WebhookPayload(
            status="completed", task_id="task_0123456789abcdef01234567", worker_id=WORKER
        )
    ]


def test_port_zero_binds_a_free_port_and_exposes_the_url(receiver: WebhookReceiver) -> None:
    assert receiver.port > 0
    assert receiver.url == f"http://127.0.0.1:{receiver.port}/cb"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "application/json"}, id="unsigned"),
        pytest.param(
            {"Content-Type": "application/json", "X-AgentFM-Signature": sign(b"other body")},
            id="signature-of-another-body",
        ),
        pytest.param(
            {"Content-Type": "application/json", "X-AgentFM-Signature": sign(gateway_body(), "x")},
            id="signed-with-another-secret",
        ),
        pytest.param(
            {"Content-Type": "application/json", "X-AgentFM-Signature": "not hex at all"},
            id="garbage",
        ),
    ],
)
def test_forged_deliveries_are_refused(
    receiver: WebhookReceiver, calls: Calls, headers: dict[str, str]
) -> None:
    assert post(receiver, gateway_body(), headers) == 401
    assert calls.payloads == []


def test_the_signature_header_name_is_matched_in_any_case(
    receiver: WebhookReceiver, calls: Calls
) -> None:
    body = gateway_body()
    headers = {"content-type": "application/json", "X-AGENTFM-SIGNATURE": sign(body).upper()}

    assert post(receiver, body, headers) == 200
    assert len(calls.payloads) == 1


def test_an_oversized_body_is_refused_from_its_length_before_reading(
    receiver: WebhookReceiver, calls: Calls
) -> None:
    # Headers only: a receiver that tried to read the promised 10 MB would wait, not answer.
    answer = raw_exchange(
        receiver,
        b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10000000\r\n\r\n",
    )

    assert answer.startswith(b"HTTP/1.1 413")
    assert calls.payloads == []


@pytest.mark.parametrize("length", [b"-1", b"\xb2", b"12abc", b"1e3"])
def test_a_malformed_length_is_refused(
    receiver: WebhookReceiver, calls: Calls, length: bytes
) -> None:
    answer = raw_exchange(
        receiver,
        b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + length + b"\r\n\r\n",
    )

    assert answer.startswith(b"HTTP/1.1 400")
    assert calls.payloads == []


def test_a_body_just_over_the_cap_is_refused(receiver: WebhookReceiver, calls: Calls) -> None:
    body = b" " * 4097
    assert post(receiver, body, signed_headers(body)) == 413
    assert calls.payloads == []


def test_a_chunked_body_is_refused(receiver: WebhookReceiver, calls: Calls) -> None:
    body = gateway_body()

    def chunks() -> Iterator[bytes]:
        yield body

    url = f"http://127.0.0.1:{receiver.port}/cb"
    answer = httpx.post(url, content=chunks(), headers=signed_headers(body), timeout=10)

    assert answer.status_code == 411
    assert calls.payloads == []


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_wrong_content_type_is_refused(
    receiver: WebhookReceiver, calls: Calls, content_type: str | None
) -> None:
    body = gateway_body()
    headers = {"X-Agentfm-Signature": sign(body)}
    if content_type is not None:
        headers["Content-Type"] = content_type

    assert post(receiver, body, headers) == 415
    assert calls.payloads == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_other_methods_are_refused(receiver: WebhookReceiver, calls: Calls, method: str) -> None:
    answer = httpx.request(method, receiver.url, timeout=10)

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"
    assert calls.payloads == []


def test_another_path_is_not_found(receiver: WebhookReceiver, calls: Calls) -> None:
    body = gateway_body()
    assert post(receiver, body, signed_headers(body), path="/other") == 404
    assert post(receiver, body, signed_headers(body), path="/cb/") == 404
    assert calls.payloads == []


def test_a_query_string_does_not_change_the_path(receiver: WebhookReceiver, calls: Calls) -> None:
    body = gateway_body()
    assert post(receiver, body, signed_headers(body), path="/cb?source=agentfm") == 200
    assert len(calls.payloads) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"status":"completed","task_id":"task_1"}',
        b'{"status":"completed","task_id":"../../etc","worker_id":"w"}',
        b'{"status":"completed","task_id":7,"worker_id":"w"}',
        b"\xff\xfe",
    ],
)
def test_a_signed_but_malformed_body_is_refused(
    receiver: WebhookReceiver, calls: Calls, body: bytes
) -> None:
    assert post(receiver, body, signed_headers(body)) == 400
    assert calls.payloads == []


def test_a_replayed_delivery_reaches_the_callback_once(
    receiver: WebhookReceiver, calls: Calls
) -> None:
    body = gateway_body()
    other = gateway_body("task_ffffffffffffffffffffffff")

    statuses = [post(receiver, b, signed_headers(b)) for b in (body, body, other, body)]

    assert statuses == [200, 200, 200, 200]
    assert [p.task_id for p in calls.payloads] == [
        "task_0123456789abcdef01234567",
        "task_ffffffffffffffffffffffff",
    ]


def test_remembered_task_ids_are_bounded(calls: Calls) -> None:
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, remembered_task_ids=2) as rx:
        bodies = [gateway_body(f"task_{i}") for i in range(3)]
        for body in [*bodies, bodies[0]]:
            assert post(rx, body, signed_headers(body)) == 200

    # The oldest id was forgotten, so its replay got through; a recent one would not have.
    assert [p.task_id for p in calls.payloads] == ["task_0", "task_1", "task_2", "task_0"]


def test_a_silent_client_is_cut_off_and_does_not_block_others(
    receiver: WebhookReceiver, calls: Calls
) -> None:
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as silent:
        body = gateway_body()
        assert post(receiver, body, signed_headers(body)) == 200

        started = time.monotonic()
        assert silent.recv(1024) == b"", "the receiver closed the idle connection"
        assert time.monotonic() - started < 9

    assert len(calls.payloads) == 1


def test_a_trickling_client_is_cut_off(receiver: WebhookReceiver) -> None:
    request = b"POST /cb HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 200
    started = time.monotonic()
    closed = False
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as sock:
        sock.settimeout(0.05)
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
                if sock.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break

    assert closed, "the receiver kept a connection that never finished its request"
    assert time.monotonic() - started < 9


def test_connections_beyond_the_cap_are_turned_away(calls: Calls) -> None:
    # The only slot is held by a delivery whose callback is running: that one is never cut, so
    # the next connection is refused. (An idle connection would be cut instead: see below.)
    entered, release = threading.Event(), threading.Event()

    def slow(payload: WebhookPayload) -> None:
        entered.set()
        release.wait(timeout=30)
        calls(payload)

    first, second = gateway_body("task_first"), gateway_body("task_second")
    with WebhookReceiver(
        port=0, callback=slow, secret=SECRET, max_connections=1, request_timeout=5
    ) as rx:
        holder = threading.Thread(target=post, args=(rx, first, signed_headers(first)))
        holder.start()
        try:
            assert entered.wait(timeout=30)
            try:
                status: int | None = post(rx, second, signed_headers(second))
            except httpx.TransportError:
                status = None  # the refusal closed the socket before the answer was read
            assert status in (503, None)
        finally:
            release.set()
            holder.join(timeout=30)
    assert [p.task_id for p in calls.payloads] == ["task_first"]


# --- a hostile peer on the webhook port -------------------------------------------------------


def open_idle(rx: WebhookReceiver, count: int, first_bytes: bytes = b"") -> list[socket.socket]:
    """`count` connections that send `first_bytes` (maybe nothing) and then nothing more."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", rx.port), timeout=10)
        if first_bytes:
            sock.sendall(first_bytes)
        sockets.append(sock)
    return sockets


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


@pytest.mark.parametrize(
    "first_bytes",
    [
        pytest.param(b"", id="silent"),
        pytest.param(b"POST /cb HTTP/1.1\r\nHost: x\r\n", id="headers-never-finished"),
        pytest.param(
            b"POST /cb HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 4000\r\n\r\n{",
            id="body-never-finished",
        ),
    ],
)
def test_idle_connections_beyond_the_cap_do_not_starve_deliveries(
    calls: Calls, first_bytes: bytes
) -> None:
    # 80 idle sockets against the default 64 connections used to hold every slot, and the
    # genuine deliveries behind them got 503 until the attacker let go (a long request timeout
    # stands for an attacker who renews his sockets as they are cut: see the next test).
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, request_timeout=60) as rx:
        idle = open_idle(rx, 80, first_bytes)
        try:
            statuses = []
            for i in range(3):
                body = gateway_body(f"task_genuine_{i}")
                statuses.append(post(rx, body, signed_headers(body)))
        finally:
            close_all(idle)
    assert statuses == [200, 200, 200]
    assert len(calls.payloads) == 3


class RenewingAttacker:
    """Keeps `count` idle connections open, opening a new one whenever the receiver closes one
    (the "renew every 10 s" attack, at whatever pace the receiver cuts them)."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.renewed = 0
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RenewingAttacker:
        self._sockets = [self._connect() for _ in range(self.count)]
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        close_all(self._sockets)

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.setblocking(False)
        return sock

    def _closed(self, sock: socket.socket) -> bool:
        try:
            return sock.recv(1024) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _run(self) -> None:
        for _ in range(3000):  # bounded: at most 3000 rounds of 10 ms
            if self._stop.wait(0.01):
                return
            for position, sock in enumerate(self._sockets):
                if self._closed(sock):
                    sock.close()
                    with contextlib.suppress(OSError):
                        self._sockets[position] = self._connect()
                        self.renewed += 1


def test_idle_connections_renewed_as_they_are_cut_do_not_starve_deliveries(
    calls: Calls,
) -> None:
    with (
        WebhookReceiver(
            port=0, callback=calls, secret=SECRET, max_connections=8, request_timeout=0.5
        ) as rx,
        RenewingAttacker(rx.port, count=8) as attacker,
    ):
        statuses = []
        for i in range(6):
            body = gateway_body(f"task_genuine_{i}")
            statuses.append(post(rx, body, signed_headers(body)))
            time.sleep(0.2)  # spread the deliveries over several renewal rounds
        renewed = attacker.renewed
    assert renewed > 0, "the attack did not run"
    assert statuses == [200] * 6
    assert len(calls.payloads) == 6


def test_a_connection_flood_keeps_handler_threads_bounded(calls: Calls) -> None:
    def handler_threads() -> int:
        return sum(t.name == "agentfm-webhook-request" for t in threading.enumerate())

    before = handler_threads()
    with WebhookReceiver(
        port=0, callback=calls, secret=SECRET, max_connections=4, request_timeout=5
    ) as rx:
        flood = open_idle(rx, 60)
        try:
            body = gateway_body()
            status = post(rx, body, signed_headers(body))  # served after the whole flood
            assert handler_threads() - before <= 2 * 4
        finally:
            close_all(flood)
    assert status == 200


# --- replays across restarts: the dedupe file ------------------------------------------------


def test_a_replay_after_a_restart_is_recognised_with_a_dedupe_file(
    calls: Calls, tmp_path: Path
) -> None:
    store = tmp_path / "delivered.txt"
    body = gateway_body()
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=store) as rx:
        assert post(rx, body, signed_headers(body)) == 200
    # The receiver restarts; an attacker who captured the delivery sends it again.
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=str(store)) as rx:
        assert post(rx, body, signed_headers(body)) == 200
        other = gateway_body("task_ffffffffffffffffffffffff")
        assert post(rx, other, signed_headers(other)) == 200
    assert [p.task_id for p in calls.payloads] == [
        "task_0123456789abcdef01234567",
        "task_ffffffffffffffffffffffff",
    ]


def test_the_dedupe_file_stays_bounded_and_keeps_the_newest_ids(
    calls: Calls, tmp_path: Path
) -> None:
    store = tmp_path / "delivered.txt"
    with WebhookReceiver(
        port=0, callback=calls, secret=SECRET, remembered_task_ids=3, dedupe_file=store
    ) as rx:
        for i in range(10):
            body = gateway_body(f"task_{i}")
            assert post(rx, body, signed_headers(body)) == 200
    assert len(store.read_bytes().splitlines()) <= 1 + 2 * 3
    with WebhookReceiver(
        port=0, callback=calls, secret=SECRET, remembered_task_ids=3, dedupe_file=store
    ) as rx:
        for i in (9, 8, 7, 0):
            body = gateway_body(f"task_{i}")
            assert post(rx, body, signed_headers(body)) == 200
    # The three newest were remembered across the restart; the oldest was forgotten.
    assert [p.task_id for p in calls.payloads] == [f"task_{i}" for i in range(10)] + ["task_0"]


def test_a_dedupe_file_torn_by_a_crash_still_loads(calls: Calls, tmp_path: Path) -> None:
    store = tmp_path / "delivered.txt"
    body = gateway_body()
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=store) as rx:
        assert post(rx, body, signed_headers(body)) == 200
    with store.open("ab") as handle:
        handle.write(b"task_torn_by_a_cra")
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=store) as rx:
        assert post(rx, body, signed_headers(body)) == 200
    assert len(calls.payloads) == 1


def test_a_dedupe_file_deleted_while_serving_is_started_again(calls: Calls, tmp_path: Path) -> None:
    store = tmp_path / "delivered.txt"
    first, second = gateway_body("task_first"), gateway_body("task_second")
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=store) as rx:
        assert post(rx, first, signed_headers(first)) == 200
        store.unlink()
        assert post(rx, second, signed_headers(second)) == 200
    with WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=store) as rx:
        assert post(rx, second, signed_headers(second)) == 200
    assert [p.task_id for p in calls.payloads] == ["task_first", "task_second"]


@pytest.mark.parametrize("content", [b"my notes\n", b'{"a": 1}', bytes(range(256))])
def test_a_dedupe_file_that_is_not_ours_is_refused_untouched(
    calls: Calls, tmp_path: Path, content: bytes
) -> None:
    store = tmp_path / "notes.txt"
    store.write_bytes(content)
    with pytest.raises(InvalidRequestError) as refused:
        WebhookReceiver(port=0, callback=calls, secret=SECRET, dedupe_file=store)
    assert refused.value.code == "webhook_dedupe_foreign"
    assert store.read_bytes() == content


def test_a_raising_callback_is_answered_500_and_the_receiver_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    def callback(payload: WebhookPayload) -> None:
        seen.append(payload.task_id)
        if len(seen) == 1:
            raise RuntimeError("the user's handler broke")

    first, second = gateway_body("task_first"), gateway_body("task_second")
    with (
        caplog.at_level(logging.ERROR, logger="agentfm.webhook"),
        WebhookReceiver(port=0, callback=callback, secret=SECRET) as rx,
    ):
        assert post(rx, first, signed_headers(first)) == 500
        assert post(rx, second, signed_headers(second)) == 200
        # A delivery whose callback failed is not remembered: a redelivery is processed.
        assert post(rx, first, signed_headers(first)) == 200

    assert seen == ["task_first", "task_second", "task_first"]
    assert any("task_first" in r.getMessage() and r.exc_info for r in caplog.records)


def test_secret_falls_back_to_the_environment(
    calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTFM_WEBHOOK_SECRET", SECRET)
    body = gateway_body()
    with WebhookReceiver(port=0, callback=calls) as rx:
        assert rx.verifies_signatures
        assert post(rx, body, {"Content-Type": "application/json"}) == 401
        assert post(rx, body, signed_headers(body)) == 200


def test_secret_none_accepts_unsigned_deliveries_and_ignores_the_environment(
    calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTFM_WEBHOOK_SECRET", SECRET)
    body = gateway_body()
    with WebhookReceiver(port=0, callback=calls, secret=None) as rx:
        assert not rx.verifies_signatures
        assert post(rx, body, {"Content-Type": "application/json"}) == 200
    assert len(calls.payloads) == 1


def test_the_secret_never_shows(calls: Calls, caplog: pytest.LogCaptureFixture) -> None:
    body = gateway_body()
    with (
        caplog.at_level(logging.DEBUG, logger="agentfm.webhook"),
        WebhookReceiver(port=0, callback=calls, secret=SECRET) as rx,
    ):
        post(rx, body, {"Content-Type": "application/json", "X-Agentfm-Signature": "00"})
        post(rx, body, signed_headers(body))
        shown = repr(rx) + str(rx)
    assert SECRET not in shown
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_serve_forever_runs_until_stopped_from_another_thread(calls: Calls) -> None:
    rx = WebhookReceiver(port=0, callback=calls, secret=SECRET)
    thread = threading.Thread(target=rx.serve_forever)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while True:  # wait for readiness: the port is known once bound
            try:
                body = gateway_body()
                assert post(rx, body, signed_headers(body)) == 200
                break
            except (InvalidRequestError, httpx.TransportError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
    finally:
        rx.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(calls.payloads) == 1


def test_a_callback_may_stop_its_own_receiver() -> None:
    received: list[WebhookPayload] = []

    def callback(payload: WebhookPayload) -> None:
        received.append(payload)
        rx.stop()

    rx = WebhookReceiver(port=0, callback=callback, secret=SECRET).start()
    url = rx.url
    try:
        body = gateway_body()
        assert httpx.post(url, content=body, headers=signed_headers(body)).status_code == 200
    finally:
        rx.stop()
    assert len(received) == 1
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, content=body, headers=signed_headers(body), timeout=5)


def test_a_port_in_use_is_an_sdk_error(calls: Calls) -> None:
    with WebhookReceiver(port=0, callback=calls, secret=SECRET) as first:
        taken = WebhookReceiver(port=first.port, callback=calls, secret=SECRET)
        with pytest.raises(AgentFMError) as refused:
            taken.start()
    assert refused.value.code == "webhook_bind_failed"


def test_the_port_of_an_unstarted_port_zero_receiver_is_unknown(calls: Calls) -> None:
    with pytest.raises(InvalidRequestError):
        _ = WebhookReceiver(port=0, callback=calls, secret=SECRET).url


def test_an_async_callback_is_refused_up_front() -> None:
    async def callback(payload: WebhookPayload) -> None:
        pass

    with pytest.raises(InvalidRequestError):
        WebhookReceiver(port=0, callback=callback, secret=SECRET)


def test_an_empty_explicit_secret_is_refused(calls: Calls) -> None:
    with pytest.raises(InvalidRequestError):
        WebhookReceiver(port=0, callback=calls, secret="")


# --- the framework-free helpers -----------------------------------------------------------


def test_verify_signature() -> None:
    body = gateway_body()
    assert verify_signature(body, sign(body), SECRET)
    assert verify_signature(body, sign(body), SECRET.encode())
    assert not verify_signature(body, sign(body), "another secret")
    assert not verify_signature(body + b" ", sign(body), SECRET)
    assert not verify_signature(body, None, SECRET)
    assert not verify_signature(body, "ünïcode", SECRET)


def test_parse_webhook_accepts_header_pairs_and_mappings() -> None:
    body = gateway_body()
    pairs = [
        ("content-type", "application/json; charset=utf-8"),
        ("x-agentfm-signature", sign(body)),
    ]

    from_pairs = parse_webhook(body, pairs, secret=SECRET)
    from_mapping = parse_webhook(body, dict(pairs), secret=SECRET)

    assert from_pairs == from_mapping
    assert from_pairs.task_id == "task_0123456789abcdef01234567"
    assert from_pairs.worker_id == WORKER
    assert from_pairs.status == "completed"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ({"Content-Type": "application/json"}, 401, "missing_signature"),
        (
            {"Content-Type": "application/json", "X-AgentFM-Signature": sign(b"x")},
            401,
            "invalid_signature",
        ),
    ],
)
def test_parse_webhook_refusals_carry_the_status_to_answer(
    headers: dict[str, str], status: int, code: str
) -> None:
    with pytest.raises(WebhookVerificationError) as refused:
        parse_webhook(gateway_body(), headers, secret=SECRET)
    assert refused.value.status == status
    assert refused.value.code == code


def test_parse_webhook_without_a_secret_skips_the_signature() -> None:
    payload = parse_webhook(gateway_body(), {"Content-Type": "application/json"}, secret=None)
    assert payload.status == "completed"


# --- end to end: the simulator's async task posts to the receiver ---------------------------


def test_the_simulated_gateway_signs_and_delivers_to_the_receiver(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(
        webhook_secret=SECRET, webhook_allow_private=True, async_artifact_wait_seconds=0.2
    )
    worker = mesh.worker("summarizer")
    delivered: queue.Queue[WebhookPayload] = queue.Queue()
    with (
        WebhookReceiver(port=0, callback=delivered.put, secret=SECRET) as rx,
        AgentFMClient(mesh.url, api_key=None) as client,
    ):
        ack = client.tasks.submit_async(
            worker_id=worker.peer_id, prompt="summarise this", webhook_url=rx.url
        )
        payload = delivered.get(timeout=30)

    assert payload == WebhookPayload(
        status="completed", task_id=ack.task_id, worker_id=worker.peer_id
    )
    assert delivered.empty()


def test_the_simulated_gateway_with_another_secret_is_refused(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(
        webhook_secret="the-gateway-has-another-secret",
        webhook_allow_private=True,
        async_artifact_wait_seconds=0.2,
    )
    worker = mesh.worker("summarizer")
    delivered: queue.Queue[WebhookPayload] = queue.Queue()
    refused = threading.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "webhook refused" in record.getMessage():
                refused.set()

    watch = Watch()
    logging.getLogger("agentfm.webhook").addHandler(watch)
    try:
        with (
            WebhookReceiver(port=0, callback=delivered.put, secret=SECRET) as rx,
            AgentFMClient(mesh.url, api_key=None) as client,
        ):
            client.tasks.submit_async(worker_id=worker.peer_id, prompt="x", webhook_url=rx.url)
            assert refused.wait(timeout=30)
    finally:
        logging.getLogger("agentfm.webhook").removeHandler(watch)

    assert delivered.empty()
