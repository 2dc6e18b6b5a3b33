"""RFC 6962 Merkle trees over SHA-256: hashing, audit paths, and proof verification.

The gateway's ledger (gateway-protocol.md 5.12.4) is an append-only log whose head commits to
every entry through an RFC 6962 tree. The simulator builds its log with these functions; users
check the proofs the gateway hands out with `verify_inclusion` (the facade wraps it as
`verify_proof`). Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_TREE_ROOT",
    "audit_path",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "verify_inclusion",
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
