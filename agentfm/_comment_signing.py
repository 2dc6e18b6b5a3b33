"""Caller-signed comments: the exact bytes the gateway verifies, and the Boss key that signs them.

`POST /v1/peers/{subject}/comments` (docs/reference/gateway-protocol.md §5.12.5) accepts a comment
only when its rater is the gateway itself and the signature verifies under the gateway's own Ed25519
key, so only someone holding the Boss's identity key file can use it. The signed message is SHA-256
of a deterministic protobuf `Comment` without `prev_hash` and `signature`:

    0A <len> <rater id bytes>   12 <len> <subject id bytes>   1A 22 <34-byte CID>
    [22 <len> <language>]       [2A 20 <attached rating hash>]  30 <varint timestamp>

Ed25519 needs the optional `cryptography` package, imported only when a key is loaded, so the SDK
keeps its two runtime dependencies. The encoder is pure.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from agentfm._identifiers import (
    comment_cid_for_text,
    decode_peer_id,
    peer_id_from_ed25519_public_key,
    split_libp2p_ed25519_private_key,
)
from agentfm._ledger_encoding import comment_bytes
from agentfm.exceptions import AgentFMError, InvalidPeerIdError, InvalidRequestError

__all__ = ["BossSigningKey", "comment_signing_bytes"]

_SEED_SIZE = 32


def _raw_peer_id(peer_id: str) -> bytes:
    raw = decode_peer_id(peer_id)
    if raw is None:
        raise InvalidPeerIdError(f"{peer_id!r} is not a libp2p peer id", code="invalid_peer_id")
    return raw


def comment_signing_bytes(
    *,
    rater_peer_id: str,
    subject_peer_id: str,
    text: str,
    language: str,
    timestamp_unix_ns: int,
    attached_rating_hash: bytes | None = None,
) -> bytes:
    """The unsigned `Comment` a caller signs for `POST /v1/peers/{subject}/comments`
    (docs/reference/gateway-protocol.md §5.12.5).

    Peer ids go in as their raw multihash bytes; the text as its CID `12 20 || SHA-256(text)`.
    """
    if timestamp_unix_ns <= 0 or timestamp_unix_ns >= 2**63:
        raise InvalidRequestError(
            "timestamp_unix_ns must be a positive int64", code="invalid_argument"
        )
    if attached_rating_hash is not None and len(attached_rating_hash) != 32:
        raise InvalidRequestError("attached_rating_hash must be 32 bytes", code="invalid_argument")
    return comment_bytes(
        _raw_peer_id(rater_peer_id),
        _raw_peer_id(subject_peer_id),
        comment_cid_for_text(text),
        language,
        attached_rating_hash or b"",
        timestamp_unix_ns,
        # a caller signs the entry before the ledger chains it
        # (docs/reference/gateway-protocol.md §5.12.5)
        prev_hash=b"",
    )


def _ed25519() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise AgentFMError(
            "signing a comment needs the optional 'cryptography' package "
            "(pip install 'agentfm-sdk[sim]' or pip install cryptography)",
            code="missing_dependency",
        ) from None
    return ed25519


class BossSigningKey:
    """The gateway's own Ed25519 identity key, for `peers.comment_signed`.

    Load it from the Boss's key file, `<gateway working directory>/.agentfm_api_identity.key`
    (`from_file`), or from the file's 68 bytes or a bare 32-byte seed (`from_bytes`). The key
    never appears in a repr or an error message.
    """

    __slots__ = ("_peer_id", "_private_key")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or len(seed) != _SEED_SIZE:
            raise InvalidRequestError(
                "an Ed25519 seed is exactly 32 bytes", code="invalid_signing_key"
            )
        self._private_key = _ed25519().Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private_key.public_key().public_bytes_raw()
        self._peer_id = peer_id_from_ed25519_public_key(public)

    @classmethod
    def from_bytes(cls, data: bytes) -> BossSigningKey:
        """From a libp2p-marshalled private key (`08 01 12 40` + seed + public) or a bare seed."""
        if len(data) == _SEED_SIZE:
            return cls(bytes(data))
        parts = split_libp2p_ed25519_private_key(bytes(data))
        if parts is None:
            raise InvalidRequestError(
                "not a libp2p Ed25519 private key (68 bytes starting 08 01 12 40) "
                "nor a 32-byte seed",
                code="invalid_signing_key",
            )
        seed, public = parts
        key = cls(seed)
        if peer_id_from_ed25519_public_key(public) != key.peer_id:
            raise InvalidRequestError(
                "the key's public half does not match its private half", code="invalid_signing_key"
            )
        return key

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> BossSigningKey:
        """From the Boss's identity key file."""
        try:
            with open(path, "rb") as key_file:
                # A key file is 68 bytes: never read more than enough to see it is too long.
                data = key_file.read(128)
        except OSError as error:
            raise InvalidRequestError(
                f"cannot read the key file {os.fspath(path)!r}: {error.strerror}",
                code="invalid_signing_key",
            ) from None
        return cls.from_bytes(data)

    @property
    def peer_id(self) -> str:
        """The peer id of this key: the gateway's `boss_peer_id` when it is the Boss's key."""
        return self._peer_id

    def sign_comment(
        self, subject_peer_id: str, *, text: str, language: str, timestamp_unix_ns: int
    ) -> bytes:
        """The 64-byte signature: plain Ed25519 over SHA-256 of the comment's bytes
        (docs/reference/gateway-protocol.md §5.12.5)."""
        unsigned = comment_signing_bytes(
            rater_peer_id=self._peer_id,
            subject_peer_id=subject_peer_id,
            text=text,
            language=language,
            timestamp_unix_ns=timestamp_unix_ns,
        )
        signature: bytes = self._private_key.sign(hashlib.sha256(unsigned).digest())
        return signature

    def __repr__(self) -> str:
        return f"BossSigningKey(peer_id={self._peer_id!r})"
