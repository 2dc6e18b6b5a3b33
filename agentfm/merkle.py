"""RFC 6962 Merkle trees over SHA-256: hashing, audit paths, and proof verification.

The gateway's ledger (docs/reference/gateway-protocol.md §5.12.4) is an append-only log whose head
commits to every entry through an RFC 6962 tree. The simulator builds its log with these functions;
users check the proofs the gateway hands out with `verify_proof` (over `verify_inclusion`). Pure
functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentfm.exceptions import ProofVerificationError

if TYPE_CHECKING:
    from agentfm.models import InclusionProof

__all__ = [
    "EMPTY_TREE_ROOT",
    "audit_path",
    "audit_path_length",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "verify_inclusion",
    "verify_proof",
]

EMPTY_TREE_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one log entry's canonical bytes."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split_point(size: int) -> int:
    # The largest power of two strictly less than `size` (size >= 2).
    split = 1
    while split * 2 < size:
        split *= 2
    return split


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """The root of the tree over `leaves` (already leaf-hashed)."""
    if not leaves:
        return EMPTY_TREE_ROOT
    if len(leaves) == 1:
        return leaves[0]
    split = _split_point(len(leaves))
    return node_hash(root_hash(leaves[:split]), root_hash(leaves[split:]))


def audit_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The bottom-up sibling hashes proving `leaves[index]` is in the tree over `leaves`."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is outside a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    split = _split_point(len(leaves))
    if index < split:
        return [*audit_path(leaves[:split], index), root_hash(leaves[split:])]
    return [*audit_path(leaves[split:], index - split), root_hash(leaves[:split])]


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """True when `leaf` at `index` folds along `path` to `expected_root` in a tree of `tree_size`.

    The iterative algorithm of RFC 9162 section 2.1.3.2; the path length must match exactly.
    """
    if not 0 <= index < tree_size:
        return False
    position = index
    last = tree_size - 1
    computed = leaf
    for sibling in path:
        if last == 0:
            return False
        if position % 2 == 1 or position == last:
            computed = node_hash(sibling, computed)
            if position % 2 == 0:
                while position % 2 == 0 and position != 0:
                    position >>= 1
                    last >>= 1
        else:
            computed = node_hash(computed, sibling)
        position >>= 1
        last >>= 1
    return last == 0 and computed == expected_root


def audit_path_length(index: int, tree_size: int) -> int:
    """How many siblings an inclusion proof of leaf `index` in a tree of `tree_size` has.

    RFC 9162 section 2.1.3.1: the levels below the point where the paths to `index` and to the
    last leaf part, plus one for each left subtree on the way up from there.
    """
    if not 0 <= index < tree_size:
        raise IndexError(f"leaf {index} is outside a tree of {tree_size}")
    inner = (index ^ (tree_size - 1)).bit_length()
    return inner + bin(index >> inner).count("1")


_HASH_HEX = re.compile(r"[0-9a-fA-F]{64}")


def _hash_bytes(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not _HASH_HEX.fullmatch(value):
        raise ProofVerificationError(
            f"the proof's {what} is not a 64-char hex SHA-256 hash: {value!r}",
            code="malformed_proof",
        )
    return bytes.fromhex(value)


def verify_proof(proof: InclusionProof, *, entry_hash: str | None = None) -> None:
    """Check locally that an entry is in the gateway's log; raise `ProofVerificationError` if not.

    Folds the leaf hash up the audit path with the RFC 6962 rules
    (docs/reference/gateway-protocol.md §5.12.4) and compares the result with
    `proof.head.root_hash`. The leaf is `entry_hash` when given, else `proof.entry_hash`, which
    `peers.proof` fills with the hash the caller asked about, not with the gateway's echo of it. The
    entry hash already is the leaf hash; it is not hashed again.

    What this proves: the entry is at `position` in the tree whose root is `root_hash`. What it
    cannot prove: that the head (root and size) is the one the gateway signed. The gateway exposes
    neither the head's signature nor its signer (docs/reference/gateway-protocol.md §5.12.4), so the
    head itself is taken on faith; the tree size in particular is checked only as far as it shapes
    the audit path.
    """
    leaf = _hash_bytes(proof.entry_hash if entry_hash is None else entry_hash, "entry hash")
    root = _hash_bytes(proof.head.root_hash, "root hash")
    path = [
        _hash_bytes(node, f"audit path node {number}")
        for number, node in enumerate(proof.audit_path)
    ]
    size, position = proof.head.tree_size, proof.position
    if not 0 <= position < size:
        raise ProofVerificationError(
            f"position {position} is outside a tree of {size} entries", code="malformed_proof"
        )
    expected = audit_path_length(position, size)
    if len(path) != expected:
        raise ProofVerificationError(
            f"the audit path has {len(path)} hashes; entry {position} of a {size}-entry tree "
            f"needs exactly {expected}",
            code="proof_mismatch",
        )
    if not verify_inclusion(leaf, position, size, path, root):
        raise ProofVerificationError(
            f"entry {leaf.hex()} does not fold to the head's root hash {root.hex()} at "
            f"position {position} of {size}: the entry is not in the log the head describes",
            code="proof_mismatch",
        )
