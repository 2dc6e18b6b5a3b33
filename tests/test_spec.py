"""Checks that schema/openapi.yaml describes the whole gateway exactly as gateway-protocol.md does.

The spec is the single source of the generated client and of the schemathesis run, so these
tests pin what users rely on: every route and method with its operationId, every documented
status with its content type, the streaming markers the generator templates read, the optional
bearer requirement, the webhook, and that the gateway's documented bodies fit the schemas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "schema" / "openapi.yaml"
SPEC_URI = "urn:agentfm:gateway-openapi"

# (path, method) -> (operationId, tag), the table of the assignment.
OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("/health", "get"): ("get_health", "health"),
    ("/metrics", "get"): ("get_metrics", "health"),
    ("/api/workers", "get"): ("list_workers", "workers"),
    ("/api/execute", "post"): ("execute_task", "tasks"),
    ("/api/execute/async", "post"): ("execute_task_async", "tasks"),
    ("/api/relay/test", "post"): ("test_relay", "relay"),
    ("/v1/about", "get"): ("get_about", "about"),
    ("/v1/events", "get"): ("stream_events", "events"),
    ("/v1/models", "get"): ("list_models", "openai"),
    ("/v1/chat/completions", "post"): ("create_chat_completion", "openai"),
    ("/v1/completions", "post"): ("create_completion", "openai"),
    ("/v1/peers/{id}", "get"): ("get_peer", "peers"),
    ("/v1/peers/{id}/reputation", "get"): ("get_peer_reputation", "peers"),
    ("/v1/peers/{id}/log", "get"): ("get_peer_log", "peers"),
    ("/v1/peers/{id}/proof", "get"): ("get_peer_proof", "peers"),
    ("/v1/peers/{id}/comments", "post"): ("submit_signed_comment", "peers"),
    ("/v1/peers/{id}/comments/self", "post"): ("post_self_comment", "peers"),
    ("/v1/peers/{id}/comments/{cid}", "get"): ("get_comment_body", "peers"),
    ("/v1/peers/{id}/comments/{cid}.json", "get"): ("get_comment_body_json", "peers"),
    ("/ui/peer/{id}", "get"): ("get_peer_page", "ui"),
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# How each documented response is encoded (gateway-protocol.md sections 3 and 5).
JSON = ("application/json",)
PLAIN = ("text/plain; charset=utf-8",)  # Go http.Error answers (section 3.1)
ENVELOPE = "envelope"  # application/json, the shared ErrorEnvelope (section 3.2)

# operationId -> {status: content types in order, or ENVELOPE}. Deleting a status from the spec,
# or changing how it is encoded, fails test_operation_documents_every_status.
RESPONSES: dict[str, dict[str, Any]] = {
    "get_health": {"200": JSON, "405": PLAIN},
    "get_metrics": {"200": ("text/plain; version=0.0.4; charset=utf-8",)},
    "list_workers": {"200": JSON, "401": ENVELOPE, "405": PLAIN, "429": ENVELOPE},
    "execute_task": {
        "200": ("text/plain",),
        "400": PLAIN,
        "401": ENVELOPE,
        "403": PLAIN,
        "404": PLAIN,
        "405": PLAIN,
        "429": ENVELOPE,
        "500": PLAIN,
    },
    "execute_task_async": {
        "202": JSON,
        "400": PLAIN,
        "401": ENVELOPE,
        "403": PLAIN,
        "404": PLAIN,
        "405": PLAIN,
        "429": ENVELOPE,
        "503": ENVELOPE,
    },
    "test_relay": {
        "200": JSON,
        "400": JSON,
        "401": ENVELOPE,
        "403": PLAIN,
        "405": JSON,
        "429": ENVELOPE,
        "503": JSON,
    },
    "get_about": {"200": JSON, "401": ENVELOPE, "405": PLAIN, "429": ENVELOPE},
    "stream_events": {
        "200": ("text/event-stream",),
        "401": ENVELOPE,
        "405": PLAIN,
        "429": ENVELOPE,
        "500": PLAIN,
        "503": PLAIN,
    },
    "list_models": {"200": JSON, "401": ENVELOPE, "405": ENVELOPE, "429": ENVELOPE},
    "create_chat_completion": {
        "200": ("application/json", "text/event-stream"),
        "400": ENVELOPE,
        "401": ENVELOPE,
        "403": PLAIN,
        "404": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "502": ENVELOPE,
        "503": ENVELOPE,
    },
    "create_completion": {
        "200": ("application/json", "text/event-stream"),
        "400": ENVELOPE,
        "401": ENVELOPE,
        "403": PLAIN,
        "404": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "502": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_peer": {
        "200": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        "404": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_peer_reputation": {
        "200": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_peer_log": {
        "200": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_peer_proof": {
        "200": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        "404": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "submit_signed_comment": {
        "201": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        # The Origin refusal (plain) or non_self_submitter (envelope).
        "403": ("text/plain; charset=utf-8", "application/json"),
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "501": ENVELOPE,
        "503": ENVELOPE,
    },
    "post_self_comment": {
        "201": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        "403": PLAIN,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_comment_body": {
        "200": ("text/plain; charset=utf-8",),
        "400": ENVELOPE,
        "401": ENVELOPE,
        "404": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_comment_body_json": {
        "200": JSON,
        "400": ENVELOPE,
        "401": ENVELOPE,
        "404": ENVELOPE,
        "405": ENVELOPE,
        "429": ENVELOPE,
        "500": ENVELOPE,
        "503": ENVELOPE,
    },
    "get_peer_page": {"200": ("text/html; charset=utf-8",), "405": PLAIN},
}

UNAUTHENTICATED = {"get_health", "get_metrics", "get_peer_page"}
PROTECTED = set(RESPONSES) - UNAUTHENTICATED

# POST routes of the CORS-wrapped family: a cross-site Origin gets the plain 403 (section 4.2).
CORS_WRAPPED_POSTS = {
    "execute_task",
    "execute_task_async",
    "test_relay",
    "create_chat_completion",
    "create_completion",
    "submit_signed_comment",
    "post_self_comment",
}

STREAMING = {
    "execute_task": "bytes",
    "stream_events": "sse",
    "create_chat_completion": "sse",
    "create_completion": "sse",
}

FACADE_COMPONENTS = (
    "ErrorEnvelope",
    "ErrorDetail",
    "Health",
    "WorkerList",
    "Worker",
    "ExecuteRequest",
    "AsyncExecuteRequest",
    "AsyncTaskAck",
    "WebhookPayload",
    "RelayTestRequest",
    "RelayTestResult",
    "About",
    "WorkerOnlineEvent",
    "WorkerOfflineEvent",
    "ModelList",
    "ModelEntry",
    "ChatCompletionRequest",
    "ChatMessage",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionDelta",
    "CompletionRequest",
    "TextCompletion",
    "TextCompletionChoice",
    "TextCompletionChunk",
    "TextCompletionChunkChoice",
    "Usage",
    "PeerSummary",
    "RaterSummary",
    "PeerReputation",
    "PeerLog",
    "LedgerEntry",
    "InclusionProof",
    "SignedTreeHead",
    "SignedCommentRequest",
    "SelfCommentRequest",
    "CommentReceipt",
    "CommentBody",
)

PEER_ID = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
HASH = "ab" * 32


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (possibly chained) to the object it names."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for (path, method), (known_id, _tag) in OPERATIONS.items():
        if known_id == operation_id:
            op: dict[str, Any] = spec["paths"][path][method]
            return op
    raise KeyError(operation_id)


def response(spec: dict[str, Any], operation_id: str, status: str) -> dict[str, Any]:
    return resolve(spec, operation(spec, operation_id)["responses"][status])


def schema_validator(spec: dict[str, Any], component: str) -> jsonschema.Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator(
        {"$ref": f"{SPEC_URI}#/components/schemas/{component}"}, registry=registry
    )


def test_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["version"] == "1.3.0"
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_spec_has_exactly_the_gateway_routes_and_methods(spec: dict[str, Any]) -> None:
    described = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert described == set(OPERATIONS)


@pytest.mark.parametrize(("route", "expected"), list(OPERATIONS.items()))
def test_route_has_its_operation_id_and_tag(
    spec: dict[str, Any], route: tuple[str, str], expected: tuple[str, str]
) -> None:
    path, method = route
    op = spec["paths"][path][method]
    assert (op["operationId"], op["tags"]) == (expected[0], [expected[1]])


@pytest.mark.parametrize("operation_id", sorted(RESPONSES))
def test_operation_documents_every_status(spec: dict[str, Any], operation_id: str) -> None:
    expected = RESPONSES[operation_id]
    assert set(operation(spec, operation_id)["responses"]) == set(expected)
    for status, encoding in expected.items():
        content = response(spec, operation_id, status)["content"]
        if encoding == ENVELOPE:
            assert list(content) == ["application/json"], status
            schema_ref = content["application/json"]["schema"]["$ref"]
            assert schema_ref == "#/components/schemas/ErrorEnvelope", status
        else:
            assert tuple(content) == encoding, status
        for media_type, media in content.items():
            if media_type.startswith("text/"):
                assert media["schema"]["type"] == "string", (status, media_type)


@pytest.mark.parametrize("operation_id", sorted(RESPONSES))
def test_wrong_method_answer_says_it_covers_any_other_method(
    spec: dict[str, Any], operation_id: str
) -> None:
    if operation_id == "get_metrics":
        # The Prometheus handler serves every method alike, so there is no 405 to document.
        assert "405" not in operation(spec, operation_id)["responses"]
        return
    assert "any other method" in response(spec, operation_id, "405")["description"]


@pytest.mark.parametrize("operation_id", sorted(RESPONSES))
def test_plain_text_errors_give_their_exact_texts(spec: dict[str, Any], operation_id: str) -> None:
    for status, encoding in RESPONSES[operation_id].items():
        if not status.startswith(("4", "5")) or encoding == ENVELOPE:
            continue
        media = response(spec, operation_id, status)["content"].get("text/plain; charset=utf-8")
        if media is not None:
            examples = media["schema"]["examples"]
            assert examples, (status, "plain-text errors list their texts")
            assert all(text.endswith("\n") for text in examples), status


@pytest.mark.parametrize("operation_id", sorted(CORS_WRAPPED_POSTS))
def test_cors_wrapped_posts_document_the_origin_refusal(
    spec: dict[str, Any], operation_id: str
) -> None:
    media = response(spec, operation_id, "403")["content"]["text/plain; charset=utf-8"]
    assert "cross-origin request refused\n" in media["schema"]["examples"]


def test_streaming_responses_are_marked_for_the_generator(spec: dict[str, Any]) -> None:
    marked = {
        operation_id: resolve(spec, resp)["x-agentfm-stream"]
        for operation_id in RESPONSES
        for resp in operation(spec, operation_id)["responses"].values()
        if "x-agentfm-stream" in resolve(spec, resp)
    }
    assert marked == STREAMING
    # The raw task output is text/plain without a charset, exactly as the gateway sends it.
    assert list(response(spec, "execute_task", "200")["content"]) == ["text/plain"]


@pytest.mark.parametrize(
    ("operation_id", "chunk"),
    [
        ("create_chat_completion", "ChatCompletionChunk"),
        ("create_completion", "TextCompletionChunk"),
    ],
)
def test_openai_routes_list_json_first_then_sse_chunks(
    spec: dict[str, Any], operation_id: str, chunk: str
) -> None:
    content = response(spec, operation_id, "200")["content"]
    assert list(content) == ["application/json", "text/event-stream"]
    sse = content["text/event-stream"]
    assert sse["schema"]["type"] == "string"
    assert sse["x-agentfm-sse-data"] == {"$ref": f"#/components/schemas/{chunk}"}


def test_event_stream_maps_each_emitted_event_to_its_payload(spec: dict[str, Any]) -> None:
    ok = response(spec, "stream_events", "200")
    media = ok["content"]["text/event-stream"]
    # entry_appended is declared upstream but never emitted (section 5.8), so it is not mapped.
    assert media["x-agentfm-events"] == {
        "worker_online": {"$ref": "#/components/schemas/WorkerOnlineEvent"},
        "worker_offline": {"$ref": "#/components/schemas/WorkerOfflineEvent"},
    }
    for fact in (":ready", ":heartbeat", "15 s", "entry_appended", "`id:`"):
        assert fact in ok["description"], fact


def test_bearer_token_is_optional_document_wide(spec: dict[str, Any]) -> None:
    assert spec["security"] == [{"bearerAuth": []}, {}]
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


@pytest.mark.parametrize("operation_id", sorted(UNAUTHENTICATED))
def test_exempt_routes_need_no_token(spec: dict[str, Any], operation_id: str) -> None:
    assert operation(spec, operation_id)["security"] == []


@pytest.mark.parametrize("operation_id", sorted(PROTECTED))
def test_protected_routes_rely_on_the_top_level_requirement(
    spec: dict[str, Any], operation_id: str
) -> None:
    op = operation(spec, operation_id)
    assert "security" not in op
    assert op["responses"]["429"] == {"$ref": "#/components/responses/RateLimited"}
    if operation_id == "submit_signed_comment":
        # Its 401 also carries bad_signature, which is not a bearer failure (section 3.3).
        description = op["responses"]["401"]["description"]
        for code in ("unauthorized", "invalid_api_key", "bad_signature"):
            assert code in description
    else:
        assert op["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}


@pytest.mark.parametrize(
    ("response_name", "seconds"),
    [("RateLimited", 60), ("async", 5)],
)
def test_retry_after_is_documented_where_the_gateway_sets_it(
    spec: dict[str, Any], response_name: str, seconds: int
) -> None:
    if response_name == "async":
        headers = response(spec, "execute_task_async", "503")["headers"]
    else:
        headers = spec["components"]["responses"][response_name]["headers"]
    header = resolve(spec, headers["Retry-After"])
    assert header["required"] is True
    assert header["schema"] == {"type": "integer", "const": seconds}


def test_webhook_declares_signature_header_and_payload(spec: dict[str, Any]) -> None:
    post = spec["webhooks"]["taskCompleted"]["post"]
    (signature,) = (p for p in post["parameters"] if p["name"] == "X-AgentFM-Signature")
    assert signature["in"] == "header"
    assert signature["required"] is False  # absent when the gateway has no secret
    assert signature["schema"]["pattern"] == "^[0-9a-f]{64}$"
    body = post["requestBody"]["content"]
    assert list(body) == ["application/json"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/WebhookPayload"}
    payload = spec["components"]["schemas"]["WebhookPayload"]
    assert set(payload["required"]) == {"status", "task_id", "worker_id"}


def test_components_the_facade_imports_exist(spec: dict[str, Any]) -> None:
    missing = set(FACADE_COMPONENTS) - set(spec["components"]["schemas"])
    assert not missing


def test_path_parameters_carry_no_pattern(spec: dict[str, Any]) -> None:
    # Ids the gateway rejects must stay sendable, so their documented 4xx stays reachable.
    for path, item in spec["paths"].items():
        for parameter in item.get("parameters", []):
            parameter = resolve(spec, parameter)
            if parameter["in"] == "path":
                assert "pattern" not in parameter["schema"], (path, parameter["name"])


def test_no_schema_forbids_additional_properties(spec: dict[str, Any]) -> None:
    # New gateway fields must not break old clients; unknown request fields are tolerated.
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            assert node.get("additionalProperties") is not False, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(spec["components"]["schemas"], "#/components/schemas")


def test_log_and_proof_parameters_follow_the_gateway(spec: dict[str, Any]) -> None:
    log = {p["name"]: p for p in operation(spec, "get_peer_log")["parameters"]}
    assert log["limit"]["schema"] == {"type": "integer", "default": 50}
    assert log["offset"]["schema"] == {"type": "integer", "default": 0}
    (entry,) = operation(spec, "get_peer_proof")["parameters"]
    assert (entry["name"], entry["in"], entry["required"]) == ("entry", "query", True)
    assert entry["schema"]["pattern"] == "^[0-9a-fA-F]{64}$"
    (offline,) = operation(spec, "list_workers")["parameters"]
    assert offline["schema"] == {"type": "boolean", "default": False}


# Bodies exactly as gateway-protocol.md shows them; the schemas must accept every one.
DOCUMENTED_BODIES: list[tuple[str, Any]] = [
    ("Health", {"online_workers": 2, "status": "ok"}),
    (
        "AsyncTaskAck",
        {
            "message": "Task dispatched to P2P mesh.",
            "status": "queued",
            "task_id": "task_0123456789abcdef01234567",
        },
    ),
    (
        "WebhookPayload",
        {"status": "completed", "task_id": "task_0123456789abcdef01234567", "worker_id": PEER_ID},
    ),
    (
        "ErrorEnvelope",
        {"error": {"message": "x", "type": "invalid_request_error", "code": "unauthorized"}},
    ),
    (
        "Worker",  # offline stub of a peer never seen live: no last_seen, empty status
        {
            "peer_id": PEER_ID,
            "author": "",
            "name": "",
            "status": "",
            "hardware": " (CPU: 0 Cores)",
            "description": "",
            "cpu_usage_pct": 0,
            "ram_free_gb": 0,
            "current_tasks": 0,
            "max_tasks": 0,
            "has_gpu": False,
            "gpu_used_gb": 0,
            "gpu_total_gb": 0,
            "gpu_usage_pct": 0,
            "honesty_score": 0,
            "is_equivocator": False,
            "dispatch_allowed": True,
            "online": False,
        },
    ),
    (
        "ChatCompletion",
        {
            "id": "chatcmpl-0123456789abcdef01234567",
            "object": "chat.completion",
            "created": 1767225600,
            "model": "llama3.2",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "hi\n"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        },
    ),
    (
        "ChatCompletionChunk",  # the role chunk
        {
            "id": "chatcmpl-0123456789abcdef01234567",
            "object": "chat.completion.chunk",
            "created": 1767225600,
            "model": "llama3.2",
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            ],
            "agentfm_peer_id": PEER_ID,
            "agentfm_task_id": "task_0123456789abcdef01234567",
        },
    ),
    (
        "TextCompletionChunk",
        {
            "id": "cmpl-0123456789abcdef01234567",
            "object": "text_completion",
            "created": 1767225600,
            "model": "llama3.2",
            "choices": [{"index": 0, "text": "", "finish_reason": "stop"}],
        },
    ),
    ("RelayTestResult", {"ok": False, "error": "POST only"}),
    (
        "PeerReputation",  # no reputation engine wired: empty scores, no last_updated
        {"peer_id": PEER_ID, "scores": {}, "rating_count": 0, "is_equivocator": False},
    ),
    (
        "LedgerEntry",  # a Rating whose score is 0, hence omitted
        {
            "received_at": "2026-06-20T15:50:00.123456789+02:00",
            "kind": "Rating",
            "entry_hash": HASH,
            "rater_peer_id": PEER_ID,
            "dimension": "honesty",
            "context": "interactive",
            "rater_status": "unverified",
            "rater_honesty_score": 0,
        },
    ),
    (
        "InclusionProof",
        {
            "entry_hash": HASH,
            "position": 7,
            "audit_path": [HASH],
            "head": {
                "tree_size": 42,
                "root_hash": HASH,
                "witness_count": 0,
                "signed_at": "2026-06-20T15:50:00Z",
            },
        },
    ),
    ("CommentReceipt", {"cid": "1220" + HASH, "ledger_hash": HASH}),
    ("CommentBody", {"cid": "1220" + HASH.upper(), "body": "fine work", "language": "en"}),
]


@pytest.mark.parametrize(("component", "body"), DOCUMENTED_BODIES)
def test_documented_gateway_bodies_fit_the_schemas(
    spec: dict[str, Any], component: str, body: Any
) -> None:
    schema_validator(spec, component).validate(body)


@pytest.mark.parametrize(
    ("component", "body"),
    [
        # hardware is the only place a worker's engine appears: it is always sent.
        ("Worker", {k: v for k, v in DOCUMENTED_BODIES[4][1].items() if k != "hardware"}),
        # finish_reason is always present on a chunk, null until the last one.
        (
            "ChatCompletionChunk",
            {
                **DOCUMENTED_BODIES[6][1],
                "choices": [{"index": 0, "delta": {"role": "", "content": "x"}}],
            },
        ),
        ("ErrorEnvelope", {"error": {"message": "x", "type": "other", "code": "unauthorized"}}),
        ("ErrorEnvelope", {"error": {"message": "x", "type": "server_error"}}),
    ],
)
def test_schemas_reject_bodies_the_gateway_never_sends(
    spec: dict[str, Any], component: str, body: Any
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        schema_validator(spec, component).validate(body)


def test_requests_carry_the_gateway_limits(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for name in ("SignedCommentRequest", "SelfCommentRequest"):
        assert schemas[name]["properties"]["text"]["maxLength"] == 10240, name
    rating = schemas["SelfCommentRequest"]["properties"]["rating"]
    assert (rating["type"], rating["minimum"], rating["maximum"]) == ("number", -1, 1)
    assert schemas["ExecuteRequest"]["required"] == ["worker_id", "prompt"]
    assert schemas["ChatCompletionRequest"]["properties"]["messages"]["minItems"] == 1
    # prompt is honoured only as a string (section 5.11).
    assert schemas["CompletionRequest"]["properties"]["prompt"]["type"] == "string"
    assert schemas["ChatMessage"]["properties"]["content"]["type"] == ["string", "null"]
