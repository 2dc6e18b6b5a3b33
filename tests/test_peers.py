"""`client.peers` against the simulator (sync and async) and against scripted gateway answers.

Live tests check what each call returns from the simulator's real ledger; the scripted ones check
what the simulator cannot be made to answer: every error code of these routes, and a gateway that
serves a comment text other than the one its CID names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AgentFMError,
    AsyncAgentFMClient,
    AuthenticationError,
    BossSigningKey,
    CommentBody,
    CommentNotFoundError,
    CommentSignatureError,
    EntryNotFoundError,
    InvalidCidError,
    InvalidCommentError,
    InvalidPeerIdError,
    InvalidRequestError,
    LedgerInternalError,
    LedgerUnavailableError,
    NonSelfSubmitterError,
    ProofVerificationError,
    RateLimitError,
)
from agentfm._comment_signing import comment_signing_bytes
from agentfm._identifiers import IDENTITY_KEY_FILE_NAME, decode_peer_id
from agentfm.testing import MeshSimulator

UNKNOWN_PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
TRUST_MESH = [
    {"name": "honest", "engine": "llama3.2", "honesty_score": 0.6},
    {"name": "liar", "engine": "llama3.2", "is_equivocator": True},
    {"name": "newcomer", "engine": "mistral"},
]


def _cid(text: str) -> str:
    return "1220" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _client(mesh: MeshSimulator) -> AgentFMClient:
    return AgentFMClient(mesh.url, api_key=None, retries=0)


# --- Live, sync ---------------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(workers=TRUST_MESH)
def test_a_comment_shows_on_the_card_the_reputation_and_the_log(
    agentfm_mesh: MeshSimulator,
) -> None:
    subject = agentfm_mesh.worker("newcomer").peer_id
    with _client(agentfm_mesh) as client:
        before = client.peers.get(subject)
        receipt = client.peers.comment(subject, text="fast and correct", rating=0.4)
        card = client.peers.get(subject)
        reputation = client.peers.reputation(subject)
        page = client.peers.log(subject)

    assert (before.entries_count, before.honesty_score) == (0, 0.0)
    assert receipt.cid == _cid("fast and correct")
    assert card.online
    assert card.agent_name == "newcomer"
    assert card.entries_count == 2  # the comment and its paired rating
    assert card.rater_summary.verified_raters_count == 1  # the gateway itself
    assert card.rater_summary.unverified_raters_count == 0
    assert card.honesty_score == pytest.approx(0.4)
    assert card.last_entry_at is not None
    assert card.last_seen is not None
    assert (card.dispatch_allowed, card.dispatch_refuse_reason) == (True, None)

    assert reputation.honesty == pytest.approx(0.4)
    assert reputation.rating_count == 1
    assert not reputation.is_equivocator
    assert reputation.last_updated is not None
    assert reputation.last_updated.utcoffset() == timedelta(0)  # UTC, whole seconds (5.12.2)
    assert reputation.last_updated.microsecond == 0

    assert (page.subject, page.limit, page.offset, page.returned) == (subject, 50, 0, 2)
    rating, comment = page.entries  # newest first: the rating is appended after the comment
    assert rating.is_rating
    assert (rating.dimension, rating.context) == ("honesty", "interactive")
    assert rating.score == pytest.approx(0.4)
    assert comment.is_comment
    assert comment.score is None
    assert comment.entry_hash == receipt.ledger_hash
    assert comment.text_cid == receipt.cid
    assert comment.language == "en"  # the SDK's default; the gateway has none (5.12.6)
    assert comment.rater_peer_id == agentfm_mesh.boss_peer_id
    assert comment.rater_verified
    assert list(page) == page.entries
    assert len(page) == 2


@pytest.mark.agentfm_mesh(workers=TRUST_MESH)
def test_comment_bodies_in_both_variants(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.worker("honest").peer_id
    text = "très bien <b>&</b>\nsecond line"
    with _client(agentfm_mesh) as client:
        receipt = client.peers.comment(subject, text=text, language="fr")
        plain = client.peers.comment_body(subject, receipt.cid)
        as_json = client.peers.comment_body(subject, receipt.cid.upper(), format="json")
        stored = next(iter(client.peers.log(subject)))
        with pytest.raises(CommentNotFoundError) as missing:
            client.peers.comment_body(subject, _cid("never written"))
    assert plain == text
    assert as_json == CommentBody(cid=receipt.cid.upper(), text=text, language="en")
    assert stored.language == "fr"  # the JSON variant's `en` is hard-coded (5.12.7)
    assert (missing.value.status, missing.value.code) == (404, "comment_not_found")


@pytest.mark.agentfm_mesh(workers=TRUST_MESH)
def test_an_equivocators_card_carries_the_dispatch_verdict(agentfm_mesh: MeshSimulator) -> None:
    liar = agentfm_mesh.worker("liar").peer_id
    with _client(agentfm_mesh) as client:
        card = client.peers.get(liar)
        reputation = client.peers.reputation(liar)
    assert card.is_equivocator
    assert not card.dispatch_allowed
    assert card.dispatch_refuse_reason == "peer_is_equivocator"
    assert reputation.is_equivocator
    assert reputation.honesty == -1.0


def test_an_unknown_peer_has_an_empty_card(agentfm_mesh: MeshSimulator) -> None:
    with _client(agentfm_mesh) as client:
        card = client.peers.get(UNKNOWN_PEER)
        reputation = client.peers.reputation(UNKNOWN_PEER)
        page = client.peers.log(UNKNOWN_PEER)
    assert (card.online, card.agent_name, card.entries_count) == (False, "", 0)
    assert card.last_seen is None
    assert card.last_entry_at is None
    assert card.author is None
    assert (reputation.rating_count, reputation.last_updated) == (0, None)
    assert (page.returned, page.entries) == (0, [])


def test_list_includes_offline_peers_only_when_asked(agentfm_mesh: MeshSimulator) -> None:
    gone = agentfm_mesh.workers[0]
    agentfm_mesh.ledger.append_rating(gone.peer_id, dimension="honesty", score=0.1, context="t")
    agentfm_mesh.take_offline(gone)
    with _client(agentfm_mesh) as client:
        online = client.peers.list()
        everyone = client.peers.list(include_offline=True)
    assert gone.peer_id not in {peer.peer_id for peer in online}
    assert all(peer.online for peer in online)
    offline = [peer for peer in everyone if peer.peer_id == gone.peer_id]
    assert len(offline) == 1
    assert offline[0].online is False
    assert offline[0].last_seen is None
    assert len(everyone) == len(online) + 1


def test_a_rating_of_zero_reads_back_as_zero(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.workers[1].peer_id
    agentfm_mesh.ledger.append_rating(subject, dimension="honesty", score=0.0, context="t0")
    with _client(agentfm_mesh) as client:
        (entry,) = client.peers.log(subject).entries
    assert "score" not in entry.raw  # the gateway omits it (5.12.3)
    assert entry.score == 0.0


def test_log_pages_and_the_clamped_offset(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.workers[1].peer_id
    for number in range(5):
        agentfm_mesh.ledger.append_rating(
            subject, dimension="honesty", score=0.01, context=f"t{number}"
        )
    with _client(agentfm_mesh) as client:
        whole = client.peers.log(subject, limit=500)
        second = client.peers.log(subject, limit=2, offset=2)
        beyond = client.peers.log(subject, limit=2, offset=100)
    contexts = [entry.context for entry in whole]
    assert contexts == ["t4", "t3", "t2", "t1", "t0"]  # newest first
    assert [entry.context for entry in second] == ["t2", "t1"]
    assert (beyond.offset, beyond.returned) == (5, 0)  # reported clamped to what exists


def test_iter_log_walks_a_growing_log_once(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.workers[2].peer_id
    for number in range(7):
        agentfm_mesh.ledger.append_rating(
            subject, dimension="honesty", score=0.01, context=f"old{number}"
        )
    with _client(agentfm_mesh) as client:
        expected = [entry.entry_hash for entry in client.peers.log(subject)]
        walk = client.peers.iter_log(subject, page_size=3)
        seen = [next(walk).entry_hash]
        for number in range(2):  # new entries push the rest down while the log is walked
            agentfm_mesh.ledger.append_rating(
                subject, dimension="honesty", score=0.01, context=f"new{number}"
            )
        seen += [entry.entry_hash for entry in walk]
    assert len(seen) == len(set(seen))
    assert [entry_hash for entry_hash in seen if entry_hash in expected] == expected


@pytest.mark.agentfm_mesh(workers=TRUST_MESH)
def test_a_comment_signed_with_the_boss_key_is_accepted(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.worker("honest").peer_id
    key = BossSigningKey.from_file(agentfm_mesh.workdir / IDENTITY_KEY_FILE_NAME)
    assert key.peer_id == agentfm_mesh.boss_peer_id
    with _client(agentfm_mesh) as client:
        receipt = client.peers.comment_signed(
            subject, text="signed here", signing_key=key, language="de"
        )
        unlabelled = client.peers.comment_signed(
            subject, text="no language", signing_key=key, language=""
        )
        proof = client.peers.verify(subject, receipt.ledger_hash)
        languages = {entry.text_cid: entry.language for entry in client.peers.log(subject)}
        with pytest.raises(NonSelfSubmitterError) as foreign:
            client.peers.comment_signed(
                subject, text="not mine", signing_key=BossSigningKey(b"\x05" * 32)
            )
    assert receipt.cid == _cid("signed here")
    assert proof.entry_hash == receipt.ledger_hash
    assert languages[receipt.cid] == "de"
    assert languages[unlabelled.cid] is None
    assert (foreign.value.status, foreign.value.code) == (403, "non_self_submitter")


def test_the_signed_bytes_match_the_layout_the_gateway_verifies() -> None:
    rater = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
    subject = "12D3KooWBqBDuHzsSHThz6B4Fs2gNjWeRAPghawcyz9WP2Kr6Utg"
    # The layout of 5.12.5, spelled out: rater, subject, CID, language, timestamp.
    raw = comment_signing_bytes(
        rater_peer_id=rater,
        subject_peer_id=subject,
        text="hello",
        language="en",
        timestamp_unix_ns=300,
    )
    cid = bytes.fromhex(_cid("hello"))
    rater_bytes, subject_bytes = decode_peer_id(rater), decode_peer_id(subject)
    assert rater_bytes is not None
    assert subject_bytes is not None
    head = b"\x0a\x26" + rater_bytes + b"\x12\x26" + subject_bytes + b"\x1a\x22" + cid
    assert raw == head + b"\x22\x02en" + b"\x30\xac\x02"
    # No language: field 4 is omitted; an attached rating hash is field 5, 32 bytes.
    attached = bytes(range(32))
    bare = comment_signing_bytes(
        rater_peer_id=rater,
        subject_peer_id=subject,
        text="hello",
        language="",
        timestamp_unix_ns=1,
        attached_rating_hash=attached,
    )
    assert bare == head + b"\x2a\x20" + attached + b"\x30\x01"


def test_a_signing_key_never_shows_its_secret(tmp_path: Any) -> None:
    seed = bytes(range(32))
    key = BossSigningKey(seed)
    assert seed.hex() not in repr(key)
    assert key.peer_id in repr(key)
    with pytest.raises(InvalidRequestError) as short:
        BossSigningKey.from_bytes(b"\x08\x01\x12\x40" + seed)
    assert short.value.code == "invalid_signing_key"
    assert seed.hex() not in str(short.value)
    with pytest.raises(InvalidRequestError):
        BossSigningKey.from_file(tmp_path / "absent.key")


def test_signing_without_cryptography_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.asymmetric", None)
    with pytest.raises(AgentFMError) as missing:
        BossSigningKey(b"\x01" * 32)
    assert missing.value.code == "missing_dependency"
    assert "cryptography" in missing.value.message


# --- Live, async --------------------------------------------------------------------------------


@pytest.mark.agentfm_mesh(workers=TRUST_MESH)
async def test_every_peers_call_with_the_async_client(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.worker("newcomer").peer_id
    key = BossSigningKey.from_file(agentfm_mesh.workdir / IDENTITY_KEY_FILE_NAME)
    async with AsyncAgentFMClient(agentfm_mesh.url, api_key=None, retries=0) as client:
        peers = await client.peers.list(include_offline=True)
        receipt = await client.peers.comment(subject, text="async hello", rating=0.3)
        signed = await client.peers.comment_signed(subject, text="async signed", signing_key=key)
        card = await client.peers.get(subject)
        reputation = await client.peers.reputation(subject)
        page = await client.peers.log(subject, limit=2)
        walked = [entry async for entry in client.peers.iter_log(subject, page_size=1)]
        proof = await client.peers.verify(subject, signed.ledger_hash)
        text = await client.peers.comment_body(subject, receipt.cid)
        body = await client.peers.comment_body(subject, receipt.cid, format="json")
        with pytest.raises(EntryNotFoundError):
            await client.peers.proof(subject, "ab" * 32)
    assert {peer.name for peer in peers} == {"honest", "liar", "newcomer"}
    assert card.entries_count == 3
    assert reputation.rating_count == 1
    assert reputation.honesty == pytest.approx(0.3)
    assert page.returned == 2
    assert page.limit == 2
    assert [entry.entry_hash for entry in walked][:2] == [entry.entry_hash for entry in page]
    assert len(walked) == 3
    assert proof.entry_hash == signed.ledger_hash
    assert (text, body.text) == ("async hello", "async hello")


# --- Checks before sending ----------------------------------------------------------------------


@pytest.fixture
def silent_client() -> Iterator[AgentFMClient]:
    """A client whose gateway fails the test if anything at all is sent to it."""

    def gateway(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing may be sent, but {request.method} {request.url} was")

    transport = httpx.Client(transport=httpx.MockTransport(gateway))
    with AgentFMClient("http://gateway.test", api_key=None, http_client=transport) as client:
        yield client
    transport.close()


GOOD_CID = _cid("x")
REFUSED_LOCALLY: list[tuple[str, Callable[[AgentFMClient], object], type[AgentFMError], str]] = [
    ("get id", lambda c: c.peers.get("llama3.2"), InvalidPeerIdError, "invalid_peer_id"),
    ("rep id", lambda c: c.peers.reputation(""), InvalidPeerIdError, "invalid_peer_id"),
    ("log id", lambda c: c.peers.log("12D3KooW"), InvalidPeerIdError, "invalid_peer_id"),
    ("log limit 0", lambda c: c.peers.log(UNKNOWN_PEER, limit=0), InvalidRequestError, ""),
    ("log limit", lambda c: c.peers.log(UNKNOWN_PEER, limit=501), InvalidRequestError, ""),
    ("log offset", lambda c: c.peers.log(UNKNOWN_PEER, offset=-1), InvalidRequestError, ""),
    ("walk size", lambda c: c.peers.iter_log(UNKNOWN_PEER, page_size=0), InvalidRequestError, ""),
    ("proof id", lambda c: c.peers.proof("x", "ab" * 32), InvalidPeerIdError, "invalid_peer_id"),
    ("body id", lambda c: c.peers.comment_body("x", GOOD_CID), InvalidPeerIdError, ""),
    ("cid", lambda c: c.peers.comment_body(UNKNOWN_PEER, "1220ab"), InvalidCidError, "invalid_cid"),
    (
        "cid prefix",
        lambda c: c.peers.comment_body(UNKNOWN_PEER, "1221" + "ab" * 32),
        InvalidCidError,
        "invalid_cid",
    ),
    (
        "empty",
        lambda c: c.peers.comment(UNKNOWN_PEER, text=""),
        InvalidRequestError,
        "missing_field",
    ),
    (
        "too long",
        lambda c: c.peers.comment(UNKNOWN_PEER, text="é" * 5121),
        InvalidCommentError,
        "body_too_large",
    ),
    (
        "rating high",
        lambda c: c.peers.comment(UNKNOWN_PEER, text="t", rating=1.01),
        InvalidCommentError,
        "bad_rating",
    ),
    (
        "rating nan",
        lambda c: c.peers.comment(UNKNOWN_PEER, text="t", rating=math.nan),
        InvalidCommentError,
        "bad_rating",
    ),
    (
        "rating bool",
        lambda c: c.peers.comment(UNKNOWN_PEER, text="t", rating=True),
        InvalidCommentError,
        "bad_rating",
    ),
    (
        "comment id",
        lambda c: c.peers.comment("nope", text="t"),
        InvalidPeerIdError,
        "invalid_peer_id",
    ),
    (
        "no key",
        lambda c: c.peers.comment_signed(UNKNOWN_PEER, text="t", signing_key=b"k"),  # type: ignore[arg-type]
        InvalidRequestError,
        "invalid_signing_key",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "code"),
    [case[1:] for case in REFUSED_LOCALLY],
    ids=[case[0] for case in REFUSED_LOCALLY],
)
def test_bad_arguments_are_refused_before_sending(
    silent_client: AgentFMClient,
    call: Callable[[AgentFMClient], object],
    error: type[AgentFMError],
    code: str,
) -> None:
    with pytest.raises(error) as refused:
        call(silent_client)  # even a lazy walk checks its arguments at once
    assert refused.value.status is None
    if code:
        assert refused.value.code == code


def test_a_rating_at_the_bounds_is_accepted(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.workers[0].peer_id
    with _client(agentfm_mesh) as client:
        client.peers.comment(subject, text="worst", rating=-1)
        client.peers.comment(subject, text="best", rating=1.0)
        scores = sorted(entry.score for entry in client.peers.log(subject) if entry.is_rating)
    assert scores == [-1.0, 1.0]


# --- Every gateway code of these routes, scripted ----------------------------------------------


def _envelope(status: int, code: str) -> httpx.Response:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    body = {"error": {"message": f"scripted {code}", "type": kind, "code": code}}
    return httpx.Response(status, json=body)


KEY = BossSigningKey(b"\x01" * 32)
ROUTE_CALLS: dict[str, Callable[[Any], Any]] = {
    "get": lambda peers: peers.get(UNKNOWN_PEER),
    "reputation": lambda peers: peers.reputation(UNKNOWN_PEER),
    "log": lambda peers: peers.log(UNKNOWN_PEER),
    "proof": lambda peers: peers.proof(UNKNOWN_PEER, "ab" * 32),
    "comment": lambda peers: peers.comment(UNKNOWN_PEER, text="t", rating=0.5),
    "signed": lambda peers: peers.comment_signed(UNKNOWN_PEER, text="t", signing_key=KEY),
    "body": lambda peers: peers.comment_body(UNKNOWN_PEER, GOOD_CID),
    "body json": lambda peers: peers.comment_body(UNKNOWN_PEER, GOOD_CID, format="json"),
}
# (route, HTTP status, code, class): section 3.3, every code these routes can answer.
GATEWAY_CODES = [
    *[
        (route, 401, "unauthorized", AuthenticationError)
        for route in ("get", "log", "comment", "body")
    ],
    ("reputation", 401, "invalid_api_key", AuthenticationError),
    ("proof", 429, "rate_limited", RateLimitError),
    ("get", 405, "method_not_allowed", InvalidRequestError),
    ("get", 404, "not_found", InvalidRequestError),
    ("get", 400, "bad_request", InvalidRequestError),
    ("reputation", 400, "bad_peer_id", InvalidPeerIdError),
    ("get", 503, "ledger_unavailable", LedgerUnavailableError),
    ("reputation", 503, "ledger_unavailable", LedgerUnavailableError),
    ("log", 503, "ledger_unavailable", LedgerUnavailableError),
    ("proof", 503, "ledger_unavailable", LedgerUnavailableError),
    ("comment", 503, "comments_unavailable", LedgerUnavailableError),
    ("comment", 503, "host_unavailable", LedgerUnavailableError),
    ("body", 503, "comments_unavailable", LedgerUnavailableError),
    ("signed", 501, "not_implemented", LedgerUnavailableError),
    ("reputation", 500, "ledger_error", LedgerInternalError),
    ("get", 500, "gather_error", LedgerInternalError),
    ("log", 500, "gather_error", LedgerInternalError),
    ("proof", 404, "entry_not_found", EntryNotFoundError),
    ("proof", 400, "bad_request", InvalidRequestError),
    ("proof", 500, "prove_error", LedgerInternalError),
    ("comment", 400, "read_body", InvalidRequestError),
    ("comment", 400, "bad_json", InvalidRequestError),
    ("comment", 400, "missing_field", InvalidRequestError),
    ("comment", 400, "body_too_large", InvalidCommentError),
    ("comment", 400, "bad_rating", InvalidCommentError),
    ("comment", 400, "store_body", LedgerInternalError),
    ("comment", 500, "append_failed", LedgerInternalError),
    ("signed", 401, "bad_signature", CommentSignatureError),
    ("signed", 403, "non_self_submitter", NonSelfSubmitterError),
    ("signed", 400, "bad_peer_id", InvalidPeerIdError),
    ("body", 400, "bad_cid", InvalidCidError),
    ("body", 404, "comment_not_found", CommentNotFoundError),
    ("body json", 404, "comment_not_found", CommentNotFoundError),
    ("body", 500, "store_error", LedgerInternalError),
    ("body json", 400, "bad_request", InvalidRequestError),
]


@pytest.mark.parametrize(
    ("route", "status", "code", "error"),
    GATEWAY_CODES,
    ids=[f"{case[0]}-{case[2]}" for case in GATEWAY_CODES],
)
def test_each_gateway_code_maps_to_its_exception(
    route: str, status: int, code: str, error: type[AgentFMError]
) -> None:
    sent: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _envelope(status, code)

    transport = httpx.Client(transport=httpx.MockTransport(gateway))
    client = AgentFMClient("http://gateway.test", api_key=None, http_client=transport, retries=0)
    with pytest.raises(error) as raised:
        ROUTE_CALLS[route](client.peers)
    transport.close()
    assert type(raised.value) is error  # the most specific class, not a parent
    assert (raised.value.status, raised.value.code) == (status, code)
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("route", "status", "code", "error"),
    GATEWAY_CODES[::3],
    ids=[f"{case[0]}-{case[2]}" for case in GATEWAY_CODES[::3]],
)
async def test_each_gateway_code_maps_to_its_exception_async(
    route: str, status: int, code: str, error: type[AgentFMError]
) -> None:
    async def gateway(request: httpx.Request) -> httpx.Response:
        return _envelope(status, code)

    transport = httpx.AsyncClient(transport=httpx.MockTransport(gateway))
    async with AsyncAgentFMClient(
        "http://gateway.test", api_key=None, http_client=transport, retries=0
    ) as client:
        with pytest.raises(error) as raised:
            await ROUTE_CALLS[route](client.peers)
    await transport.aclose()
    assert type(raised.value) is error
    assert (raised.value.status, raised.value.code) == (status, code)


def _scripted(answer: Callable[[httpx.Request], httpx.Response]) -> AgentFMClient:
    return AgentFMClient(
        "http://gateway.test",
        api_key=None,
        retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )


def test_a_comment_text_that_does_not_hash_to_its_cid_is_refused() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(".json"):
            return httpx.Response(200, json={"cid": GOOD_CID, "body": "y", "language": "en"})
        return httpx.Response(200, text="y", headers={"content-type": "text/plain"})

    client = _scripted(gateway)
    for variant in ("text", "json"):
        with pytest.raises(ProofVerificationError) as refused:
            client.peers.comment_body(UNKNOWN_PEER, GOOD_CID, format=variant)  # type: ignore[call-overload]
        assert refused.value.code == "cid_mismatch"


def test_a_receipt_for_other_text_is_refused() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"cid": _cid("other"), "ledger_hash": "ab" * 32})

    with pytest.raises(ProofVerificationError) as refused:
        _scripted(gateway).peers.comment(UNKNOWN_PEER, text="mine")
    assert refused.value.code == "cid_mismatch"


def test_what_the_comment_routes_are_sent() -> None:
    bodies: list[dict[str, Any]] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        bodies.append({"path": request.url.path, **json.loads(request.content)})
        text = bodies[-1]["text"]
        return httpx.Response(201, json={"cid": _cid(text), "ledger_hash": "ab" * 32})

    client = _scripted(gateway)
    client.peers.comment(UNKNOWN_PEER, text="plain")
    client.peers.comment(UNKNOWN_PEER, text="rated", rating=-0.25, language="")
    client.peers.comment_signed(UNKNOWN_PEER, text="signed", signing_key=KEY, timestamp_unix_ns=7)
    plain, rated, signed = bodies
    assert plain == {
        "path": f"/v1/peers/{UNKNOWN_PEER}/comments/self",
        "text": "plain",
        "language": "en",
    }
    assert rated == {
        "path": f"/v1/peers/{UNKNOWN_PEER}/comments/self",
        "text": "rated",
        "rating": -0.25,
    }
    assert signed["path"] == f"/v1/peers/{UNKNOWN_PEER}/comments"
    assert (signed["rater_peer_id"], signed["timestamp_unix_ns"]) == (KEY.peer_id, 7)
    assert len(base64.b64decode(signed["signature"], validate=True)) == 64


def test_log_query_and_entries_are_read_as_sent() -> None:
    seen: list[httpx.URL] = []
    entry = {
        "received_at": "2026-06-20T15:50:00.123456789+02:00",
        "kind": "Comment",
        "entry_hash": "cd" * 32,
        "rater_peer_id": UNKNOWN_PEER,
        "language": "en",
        "rater_status": "unverified",
        "rater_honesty_score": 0,
        "text_cid": GOOD_CID,
        "some_future_key": True,
    }

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        body = {"subject": UNKNOWN_PEER, "limit": 7, "offset": 3, "returned": 1, "entries": [entry]}
        return httpx.Response(200, json=body)

    page = _scripted(gateway).peers.log(UNKNOWN_PEER, limit=7, offset=3)
    assert dict(seen[0].params) == {"limit": "7", "offset": "3"}
    (read,) = page.entries
    assert read.received_at.utcoffset() == timedelta(hours=2)  # the Boss's local zone, kept
    assert read.received_at.microsecond == 123456
    assert (read.text_cid, read.score, read.rater_verified) == (GOOD_CID, None, False)
    assert read.raw["some_future_key"] is True
