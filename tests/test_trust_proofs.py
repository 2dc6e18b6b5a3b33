"""Inclusion proofs are checked locally: `verify_proof` and `peers.verify`.

The reference tree below is written from the definitions of RFC 6962 section 2.1 (MTH and PATH),
independently of agentfm.merkle, and checked against the published RFC 6962 test vectors. Every
proof it produces must verify, and every tampered variant (path node, position, size, root, leaf,
path length, node order) must be refused. Live tests take proofs from the simulator's real ledger.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx
import pytest

from agentfm import (
    AgentFMClient,
    AsyncAgentFMClient,
    EntryNotFoundError,
    InclusionProof,
    InvalidRequestError,
    ProofVerificationError,
    TreeHead,
    verify_proof,
)
from agentfm.testing import MeshSimulator

ModelT = TypeVar("ModelT", InclusionProof, TreeHead)


def evolve(model: ModelT, **changes: Any) -> ModelT:
    """A tampered copy, made through the models' public `model_copy`."""
    return model.model_copy(update=changes)


# --- An independent RFC 6962 reference ------------------------------------------------------------


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 2.1, over raw leaf inputs."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)  # largest power of two smaller than n
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 2.1.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


# The leaf inputs and roots published with RFC 6962's reference implementation (certificate
# transparency test data): the roots of the trees over the first 1..8 inputs.
RFC6962_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def reference_proof(leaves: list[bytes], index: int) -> InclusionProof:
    return InclusionProof(
        entry_hash=hashlib.sha256(b"\x00" + leaves[index]).hexdigest(),
        position=index,
        audit_path=[node.hex() for node in path(index, leaves)],
        head=TreeHead(
            tree_size=len(leaves),
            root_hash=mth(leaves).hex(),
            witness_count=0,
            signed_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ),
    )


def flipped(hex_hash: str) -> str:
    raw = bytearray(bytes.fromhex(hex_hash))
    raw[7] ^= 0x01
    return raw.hex()


def tampered_variants(proof: InclusionProof) -> dict[str, InclusionProof]:
    """Every way of lying about the entry, its position, the path or the root of a valid proof.

    (Not the tree size alone: an audit path does not depend on it where the entry sits in a
    complete subtree, so only the head's signature, which the gateway does not expose, binds it.)
    """
    head = proof.head
    variants = {
        "root": evolve(proof, head=evolve(head, root_hash=flipped(head.root_hash))),
        "leaf": evolve(proof, entry_hash=flipped(proof.entry_hash)),
        "path+node": evolve(proof, audit_path=[*proof.audit_path, proof.entry_hash]),
    }
    for delta in (-1, 1):
        variants[f"position{delta:+d}"] = evolve(proof, position=proof.position + delta)
    for number, node in enumerate(proof.audit_path):
        nodes = list(proof.audit_path)
        nodes[number] = flipped(node)
        variants[f"node{number}"] = evolve(proof, audit_path=nodes)
    if proof.audit_path:
        variants["path-node"] = evolve(proof, audit_path=proof.audit_path[:-1])
    if len(proof.audit_path) >= 2:
        swapped = list(proof.audit_path)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        variants["swapped"] = evolve(proof, audit_path=swapped)
    return variants


# --- Against the reference ----------------------------------------------------------------------


def test_the_reference_tree_reproduces_the_rfc6962_vectors() -> None:
    roots = [mth(RFC6962_INPUTS[:size]).hex() for size in range(1, 9)]
    assert roots == RFC6962_ROOTS


@pytest.mark.parametrize("size", range(1, 9))
def test_every_proof_of_the_rfc6962_trees_verifies(size: int) -> None:
    for index in range(size):
        proof = reference_proof(RFC6962_INPUTS[:size], index)
        assert proof.head.root_hash == RFC6962_ROOTS[size - 1]
        verify_proof(proof)


def test_proofs_of_many_tree_shapes_verify_and_every_tamper_is_refused() -> None:
    for size in range(1, 34):
        leaves = [f"entry {number}".encode() for number in range(size)]
        for index in range(size):
            proof = reference_proof(leaves, index)
            verify_proof(proof)
            for name, variant in tampered_variants(proof).items():
                with pytest.raises(ProofVerificationError) as refused:
                    verify_proof(variant)
                assert refused.value.code in ("proof_mismatch", "malformed_proof"), name


def test_the_leaf_folded_is_the_one_asked_about() -> None:
    leaves = [b"a", b"b", b"c", b"d", b"e"]
    proof = reference_proof(leaves, 2)
    other_leaf = hashlib.sha256(b"\x00" + b"d").hexdigest()
    verify_proof(proof, entry_hash=proof.entry_hash.upper())  # hex case does not matter
    with pytest.raises(ProofVerificationError):
        verify_proof(proof, entry_hash=other_leaf)


def test_the_entry_hash_is_not_hashed_again() -> None:
    leaves = [b"only"]
    proof = reference_proof(leaves, 0)
    assert proof.head.root_hash == proof.entry_hash  # a one-entry log: the leaf is the root
    verify_proof(proof)
    rehashed = hashlib.sha256(b"\x00" + bytes.fromhex(proof.entry_hash)).hexdigest()
    with pytest.raises(ProofVerificationError):
        verify_proof(proof, entry_hash=rehashed)


@pytest.mark.parametrize(
    "change",
    [
        {"entry_hash": "xyz"},
        {"entry_hash": "ab" * 31},
        {"audit_path": ["not hex"]},
        {"position": -1},
    ],
)
def test_malformed_proofs_are_refused_with_their_own_code(change: dict[str, object]) -> None:
    proof = evolve(reference_proof([b"a", b"b", b"c"], 1), **change)
    with pytest.raises(ProofVerificationError) as refused:
        verify_proof(proof)
    assert refused.value.code == "malformed_proof"


