"""Every `client.peers` call, sync and async, replayed from cassettes recorded from the simulator.

Re-record with `make record` (tests/record.py). The recording gateway is shared by every cassette
test and keeps its ledger between them, so these tests assert what their own writes produced, not
counts that other tests could change. `comment_signed` has no cassette: it needs the recording
gateway's private key file, which a recording run cannot read (it is tested live in
tests/test_peers.py).
"""

from __future__ import annotations

import hashlib

import pytest
from cassette_support import RecordedGateway

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    CommentBody,
    CommentNotFoundError,
    EntryNotFoundError,
    InvalidCidError,
    InvalidPeerIdError,
    verify_proof,
)

pytestmark = pytest.mark.cassette

ABSENT_ENTRY = "ab" * 32
NEVER_WRITTEN = "1220" + hashlib.sha256(b"no one wrote this").hexdigest()


def _cid(text: str) -> str:
    return "1220" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_peers_sync(recorded_gateway: RecordedGateway) -> None:
    text = "cassette: a reliable translator"
    with AgentFMClient(recorded_gateway.url, api_key=recorded_gateway.api_key, retries=0) as c:
        online = c.peers.list()
        known = c.peers.list(include_offline=True)
        subject = next(peer.peer_id for peer in online if peer.name == "translator")
        receipt = c.peers.comment(subject, text=text, rating=0.2)
        card = c.peers.get(subject)
        reputation = c.peers.reputation(subject)
        page = c.peers.log(subject, limit=5)
        walked = list(c.peers.iter_log(subject, page_size=2))
        proof = c.peers.verify(subject, receipt.ledger_hash)
        plain = c.peers.comment_body(subject, receipt.cid)
        as_json = c.peers.comment_body(subject, receipt.cid, format="json")
        with pytest.raises(EntryNotFoundError):
            c.peers.proof(subject, ABSENT_ENTRY)
        with pytest.raises(CommentNotFoundError):
            c.peers.comment_body(subject, NEVER_WRITTEN)
        with pytest.raises(InvalidPeerIdError):
            c.peers.get("translator")  # refused before any request
        with pytest.raises(InvalidCidError):
            c.peers.comment_body(subject, "1220")  # refused before any request

    assert {peer.peer_id for peer in online} <= {peer.peer_id for peer in known}
    assert receipt.cid == _cid(text)
    assert card.online
    assert card.agent_name == "translator"
    assert card.entries_count >= 2
    assert reputation.rating_count >= 1
    assert reputation.honesty is not None
    assert page.limit == 5
    assert page.entries[0].is_rating  # the paired rating is the newest entry
    assert page.entries[1].entry_hash == receipt.ledger_hash
    assert page.entries[1].text_cid == receipt.cid
    assert [entry.entry_hash for entry in walked[:5]] == [entry.entry_hash for entry in page]
    assert len(walked) == card.entries_count
    assert proof.entry_hash == receipt.ledger_hash
    verify_proof(proof)
    assert plain == text
    assert as_json == CommentBody(cid=receipt.cid, text=text, language="en")


async def test_peers_async(recorded_gateway: RecordedGateway) -> None:
    text = "cassette: a careful summarizer"
    async with AsyncAgentFMClient(
        recorded_gateway.url, api_key=recorded_gateway.api_key, retries=0
    ) as client:
        online = await client.peers.list()
        subject = next(peer.peer_id for peer in online if peer.name == "summarizer")
        receipt = await client.peers.comment(subject, text=text, language="de")
        card = await client.peers.get(subject)
        reputation = await client.peers.reputation(subject)
        page = await client.peers.log(subject)
        walked = [entry async for entry in client.peers.iter_log(subject, page_size=500)]
        proof = await client.peers.verify(subject, receipt.ledger_hash)
        plain = await client.peers.comment_body(subject, receipt.cid)
        as_json = await client.peers.comment_body(subject, receipt.cid, format="json")
        with pytest.raises(EntryNotFoundError):
            await client.peers.proof(subject, ABSENT_ENTRY)
        with pytest.raises(CommentNotFoundError):
            await client.peers.comment_body(subject, NEVER_WRITTEN, format="json")

    assert card.entries_count >= 1
    assert reputation.peer_id == subject
    newest = page.entries[0]
    assert (newest.entry_hash, newest.language, newest.text_cid) == (
        receipt.ledger_hash,
        "de",
        receipt.cid,
    )
    assert [entry.entry_hash for entry in walked[: len(page)]] == [
        entry.entry_hash for entry in page
    ]
    assert proof.head.tree_size >= 1
    assert plain == text
    assert as_json.language == "en"  # hard-coded by the gateway (5.12.7)
