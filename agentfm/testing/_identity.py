"""The Boss identity key file: `./.agentfm_api_identity.key` in the working directory
(docs/reference/gateway-protocol.md §1.1, §6).

A libp2p-marshalled Ed25519 private key: bytes `08 01 12 40`, the 32-byte seed, the 32-byte
public key. Created with mode 0600 on first run and reused afterwards, so the Boss peer id is
stable per working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from agentfm._identifiers import (
    IDENTITY_KEY_FILE_NAME,
    marshal_libp2p_ed25519_private_key,
    split_libp2p_ed25519_private_key,
)

__all__ = ["IDENTITY_KEY_FILE_NAME", "IdentityError", "load_or_create_identity"]


class IdentityError(ValueError):
    """The identity file exists but is not a libp2p Ed25519 private key."""


def _public_key(seed: bytes) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_or_create_identity(workdir: Path) -> bytes:
    """The Boss's 32-byte Ed25519 seed, read from (or first written to) `workdir`."""
    path = workdir / IDENTITY_KEY_FILE_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _create(path)
    key = split_libp2p_ed25519_private_key(data)
    if key is None:
        raise IdentityError(f"{path}: not a libp2p Ed25519 private key")
    seed, public = key
    if _public_key(seed) != public:
        raise IdentityError(f"{path}: public key does not match the private key")
    return seed


def _create(path: Path) -> bytes:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    data = marshal_libp2p_ed25519_private_key(seed, _public_key(seed))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process created it first: use theirs.
        return load_or_create_identity(path.parent)
    with os.fdopen(descriptor, "wb") as key_file:
        key_file.write(data)
    return seed
