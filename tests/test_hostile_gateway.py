"""A hostile gateway cannot hold a call past its deadline, blow up its memory, crash it with
anything but an `AgentFMError`, or get the api key shown; bad user input is refused by name.

The gateway here is our own loopback server (tests/hostile_gateway.py) that drips bytes, nests
JSON, sends huge and compressed-bomb answers, and reflects the `Authorization` header.
"""

from __future__ import annotations

import gc
import json
import logging
import socket
import time
import tracemalloc
from collections.abc import Callable, Iterator

import httpx
import pytest
from hostile_gateway import (
    HostileGateway,
    ReceivedRequest,
    Scenario,
    chunk,
    drip,
    gzip_stream,
    head,
    nested_json,
    repeated,
)

from agentfm import AgentFMClient, AsyncAgentFMClient
from agentfm.exceptions import (
    AuthenticationError,
    GatewayInternalError,
    GatewayProtocolError,
    GatewayTimeoutError,
    InvalidRequestError,
)

PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
API_KEY = "sk-hostile-test-0123456789abcdef"
EMPTY_LISTING = b'{"agents":[],"online_count":0,"offline_count":0,"success":true}'
MIB = 1 << 20


@pytest.fixture
def serve() -> Iterator[Callable[[Scenario], HostileGateway]]:
    started: list[HostileGateway] = []

    def start(scenario: Scenario) -> HostileGateway:
        gateway = HostileGateway(scenario)
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.close()


def _client(gateway: HostileGateway, **options: object) -> AgentFMClient:
    options.setdefault("api_key", API_KEY)
    options.setdefault("retries", 0)
    return AgentFMClient(gateway.url, **options)  # type: ignore[arg-type]


def _json_answer(body: bytes, status: int = 200) -> Scenario:
    def scenario(connection: socket.socket, request: ReceivedRequest) -> None:
        connection.sendall(
            head(status, {"Content-Type": "application/json", "Content-Length": str(len(body))})
            + body
        )

    return scenario


def _listing_of(peer_id: str) -> bytes:
    worker = {
        "peer_id": peer_id, "author": "a", "name": "w", "status": "AVAILABLE",
        "hardware": "m (CPU: 8 Cores)", "description": "", "cpu_usage_pct": 1.0,
        "ram_free_gb": 8.0, "current_tasks": 0, "max_tasks": 1, "has_gpu": False,
        "gpu_used_gb": 0.0, "gpu_total_gb": 0.0, "gpu_usage_pct": 0.0, "honesty_score": 0.0,
        "is_equivocator": False, "dispatch_allowed": True, "online": True,
    }  # fmt: skip
    return json.dumps(
        {"agents": [worker], "online_count": 1, "offline_count": 0, "success": True}
    ).encode()


# --- bounded time -------------------------------------------------------------------------------


def _dripping_body(connection: socket.socket, request: ReceivedRequest) -> None:
    connection.sendall(head(200, {"Content-Type": "application/json", "Content-Length": "100000"}))
    drip(connection, b" " * 100000, interval=0.1, for_at_most=8)


def _dripping_headers(connection: socket.socket, request: ReceivedRequest) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    drip(connection, b"X-Slow: " + b"a" * 10000, interval=0.1, for_at_most=8)


@pytest.mark.parametrize("scenario", [_dripping_body, _dripping_headers], ids=["body", "headers"])
def test_a_dripping_gateway_cannot_hold_a_call_past_its_deadline(serve, scenario) -> None:
    # Every read gets a byte well within the 0.5 s phase timeout, so only the call's deadline
    # (4 x the timeout: 2 s) ends it.
    client = _client(serve(scenario), timeout=0.5)
    started = time.monotonic()
    with pytest.raises(GatewayTimeoutError) as raised:
        client.workers.list()
    elapsed = time.monotonic() - started
    assert raised.value.code == "deadline_exceeded"
    assert 1.9 <= elapsed < 4.0


async def test_the_async_client_keeps_the_same_deadline(serve) -> None:
    async with AsyncAgentFMClient(
        serve(_dripping_body).url, timeout=0.5, retries=0, api_key=None
    ) as client:
        started = time.monotonic()
        with pytest.raises(GatewayTimeoutError) as raised:
            await client.workers.list()
        assert raised.value.code == "deadline_exceeded"
        assert time.monotonic() - started < 4.0


