"""The /v1/peers/* family over the simulator's ledger: routing, summary, reputation, log, proof,
comments."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agentfm._comment_signing import comment_signing_bytes
from agentfm.merkle import verify_inclusion
from agentfm.testing import MeshSimulator

STRANGER = "12D3KooWHDyw8c7dULHcTsUdVhWV4ZRUD8upYmv4jXKPd2EYRzPm"
GO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
UTC_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
WORKERS = [
    {
        "name": "alpha",
        "engine": "llama3.2",
        "author": "ann",
        "description": "answers <questions>",
        "agent_image_ref": "localhost/x/alpha:1",
        "honesty_score": 0.5,
    },
    {"name": "liar", "engine": "llama3.2", "is_equivocator": True},
]
pytestmark = pytest.mark.agentfm_mesh(workers=WORKERS)


def _get(mesh: MeshSimulator, path: str) -> httpx.Response:
    return httpx.get(mesh.url + path)


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code
    message: str = error["message"]
    return message


def _boss_key(mesh: MeshSimulator) -> Ed25519PrivateKey:
    data = (mesh.workdir / ".agentfm_api_identity.key").read_bytes()
    return Ed25519PrivateKey.from_private_bytes(data[4:36])


def test_suffix_routing_and_unknown_sub_resources(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    for path in ("/v1/peers/", f"/v1/peers/{alpha}/", f"/v1/peers/{alpha}/stats", "/v1/peers/a/b"):
        message = _error(_get(agentfm_mesh, path), 404, "not_found")
        assert message == "unknown peers sub-resource"
    assert _error(_get(agentfm_mesh, "/v1/peers/nope"), 400, "bad_peer_id").startswith(
        "failed to parse peer ID"
    )
    # The id is the text between `/v1/peers/` and the suffix; `//` would be cleaned by the mux.
    _error(_get(agentfm_mesh, "/v1/peers/a/b/log"), 400, "bad_peer_id")
    posted = httpx.post(agentfm_mesh.url + f"/v1/peers/{alpha}")
    assert _error(posted, 405, "method_not_allowed") == "only GET supported"
    wrong = httpx.get(agentfm_mesh.url + f"/v1/peers/{alpha}/comments/self")
    assert _error(wrong, 405, "method_not_allowed") == "only POST supported"


def test_a_suffix_with_no_id_before_it_is_a_missing_id(agentfm_mesh: MeshSimulator) -> None:
    # The handler is chosen by suffix; its empty id is refused before any peer-id parsing, so
    # the word "reputation" is never taken for an id.
    for suffix in ("reputation", "log", "proof", "proof?entry=" + "ab" * 32):
        response = _get(agentfm_mesh, f"/v1/peers/{suffix}")
        assert _error(response, 400, "bad_request") == "missing peer_id in path", suffix
    for suffix in ("comments", "comments/self"):
        response = httpx.post(agentfm_mesh.url + f"/v1/peers/{suffix}", json={"text": "hi"})
        message = _error(response, 400, "bad_request")
        assert message == "missing subject peer_id in path", suffix
    # The method check still comes first.
    posted = httpx.post(agentfm_mesh.url + "/v1/peers/reputation")
    assert _error(posted, 405, "method_not_allowed") == "only GET supported"
    # A present id is still parsed.
    assert _error(_get(agentfm_mesh, "/v1/peers/x/reputation"), 400, "bad_peer_id")


def test_log_offset_is_an_unsigned_64_bit_value(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    for index in range(3):
        agentfm_mesh.ledger.append_rating(alpha, dimension="speed", score=0.1, context=f"t{index}")
    offsets = {
        # Huge but within uint64: clamped to one million, then to the entries available.
        "18446744073709551615": 3,
        "9223372036854775808": 3,
        "1000001": 3,
        "2": 2,
        "007": 3,
        # strconv.ParseUint refuses these (sign, space, past uint64, other digits): offset 0.
        "18446744073709551616": 0,
        "%2B2": 0,
        "+2": 0,  # `+` in a query is a space
        "-1": 0,
        "-0": 0,
        "1e2": 0,
        "0x2": 0,
        "1_0": 0,
        "%D9%A3": 0,
        "": 0,
    }
    for value, expected in offsets.items():
        page = _get(agentfm_mesh, f"/v1/peers/{alpha}/log?offset={value}").json()
        assert page["offset"] == expected, value
        assert page["returned"] == 3 - expected, value
        assert len(page["entries"]) == 3 - expected, value


def test_summary(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    body = _get(agentfm_mesh, f"/v1/peers/{alpha}").json()
    assert list(body) == [
        "peer_id",
        "agent_name",
        "author",
        "description",
        "online",
        "last_seen",
        "honesty_score",
        "is_equivocator",
        "dispatch_allowed",
        "entries_count",
        "advertised_image_ref",
        "advertised_capability",
        "rater_summary",
    ]
    assert body["agent_name"] == "alpha"
    assert body["description"] == "answers <questions>"
    assert body["online"] is True
    assert GO_TIME.match(body["last_seen"])
    assert body["honesty_score"] == 0.5
    assert body["entries_count"] == 0
    assert body["rater_summary"] == {"verified_raters_count": 0, "unverified_raters_count": 0}
    raw = _get(agentfm_mesh, f"/v1/peers/{alpha}").content
    assert b"<questions>" in raw  # success bodies are not HTML-escaped
    agentfm_mesh.ledger.append_rating(alpha, dimension="honesty", score=0.1, context="t1")
    agentfm_mesh.ledger.receive_rating(
        bytes(32), alpha, dimension="honesty", score=0.2, context="t2"
    )
    stranger = _get(agentfm_mesh, f"/v1/peers/{STRANGER}").json()
    assert stranger == {
        "peer_id": STRANGER,
        "agent_name": "",
        "online": False,
        "honesty_score": 0,
        "is_equivocator": False,
        "dispatch_allowed": True,
        "entries_count": 0,
        "rater_summary": {"verified_raters_count": 0, "unverified_raters_count": 0},
    }
    rated = _get(agentfm_mesh, f"/v1/peers/{alpha}").json()
    assert rated["entries_count"] == 2
    assert GO_TIME.match(rated["last_entry_at"])
    # The Boss is a verified rater; an unconfigured peer is not.
    assert rated["rater_summary"] == {"verified_raters_count": 1, "unverified_raters_count": 1}
    liar = _get(agentfm_mesh, f"/v1/peers/{agentfm_mesh.worker('liar').peer_id}").json()
    assert liar["dispatch_allowed"] is False
    assert liar["dispatch_refuse_reason"] == "peer_is_equivocator"


def test_reputation(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    body = _get(agentfm_mesh, f"/v1/peers/{alpha}/reputation").json()
    assert body == {
        "peer_id": alpha,
        "scores": {"honesty": 0.5},
        "rating_count": 0,
        "is_equivocator": False,
        "agent_image_ref": "localhost/x/alpha:1",
        "agent_capability": "alpha",
    }
    agentfm_mesh.ledger.append_rating(alpha, dimension="honesty", score=0.25, context="t")
    agentfm_mesh.ledger.append_comment(alpha, text="fine", language="en")
    rated = _get(agentfm_mesh, f"/v1/peers/{alpha}/reputation").json()
    assert rated["scores"] == {"honesty": 0.75}
    assert rated["rating_count"] == 1
    assert UTC_SECONDS.match(rated["last_updated"])
    liar = agentfm_mesh.worker("liar").peer_id
    assert _get(agentfm_mesh, f"/v1/peers/{liar}/reputation").json()["scores"] == {"honesty": -1}
    agentfm_mesh.take_offline(alpha)
    offline = _get(agentfm_mesh, f"/v1/peers/{alpha}/reputation").json()
    assert "agent_image_ref" not in offline


def test_log_entries_and_clamps(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    ledger = agentfm_mesh.ledger
    zero = ledger.append_rating(alpha, dimension="honesty", score=0.0, context="task_1")
    comment = ledger.append_comment(alpha, text="a <good> worker", language="de")
    for index in range(3):
        ledger.append_rating(alpha, dimension="speed", score=0.1, context=f"t{index}")
    body = _get(agentfm_mesh, f"/v1/peers/{alpha}/log").json()
    assert list(body) == ["subject", "limit", "offset", "returned", "entries"]
    assert (body["subject"], body["limit"], body["offset"], body["returned"]) == (alpha, 50, 0, 5)
    entries = body["entries"]
    assert [entry["context"] for entry in entries[:3]] == ["t2", "t1", "t0"]  # newest first
    rating_zero = entries[-1]
    assert list(rating_zero) == [
        "received_at",
        "kind",
        "entry_hash",
        "rater_peer_id",
        "dimension",
        "context",
        "rater_status",
        "rater_honesty_score",
    ]
    assert "score" not in rating_zero  # omitted when 0
    assert rating_zero["entry_hash"] == zero.entry_hash.hex()
    assert rating_zero["rater_peer_id"] == agentfm_mesh.boss_peer_id
    assert rating_zero["rater_status"] == "verified"
    assert GO_TIME.match(rating_zero["received_at"])
    comment_entry = entries[-2]
    assert comment_entry["kind"] == "Comment"
    assert comment_entry["language"] == "de"
    assert comment_entry["text_cid"] == comment.text_cid
    assert "dimension" not in comment_entry
    assert entries[0]["score"] == 0.1
    clamps = {
        "?limit=2": (2, 0, 2),
        "?limit=0": (50, 0, 5),
        "?limit=-3": (50, 0, 5),
        "?limit=x": (50, 0, 5),
        "?limit=9999": (500, 0, 5),
        "?offset=3": (50, 3, 2),
        "?offset=100": (50, 5, 0),
        "?offset=bad": (50, 0, 5),
        "?limit=1&offset=4": (1, 4, 1),
    }
    for query, expected in clamps.items():
        page = _get(agentfm_mesh, f"/v1/peers/{alpha}/log{query}").json()
        assert (page["limit"], page["offset"], page["returned"]) == expected, query
    empty = _get(agentfm_mesh, f"/v1/peers/{STRANGER}/log").json()
    assert empty["entries"] == []


def test_proof_verifies_and_ignores_the_path_id(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    ledger = agentfm_mesh.ledger
    own = [
        ledger.append_rating(alpha, dimension="honesty", score=0.1, context=f"t{index}")
        for index in range(5)
    ]
    inbox = ledger.receive_rating(bytes(32), alpha, dimension="honesty", score=0.1, context="x")
    for entry in own:
        query = entry.entry_hash.hex().upper()
        response = _get(agentfm_mesh, f"/v1/peers/not-even-an-id/proof?entry={query}")
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["entry_hash", "position", "audit_path", "head"]
        assert body["entry_hash"] == query  # echoed verbatim
        head = body["head"]
        assert list(head) == ["tree_size", "root_hash", "witness_count", "signed_at"]
        assert head["tree_size"] == 5
        assert head["witness_count"] == 0
        assert UTC_SECONDS.match(head["signed_at"])
        assert verify_inclusion(
            entry.entry_hash,
            body["position"],
            head["tree_size"],
            [bytes.fromhex(node) for node in body["audit_path"]],
            bytes.fromhex(head["root_hash"]),
        )
    missing = _get(agentfm_mesh, f"/v1/peers/x/proof?entry={inbox.entry_hash.hex()}")
    assert _error(missing, 404, "entry_not_found").startswith("ledger: entry not in local log")
    assert _error(_get(agentfm_mesh, "/v1/peers/x/proof"), 400, "bad_request") == (
        "missing entry query parameter"
    )
    for bad in ("abc", "zz" * 32, "ab" * 33):
        assert _error(_get(agentfm_mesh, f"/v1/peers/x/proof?entry={bad}"), 400, "bad_request") == (
            "entry must be a 64-char hex string"
        )


def test_self_comment(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    url = agentfm_mesh.url + f"/v1/peers/{alpha}/comments/self"
    response = httpx.post(url, json={"text": "solid <work>", "rating": 0.25})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["cid", "ledger_hash"]
    assert body["cid"] == "1220" + hashlib.sha256(b"solid <work>").hexdigest()
    entries = agentfm_mesh.ledger.entries_about(alpha)
    comment = next(entry for entry in entries if entry.kind == "Comment")
    rating = next(entry for entry in entries if entry.kind == "Rating")
    assert comment.entry_hash.hex() == body["ledger_hash"]
    assert comment.language == ""  # no default language on this route
    assert (rating.dimension, rating.context, rating.score) == ("honesty", "interactive", 0.25)
    assert rating.timestamp_unix_ns == comment.timestamp_unix_ns + 1
    proof = _get(agentfm_mesh, f"/v1/peers/{alpha}/proof?entry={body['ledger_hash']}")
    assert proof.status_code == 200
    cases: list[tuple[Any, int, str, str]] = [
        (b"{", 400, "bad_json", ""),
        ({}, 400, "missing_field", "text is required"),
        ({"text": "x" * 10241}, 400, "body_too_large", "text exceeds 10240 bytes"),
        (
            {"text": "x", "rating": 1.5},
            400,
            "bad_rating",
            "rating must be a finite number in [-1.0, +1.0]",
        ),
    ]
    for payload, status, code, message in cases:
        sent = (
            httpx.post(url, content=payload)
            if isinstance(payload, bytes)
            else httpx.post(url, json=payload)
        )
        got = _error(sent, status, code)
        if message:
            assert got == message
    stranger = httpx.post(agentfm_mesh.url + "/v1/peers/bogus/comments/self", json={"text": "x"})
    _error(stranger, 400, "bad_peer_id")


def test_caller_signed_comment(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    boss = agentfm_mesh.boss_peer_id
    key = _boss_key(agentfm_mesh)
    timestamp = time.time_ns()
    text = "signed by the boss"
    signed = comment_signing_bytes(
        rater_peer_id=boss,
        subject_peer_id=alpha,
        text=text,
        language="en",
        timestamp_unix_ns=timestamp,
    )
    signature = base64.b64encode(key.sign(hashlib.sha256(signed).digest())).decode()
    good = {
        "rater_peer_id": boss,
        "text": text,
        "signature": signature,
        "timestamp_unix_ns": timestamp,
        "language": "en",
        "attached_rating_hash": "not hex, silently dropped",
    }
    url = agentfm_mesh.url + f"/v1/peers/{alpha}/comments"
    response = httpx.post(url, json=good)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["cid"] == "1220" + hashlib.sha256(text.encode()).hexdigest()
    assert agentfm_mesh.ledger.prove(bytes.fromhex(body["ledger_hash"])).tree_size == 1
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**good, "text": "tampered"}, 401, "bad_signature"),
        ({**good, "timestamp_unix_ns": timestamp + 1}, 401, "bad_signature"),
        ({**good, "signature": "!!!"}, 401, "bad_signature"),
        ({**good, "rater_peer_id": STRANGER}, 403, "non_self_submitter"),
        ({**good, "rater_peer_id": "nope"}, 400, "bad_peer_id"),
        ({key: value for key, value in good.items() if key != "signature"}, 400, "missing_field"),
        ({**good, "timestamp_unix_ns": 0}, 400, "missing_field"),
        ({**good, "text": "x" * 10241}, 400, "body_too_large"),
        ({**good, "timestamp_unix_ns": "soon"}, 400, "bad_json"),
    ]
    for payload, status, code in cases:
        _error(httpx.post(url, json=payload), status, code)
    decode = _error(httpx.post(url, json={**good, "signature": "!!!"}), 401, "bad_signature")
    assert decode.startswith("decode signature: ")
    assert _error(httpx.get(url), 405, "method_not_allowed") == "only POST supported"


def test_comment_bodies(agentfm_mesh: MeshSimulator) -> None:
    alpha = agentfm_mesh.worker("alpha").peer_id
    comment = agentfm_mesh.ledger.append_comment(alpha, text="<b>bold</b> & true", language="de")
    cid = comment.text_cid
    text = _get(agentfm_mesh, f"/v1/peers/anything/comments/{cid}")
    assert text.status_code == 200
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.content == b"<b>bold</b> & true"
    upper = cid.upper()
    as_json = _get(agentfm_mesh, f"/v1/peers/{alpha}/comments/{upper}.json")
    assert as_json.status_code == 200
    assert (
        as_json.content
        == json.dumps(
            {"cid": upper, "body": "<b>bold</b> & true", "language": "en"}, separators=(",", ":")
        ).encode()
        + b"\n"
    )
    unknown = "1220" + "00" * 32
    assert _error(
        _get(agentfm_mesh, f"/v1/peers/x/comments/{unknown}"), 404, "comment_not_found"
    ) == ("comment body not found for this CID")
    assert _error(_get(agentfm_mesh, "/v1/peers/x/comments/xyz"), 400, "bad_cid").startswith(
        "CID is not a valid multihash: "
    )
    assert _error(_get(agentfm_mesh, "/v1/peers/x/comments/.json"), 400, "bad_request") == (
        "missing CID in path"
    )
    assert _error(_get(agentfm_mesh, "/v1/peers/x/comments/a/b"), 400, "bad_request") == (
        "missing CID in path"
    )
    wrong = httpx.post(agentfm_mesh.url + f"/v1/peers/x/comments/{cid}")
    assert _error(wrong, 405, "method_not_allowed") == "only GET supported"