def test_a_tree_size_that_changes_the_paths_shape_is_refused() -> None:
    proof = reference_proof([b"a", b"b", b"c"], 2)  # the last leaf of an odd tree
    for size in (2, 4):
        with pytest.raises(ProofVerificationError):
            verify_proof(evolve(proof, head=evolve(proof.head, tree_size=size)))


def test_an_empty_tree_proves_nothing() -> None:
    proof = reference_proof([b"a"], 0)
    empty = evolve(proof, head=evolve(proof.head, tree_size=0))
    with pytest.raises(ProofVerificationError):
        verify_proof(empty)


# --- Against the simulator's ledger -------------------------------------------------------------


def _own_log_entries(mesh: MeshSimulator, client: AgentFMClient, count: int) -> list[str]:
    """Append `count` entries to the Boss's own log, half through the API, half directly."""
    subject = mesh.workers[0].peer_id
    hashes = []
    for number in range(count):
        if number % 2:
            receipt = client.peers.comment(subject, text=f"comment {number}", rating=0.1)
            hashes.append(receipt.ledger_hash)
        else:
            entry = mesh.ledger.append_rating(
                subject, dimension="honesty", score=0.2, context=f"task-{number}"
            )
            hashes.append(entry.entry_hash.hex())
    return hashes


def test_every_entry_of_the_simulators_log_verifies(agentfm_mesh: MeshSimulator) -> None:
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client:
        subject = agentfm_mesh.workers[0].peer_id
        hashes = _own_log_entries(agentfm_mesh, client, 7)
        size = agentfm_mesh.ledger.tree_size
        for entry_hash in hashes:
            proof = client.peers.verify(subject, entry_hash)
            assert proof.entry_hash == entry_hash
            assert proof.head.tree_size == size
            assert proof.head.witness_count == 0
            assert proof.head.signed_at.utcoffset() == timedelta(0)  # UTC (5.12.4)
        # The proof route ignores the id in the path (5.12.4): any peer id proves the same entry.
        other = client.peers.verify(agentfm_mesh.workers[1].peer_id, hashes[0])
        assert other.position == client.peers.proof(subject, hashes[0]).position


def test_tampered_proofs_from_the_simulator_are_refused(agentfm_mesh: MeshSimulator) -> None:
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client:
        subject = agentfm_mesh.workers[0].peer_id
        hashes = _own_log_entries(agentfm_mesh, client, 5)
        for entry_hash in hashes:
            proof = client.peers.proof(subject, entry_hash)
            verify_proof(proof)
            for variant in tampered_variants(proof).values():
                with pytest.raises(ProofVerificationError):
                    verify_proof(variant)


def test_only_the_gateways_own_entries_are_provable(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.workers[0].peer_id
    inbox = agentfm_mesh.ledger.receive_rating(
        b"\x07" * 32, subject, dimension="honesty", score=0.4, context="elsewhere"
    )
    with AgentFMClient(agentfm_mesh.url, api_key=None) as client:
        listed = {entry.entry_hash for entry in client.peers.log(subject)}
        assert inbox.entry_hash.hex() in listed
        with pytest.raises(EntryNotFoundError) as missing:
            client.peers.verify(subject, inbox.entry_hash.hex())
    assert (missing.value.status, missing.value.code) == (404, "entry_not_found")


async def test_proofs_verify_with_the_async_client(agentfm_mesh: MeshSimulator) -> None:
    subject = agentfm_mesh.workers[1].peer_id
    async with AsyncAgentFMClient(agentfm_mesh.url, api_key=None) as client:
        first = await client.peers.comment(subject, text="async one")
        second = await client.peers.comment(subject, text="async two", rating=-0.2)
        for receipt in (first, second):
            proof = await client.peers.verify(subject, receipt.ledger_hash.upper())
            assert proof.entry_hash == receipt.ledger_hash
        proof = await client.peers.proof(subject, first.ledger_hash)
    with pytest.raises(ProofVerificationError):
        verify_proof(evolve(proof, position=proof.position + 1))


def test_a_gateway_echoing_another_entry_cannot_pass_it_off() -> None:
    # The gateway answers with a valid proof of entry "b" while the caller asked about "c":
    # the proof is folded from the hash the caller asked about, so it is refused.
    leaves = [b"a", b"b", b"c", b"d"]
    honest = reference_proof(leaves, 1)
    asked = hashlib.sha256(b"\x00c").hexdigest()
    body = {
        "entry_hash": honest.entry_hash,
        "position": honest.position,
        "audit_path": honest.audit_path,
        "head": {
            "tree_size": honest.head.tree_size,
            "root_hash": honest.head.root_hash,
            "witness_count": 0,
            "signed_at": "2026-06-20T15:50:00Z",
        },
    }

    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    transport = httpx.Client(transport=httpx.MockTransport(gateway))
    client = AgentFMClient("http://gateway.test", api_key=None, http_client=transport)
    peer = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
    with pytest.raises(ProofVerificationError) as refused:
        client.peers.verify(peer, asked)
    assert refused.value.code == "proof_mismatch"
    client.peers.verify(peer, honest.entry_hash)  # the entry it does prove passes
    transport.close()


def test_entry_hashes_are_checked_before_asking() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing may be sent, but {request.url} was")

    transport = httpx.Client(transport=httpx.MockTransport(gateway))
    client = AgentFMClient("http://gateway.test", api_key=None, http_client=transport)
    subject = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"
    for bad in ("", "12" * 31, "zz" * 32, "ab" * 33):
        with pytest.raises(InvalidRequestError) as refused:
            client.peers.verify(subject, bad)
        assert refused.value.code == "invalid_entry_hash"
        assert refused.value.status is None
    transport.close()