def _dripping_task(connection: socket.socket, request: ReceivedRequest) -> None:
    connection.sendall(head(200, {"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}))
    give_up = time.monotonic() + 8
    while time.monotonic() < give_up:
        connection.sendall(chunk(b"tick "))
        time.sleep(0.2)


def test_a_task_stream_ends_at_its_deadline_keeping_the_text_received(serve) -> None:
    client = _client(serve(_dripping_task))
    received: list[str] = []

    def consume() -> None:
        for piece in client.tasks.stream(worker_id=PEER, prompt="hi", deadline=1.5):
            received.append(piece.text)

    started = time.monotonic()
    with pytest.raises(GatewayTimeoutError) as raised:
        consume()
    assert time.monotonic() - started < 3.5
    assert raised.value.code == "deadline_exceeded"
    assert "tick" in raised.value.partial_text
    assert raised.value.partial_text == "".join(received)


async def test_an_async_task_run_ends_at_its_deadline(serve) -> None:
    async with AsyncAgentFMClient(serve(_dripping_task).url, retries=0, api_key=None) as client:
        started = time.monotonic()
        with pytest.raises(GatewayTimeoutError) as raised:
            await client.tasks.run(worker_id=PEER, prompt="hi", deadline=1.0)
        assert time.monotonic() - started < 3.0
        assert raised.value.partial_text.startswith("tick")


def test_scatter_bounds_each_attempt_with_task_deadline(serve) -> None:
    def mesh(connection: socket.socket, request: ReceivedRequest) -> None:
        if request.path.startswith("/api/workers"):
            _json_answer(_listing_of(PEER))(connection, request)
        else:
            _dripping_task(connection, request)

    client = _client(serve(mesh))
    started = time.monotonic()
    results = client.tasks.scatter(["hi"], peer_ids=[PEER], max_retries=0, task_deadline=1.0)
    assert time.monotonic() - started < 3.0
    assert results[0].status == "failed"
    assert results[0].error_code == "deadline_exceeded"
    with pytest.raises(InvalidRequestError, match="task_deadline"):
        client.tasks.scatter(["hi"], peer_ids=[PEER], task_deadline=-1)


def test_a_deadline_must_be_a_positive_number_of_seconds(serve) -> None:
    client = _client(serve(_dripping_task))
    for bad in (0, -1, "5", True):
        with pytest.raises(InvalidRequestError, match="deadline"):
            client.tasks.run(worker_id=PEER, prompt="hi", deadline=bad)  # type: ignore[arg-type]


def test_retries_stop_at_the_deadline(serve) -> None:
    # A 503 with Retry-After: 1 would be retried twice; with a 2 s deadline there is room for
    # at most one wait, and the call ends with the answer it had rather than past its deadline.
    def overloaded(connection: socket.socket, request: ReceivedRequest) -> None:
        time.sleep(0.4)
        connection.sendall(head(503, {"Retry-After": "1", "Content-Length": "4"}) + b"busy")

    gateway = serve(overloaded)
    client = _client(gateway, timeout=0.5, retries=5)
    started = time.monotonic()
    with pytest.raises(GatewayInternalError):
        client.workers.list()
    assert time.monotonic() - started < 2.5
    assert len(gateway.requests) <= 2


# --- only our errors: nested JSON --------------------------------------------------------------


def test_deeply_nested_json_is_a_protocol_error_not_a_recursion_error(serve) -> None:
    client = _client(serve(_json_answer(nested_json(200_000))))
    with pytest.raises(GatewayProtocolError):
        client.workers.list()


def test_a_deeply_nested_error_body_is_judged_by_its_status(serve) -> None:
    client = _client(serve(_json_answer(b'{"error":' + nested_json(200_000) + b"}", status=401)))
    with pytest.raises(AuthenticationError):
        client.workers.list()


def test_a_deeply_nested_completion_is_a_protocol_error(serve) -> None:
    client = _client(serve(_json_answer(nested_json(200_000))))
    with pytest.raises(GatewayProtocolError):
        client.openai.completions.create(model=PEER, prompt="hi")


def test_the_generated_parsers_refuse_deep_nesting_with_a_value_error(serve) -> None:
    # Raw `client.gateway` users get the parser's documented ValueError, not a RecursionError.
    from agentfm_gateway.api.workers import list_workers

    client = _client(serve(_json_answer(nested_json(200_000))))
    with pytest.raises(ValueError, match="nested too deeply"):
        list_workers.sync_detailed(client=client.gateway)


# --- bounded memory -----------------------------------------------------------------------------


def _huge_listing(connection: socket.socket, request: ReceivedRequest) -> None:
    # Valid JSON of 40 MiB (the listing, padded with whitespace): over the 32 MiB answer cap.
    padding = 40 * MIB
    connection.sendall(
        head(200, {"Content-Type": "application/json", "Content-Length": str(padding + 72)})
    )
    connection.sendall(EMPTY_LISTING[:-1])
    for _ in range(padding // MIB):
        connection.sendall(b" " * MIB)
    connection.sendall(b"}" + b" " * (72 - len(EMPTY_LISTING)))


def _huge_chunked_listing(connection: socket.socket, request: ReceivedRequest) -> None:
    # The same without a Content-Length: the cap is found while reading.
    connection.sendall(head(200, {"Transfer-Encoding": "chunked"}) + chunk(EMPTY_LISTING[:-1]))
    for _ in range(40):
        connection.sendall(chunk(b" " * MIB))
    connection.sendall(chunk(b"}") + b"0\r\n\r\n")


@pytest.mark.parametrize(
    "scenario", [_huge_listing, _huge_chunked_listing], ids=["content-length", "chunked"]
)
def test_an_answer_over_the_cap_is_refused(serve, scenario) -> None:
    client = _client(serve(scenario))
    peak, error = _peak_memory_of(client.workers.list)
    assert isinstance(error, GatewayProtocolError)
    assert error.code == "answer_too_large"
    assert peak < 40 * MIB, f"peak {peak / MIB:.0f} MiB"


def _gzip_bomb_listing() -> bytes:
    # 96 MiB of whitespace inside a valid listing, under 100 KiB compressed.
    return gzip_stream(iter([EMPTY_LISTING[:-1], *repeated(b" " * MIB, 96 * MIB), b"}"]))


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _gzip_bomb_listing()


def _gzip_answer(body: bytes, content_type: str = "application/json") -> Scenario:
    def scenario(connection: socket.socket, request: ReceivedRequest) -> None:
        connection.sendall(
            head(
                200,
                {
                    "Content-Type": content_type,
                    "Content-Encoding": "gzip",
                    "Content-Length": str(len(body)),
                },
            )
            + body
        )

    return scenario


def _peak_memory_of(call: object) -> tuple[int, BaseException | None]:
    gc.collect()
    tracemalloc.start()
    try:
        call()  # type: ignore[operator]
        error = None
    except Exception as raised:  # the error is the caller's to check
        error = raised
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, error


def test_a_gzip_bomb_is_refused_within_bounded_memory(serve, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 128 * 1024
    client = _client(serve(_gzip_answer(gzip_bomb)))
    peak, error = _peak_memory_of(client.workers.list)
    assert isinstance(error, GatewayProtocolError)
    assert error.code == "compression_bomb"
    assert peak < 16 * MIB, f"peak {peak / MIB:.0f} MiB"


def test_a_task_stream_bomb_is_decoded_in_bounded_pieces(serve) -> None:
    output = gzip_stream(iter([*repeated(b"a" * MIB, 64 * MIB), b"\n[AGENTFM: NO_FILES]\n"]))
    client = _client(serve(_gzip_answer(output, "text/plain")))
    sizes: list[int] = []

    def consume() -> None:
        for piece in client.tasks.stream(worker_id=PEER, prompt="hi"):
            sizes.append(len(piece.text))

    peak, error = _peak_memory_of(consume)
    assert isinstance(error, GatewayProtocolError)
    assert error.code == "compression_bomb"
    assert sizes
    assert max(sizes) <= 64 * 1024
    assert peak < 16 * MIB, f"peak {peak / MIB:.0f} MiB"


def test_honestly_compressed_answers_are_still_read(serve) -> None:
    client = _client(serve(_gzip_answer(gzip_stream(iter([EMPTY_LISTING])))))
    assert client.workers.list() == []


def test_an_encoding_the_sdk_did_not_ask_for_is_refused(serve) -> None:
    def brotli(connection: socket.socket, request: ReceivedRequest) -> None:
        connection.sendall(head(200, {"Content-Encoding": "br", "Content-Length": "3"}) + b"xyz")

    gateway = serve(brotli)
    with pytest.raises(GatewayProtocolError) as raised:
        _client(gateway).workers.list()
    assert raised.value.code == "unsupported_encoding"
    assert gateway.requests[0].headers["accept-encoding"] == "identity"


# --- secrets ------------------------------------------------------------------------------------


def _reflecting(connection: socket.socket, request: ReceivedRequest) -> None:
    reflected = request.headers["authorization"]
    body = json.dumps(
        {"error": {"message": f"bad token {reflected}", "type": "auth", "code": "unauthorized"}}
    ).encode()
    connection.sendall(
        head(401, {"X-Echo-Authorization": reflected, "Content-Length": str(len(body))}) + body
    )


def test_a_reflected_key_is_kept_out_of_errors_and_http_debug_logs(
    serve, caplog: pytest.LogCaptureFixture
) -> None:
    client = _client(serve(_reflecting))
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as raised:
        client.workers.list()
    assert API_KEY not in str(raised.value)
    assert API_KEY not in repr(raised.value)
    assert "[redacted]" in raised.value.message
    assert any("X-Echo-Authorization" in record.getMessage() for record in caplog.records)
    assert not [record for record in caplog.records if API_KEY in record.getMessage()]


def test_a_reflected_key_is_kept_out_of_a_stream_refusal(serve) -> None:
    client = _client(serve(_reflecting))
    with pytest.raises(AuthenticationError) as raised:
        client.tasks.run(worker_id=PEER, prompt="hi")
    assert API_KEY not in str(raised.value)


def test_a_password_in_the_gateway_url_is_kept_out_of_http_logs(
    serve, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = serve(_json_answer(EMPTY_LISTING))
    url = gateway.url.replace("http://", "http://admin:hunter2@")
    with caplog.at_level(logging.DEBUG):
        AgentFMClient(url, api_key=None, retries=0).workers.list()
    assert any("/api/workers" in record.getMessage() for record in caplog.records)
    assert not [record for record in caplog.records if "hunter2" in record.getMessage()]


def test_the_client_repr_hides_credentials_in_the_gateway_url() -> None:
    client = AgentFMClient("http://admin:hunter2@127.0.0.1:8080", api_key=None)
    assert "hunter2" not in repr(client)
    assert "hunter2" not in repr(client._options)
    assert "127.0.0.1:8080" in repr(client)


# --- the user's own input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://exa\x00mple.com",
        "http://example.com/\r\nX: y",
        "http://h/\x7f",
        "http://host\u00a0name",
    ],
)
def test_an_unusable_gateway_url_is_an_invalid_request(url: str) -> None:
    with pytest.raises(InvalidRequestError, match="gateway_url") as raised:
        AgentFMClient(url)
    assert raised.value.code == "invalid_gateway_url"
    client = AgentFMClient(api_key=None)
    with pytest.raises(InvalidRequestError, match="gateway_url"):
        client.with_options(gateway_url=url)


def test_a_refused_gateway_url_never_shows_its_password() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        AgentFMClient("ftp://admin:hunter2@example.com")
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("key", ["clé-secrète", "tøken", "key\u00a0with-nbsp", "日本語"])
def test_a_non_ascii_api_key_is_refused_without_showing_it(key: str) -> None:
    for make in (
        lambda: AgentFMClient(api_key=key),
        lambda: AgentFMClient(api_key=None).with_options(api_key=key),
    ):
        with pytest.raises(InvalidRequestError, match="api_key") as raised:
            make()
        shown = str(raised.value) + repr(raised.value)
        assert not [c for c in key if not c.isascii() and c in shown]


def test_a_non_ascii_api_key_from_the_environment_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("AGENTFM_API_KEY", "clé")
    with pytest.raises(InvalidRequestError, match="api_key"):
        AgentFMClient()


def test_lone_surrogates_are_refused_naming_the_argument(serve) -> None:
    gateway = serve(_json_answer(EMPTY_LISTING))
    client = _client(gateway)
    bad = "text \udcff from a binary file"
    cases = {
        "prompt": lambda: client.tasks.run(worker_id=PEER, prompt=bad),
        "prompt ": lambda: list(client.tasks.stream(worker_id=PEER, prompt=bad)),
        "prompt  ": lambda: client.tasks.submit_async(worker_id=PEER, prompt=bad),
        "messages[1].content": lambda: client.openai.chat.completions.create(
            model=PEER,
            messages=[{"role": "system", "content": "ok"}, {"role": "user", "content": bad}],
        ),
        "prompt   ": lambda: client.openai.completions.create(model=PEER, prompt=bad),
        "text": lambda: client.peers.comment(PEER, text=bad),
    }
    for argument, call in cases.items():
        with pytest.raises(InvalidRequestError) as raised:
            call()
        assert raised.value.message.startswith(f"{argument.strip()} is not valid Unicode")
        assert "\udcff" not in raised.value.message
    assert gateway.requests == []


def test_a_scatter_prompt_with_a_lone_surrogate_fails_alone(serve) -> None:
    listing = _listing_of(PEER)
    gateway = serve(_json_answer(listing))
    results = _client(gateway).tasks.scatter(["bad \ud800"], peer_ids=[PEER], max_retries=0)
    assert results[0].status == "failed"
    assert results[0].error_code == "invalid_argument"
    assert [request.path.partition("?")[0] for request in gateway.requests] == ["/api/workers"]


def test_an_unparsable_webhook_url_is_an_invalid_request(serve) -> None:
    client = _client(serve(_json_answer(EMPTY_LISTING)))
    with pytest.raises(InvalidRequestError, match="webhook_url"):
        client.tasks.submit_async(worker_id=PEER, prompt="hi", webhook_url="http://[::1")


def test_bounds_apply_to_an_injected_http_client_between_chunks(serve) -> None:
    # Through the caller's own httpx client the deadline is checked as each chunk arrives.
    with httpx.Client() as own:
        client = AgentFMClient(
            serve(_dripping_body).url, timeout=0.5, retries=0, api_key=None, http_client=own
        )
        started = time.monotonic()
        with pytest.raises(GatewayTimeoutError):
            client.workers.list()
        assert time.monotonic() - started < 4.0
