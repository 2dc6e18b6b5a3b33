"""Routing and the request gates: Go ServeMux 404/301, CORS, OPTIONS, Origin, bearer auth, 429."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from conftest import RawResponse

from agentfm.testing import MeshSimulator
from agentfm.testing._auth import FailureLimiter, check_bearer, origin_allowed, parse_api_keys

KEY = "sim-test-key-0123456789"
OTHER_KEY = "sim-other-key-abcdefgh"
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "Content-Type",
}


def _envelope(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/json"
    assert response.content.endswith(b"}\n")
    error: dict[str, str] = response.json()["error"]
    assert set(error) == {"message", "type", "code"}
    return error


def _assert_plain(response: httpx.Response, status: int, text: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text == text + "\n"


# --- mux ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/v1/embeddings", "/api/execute/", "/api/tasks/abc", "/", "/healthz", "/metrics/"]
)
def test_unregistered_paths_get_go_404_without_cors(agentfm_mesh: MeshSimulator, path: str) -> None:
    response = httpx.get(agentfm_mesh.url + path)
    _assert_plain(response, 404, "404 page not found")
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("path", "location"), [("/v1/peers", "/v1/peers/"), ("/ui/peer", "/ui/peer/")]
)
def test_subtree_roots_redirect_to_the_slash_form(
    agentfm_mesh: MeshSimulator,
    raw_http: Callable[..., RawResponse],
    path: str,
    location: str,
) -> None:
    response = httpx.get(agentfm_mesh.url + path + "?x=1")
    assert response.status_code == 301
    assert response.headers["location"] == location + "?x=1"
    assert response.text == f'<a href="{location}?x=1">Moved Permanently</a>.\n\n'
    posted = httpx.post(agentfm_mesh.url + path)
    assert posted.status_code == 301
    assert posted.content == b""


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("//health", "/health"),
        ("/./health", "/health"),
        ("/api/../health", "/health"),
        ("/v1/peers/x/../y", "/v1/peers/y"),
        ("//nowhere?q=1", "/nowhere?q=1"),
    ],
)
def test_non_canonical_paths_redirect_to_the_cleaned_path(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse], target: str, location: str
) -> None:
    response = raw_http(agentfm_mesh.url, "GET", target)
    assert response.status == 301
    assert response.header("Location") == location


def test_go_header_spelling_on_the_wire(
    agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]
) -> None:
    response = raw_http(agentfm_mesh.url, "GET", "/nope")
    names = response.header_names()
    assert "Content-Type" in names
    assert "X-Content-Type-Options" in names
    assert not any(name.lower() == "server" for name in names)


# --- CORS, OPTIONS, Origin -----------------------------------------------------------------


def test_wrapped_routes_carry_cors_and_unwrapped_do_not(agentfm_mesh: MeshSimulator) -> None:
    for path in ("/api/workers", "/v1/models", "/v1/about", "/metrics"):
        response = httpx.get(agentfm_mesh.url + path)
        assert {key: response.headers.get(key) for key in CORS} == CORS, path
    for path in ("/health", "/ui/peer/x"):
        assert "access-control-allow-origin" not in httpx.get(agentfm_mesh.url + path).headers


@pytest.mark.agentfm_mesh(api_keys=[KEY])
def test_options_is_200_empty_without_auth(agentfm_mesh: MeshSimulator) -> None:
    for path in ("/api/execute", "/v1/chat/completions", "/v1/peers/anything", "/metrics"):
        response = httpx.options(
            agentfm_mesh.url + path, headers={"Origin": "https://evil.example"}
        )
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "file:///tmp/x.html",
        "localhost:3000",
        "http://LOCALHOST",
        "::1",
    ],
)
@pytest.mark.agentfm_mesh(api_keys=[KEY])
def test_cross_origin_posts_are_refused_before_auth(
    agentfm_mesh: MeshSimulator, origin: str
) -> None:
    for path in ("/api/execute", "/v1/completions", "/metrics", "/v1/about"):
        response = httpx.post(agentfm_mesh.url + path, headers={"Origin": origin}, content=b"{}")
        _assert_plain(response, 403, "cross-origin request refused")
        assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "origin",
    ["", "http://localhost:3000", "https://127.0.0.1", "http://[::1]:8080", "app://localhost"],
)
def test_local_origins_pass_the_origin_check(agentfm_mesh: MeshSimulator, origin: str) -> None:
    response = httpx.post(
        agentfm_mesh.url + "/api/execute", headers={"Origin": origin}, content=b"{}"
    )
    _assert_plain(response, 400, "worker_id is required")


def test_get_is_never_origin_checked(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(
        agentfm_mesh.url + "/api/workers", headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 200


@pytest.mark.agentfm_mesh(allow_file_origin=True)
def test_file_origins_pass_only_with_the_opt_in(agentfm_mesh: MeshSimulator) -> None:
    for origin in ("null", "file:///Users/me/app.html"):
        response = httpx.post(
            agentfm_mesh.url + "/api/execute", headers={"Origin": origin}, content=b"{}"
        )
        _assert_plain(response, 400, "worker_id is required")
    refused = httpx.post(
        agentfm_mesh.url + "/api/execute", headers={"Origin": "https://x.example"}, content=b"{}"
    )
    assert refused.status_code == 403


def test_origin_rule_unit() -> None:
    assert origin_allowed(None, allow_file_origin=False)
    assert origin_allowed("http://127.0.0.1:1", allow_file_origin=False)
    assert not origin_allowed("http://127.0.0.1.evil.example", allow_file_origin=False)
    assert not origin_allowed("http://localhost:port", allow_file_origin=False)
    assert not origin_allowed("null", allow_file_origin=False)
    assert origin_allowed("null", allow_file_origin=True)


# --- bearer auth ----------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(api_keys=[KEY, OTHER_KEY])
def test_auth_codes(agentfm_mesh: MeshSimulator, raw_http: Callable[..., RawResponse]) -> None:
    malformed = ("unauthorized", "missing or malformed Bearer token")
    cases: list[tuple[list[tuple[str, str]], str, str]] = [
        ([], *malformed),
        ([("Authorization", "   ")], *malformed),
        ([("Authorization", f"Token {KEY}")], *malformed),
        ([("Authorization", f"Bearer{KEY}")], *malformed),
        ([("Authorization", "Bearer    ")], *malformed),
        ([("Authorization", "Bearer wrong-key-wrong-key")], "invalid_api_key", "invalid API key"),
        # The token is taken verbatim: a second space becomes part of it.
        ([("Authorization", f"Bearer  {KEY}")], "invalid_api_key", "invalid API key"),
        (
            [("Authorization", f"Bearer {KEY}"), ("Authorization", f"Bearer {KEY}")],
            "unauthorized",
            "multiple Authorization headers",
        ),
    ]
    for headers, code, message in cases:
        response = raw_http(agentfm_mesh.url, "GET", "/api/workers", headers=headers)
        assert response.status == 401, headers
        assert response.header("Content-Type") == "application/json"
        assert response.header("Access-Control-Allow-Origin") == "*"
        assert json.loads(response.body) == {
            "error": {"message": message, "type": "invalid_request_error", "code": code}
        }, headers
    for header in (f"Bearer {KEY}", f"bearer {OTHER_KEY}", f"BEARER {KEY}", f"  Bearer {KEY}  "):
        response = raw_http(
            agentfm_mesh.url, "GET", "/api/workers", headers=[("Authorization", header)]
        )
        assert response.status == 200, header


@pytest.mark.agentfm_mesh(api_keys=[KEY])
def test_exempt_routes_and_method_check_order(agentfm_mesh: MeshSimulator) -> None:
    base = agentfm_mesh.url
    assert httpx.get(base + "/health").status_code == 200
    assert httpx.get(base + "/metrics").status_code == 200
    assert httpx.get(base + "/ui/peer/12D3KooWabc").status_code == 200
    # Auth runs before the handler's method check: wrong method without a key is 401.
    assert httpx.delete(base + "/api/workers").status_code == 401
    keyed = httpx.delete(base + "/api/workers", headers={"Authorization": f"Bearer {KEY}"})
    _assert_plain(keyed, 405, "Method not allowed")


@pytest.mark.agentfm_mesh(api_keys=[KEY])
def test_31st_failure_is_rate_limited_but_valid_keys_still_pass(
    agentfm_mesh: MeshSimulator,
) -> None:
    url = agentfm_mesh.url + "/v1/about"
    with httpx.Client() as client:
        statuses = [
            client.get(url, headers={"Authorization": "Bearer nope"}).status_code for _ in range(30)
        ]
        assert statuses == [401] * 30
        limited = client.get(url)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "60"
        error = _envelope(limited)
        assert error["code"] == "rate_limited"
        assert error["message"] == "too many failed auth attempts; slow down"
        assert client.get(url, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        metrics = client.get(agentfm_mesh.url + "/metrics").text
    assert 'agentfm_auth_attempts_total{outcome="invalid"} 30' in metrics
    assert 'agentfm_auth_attempts_total{outcome="rate_limited"} 1' in metrics
    assert 'agentfm_auth_attempts_total{outcome="ok"} 1' in metrics


def test_failure_limiter_refills_at_half_a_token_per_second() -> None:
    now = [0.0]
    limiter = FailureLimiter(clock=lambda: now[0])
    assert all(limiter.register_failure("1.2.3.4") for _ in range(30))
    assert not limiter.register_failure("1.2.3.4")
    assert limiter.register_failure("5.6.7.8")  # buckets are per IP
    now[0] += 2.0
    assert limiter.register_failure("1.2.3.4")
    assert not limiter.register_failure("1.2.3.4")


def test_bearer_parsing_unit() -> None:
    keys = [KEY.encode()]
    assert check_bearer([f"Bearer {KEY}"], keys).ok
    assert check_bearer([], keys).outcome == "missing"
    assert check_bearer(["Basic abc"], keys).outcome == "malformed"
    assert check_bearer(["Bearer x", "Bearer y"], keys).outcome == "malformed"
    assert check_bearer(["Bearer nope"], keys).outcome == "invalid"


def test_api_key_parsing_rules() -> None:
    assert parse_api_keys(f" {KEY} ,, {OTHER_KEY},{KEY} ") == [KEY, OTHER_KEY]
    assert parse_api_keys(None) == []
    with pytest.raises(ValueError, match="shorter than 16 chars"):
        parse_api_keys(f"{KEY},short")
    with pytest.raises(ValueError, match="shorter than 16 chars"):
        MeshSimulator(api_keys=["tiny"])


# --- HEAD -----------------------------------------------------------------------------------


def test_head_is_405_everywhere_but_metrics(agentfm_mesh: MeshSimulator) -> None:
    base = agentfm_mesh.url
    for path in ("/health", "/api/workers", "/v1/about", "/api/execute", "/ui/peer/x"):
        assert httpx.head(base + path).status_code == 405, path
    assert httpx.head(base + "/v1/models").status_code == 405
    head = httpx.head(base + "/metrics")
    assert head.status_code == 200
    assert head.content == b""


def test_bodies_end_with_the_go_encoder_newline(agentfm_mesh: MeshSimulator) -> None:
    response = httpx.get(agentfm_mesh.url + "/health")
    assert (
        response.content
        == json.dumps({"online_workers": 3, "status": "ok"}, separators=(",", ":")).encode() + b"\n"
    )
