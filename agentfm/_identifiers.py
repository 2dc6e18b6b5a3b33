"""The gateway's identifiers (docs/reference/gateway-protocol.md §2.1): peer ids, comment CIDs, task
ids, key files.

Used by the facade (to recognise a peer id before sending it anywhere) and by the simulator (to
mint the ids of its workers and of its own Boss identity). Pure functions, no I/O.

A libp2p peer id is a multihash of the peer's public key, written in one of three text forms:

* base58btc of the multihash: ``12D3KooW...`` (Ed25519, identity multihash, 52 chars) or
  ``Qm...`` (RSA and other long keys, sha2-256 multihash, 46 chars);
* a CIDv1 with the ``libp2p-key`` codec (0x72) in a multibase, usually base32 lower
  (``bafz...``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

__all__ = [
    "ED25519_PEER_ID_PATTERN",
    "IDENTITY_KEY_FILE_NAME",
    "TASK_ID_PATTERN",
    "checked_libp2p_peer_id",
    "comment_cid_for_text",
    "decode_peer_id",
    "encode_base58btc",
    "is_comment_cid",
    "is_peer_id",
    "is_task_id",
    "marshal_libp2p_ed25519_private_key",
    "new_task_id",
    "peer_id_from_ed25519_public_key",
    "split_libp2p_ed25519_private_key",
]

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {character: index for index, character in enumerate(_BASE58_ALPHABET)}

ED25519_PEER_ID_PATTERN = re.compile(r"^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$")

# Multihash function codes a peer id may use: identity (inlined key of <= 42 bytes) and sha2-256.
_MULTIHASH_IDENTITY = 0x00
_MULTIHASH_SHA2_256 = 0x12
_CID_CODEC_LIBP2P_KEY = 0x72
# Keys in libp2p's protobuf envelope: field 1 (key type) varint, field 2 (key bytes).
_ED25519_KEY_TYPE = 1


def encode_base58btc(data: bytes) -> str:
    """Bitcoin-alphabet base58, leading zero bytes kept as ``1`` characters."""
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, remainder = divmod(number, 58)
        encoded = _BASE58_ALPHABET[remainder] + encoded
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * leading_zeros + encoded


def _decode_base58btc(text: str) -> bytes | None:
    number = 0
    for character in text:
        digit = _BASE58_INDEX.get(character)
        if digit is None:
            return None
        number = number * 58 + digit
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * leading_ones + body


def _read_varint(data: bytes, offset: int) -> tuple[int, int] | None:
    value = 0
    shift = 0
    while offset < len(data) and shift <= 63:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, offset
        shift += 7
    return None


def _valid_multihash(data: bytes) -> bool:
    header = _read_varint(data, 0)
    if header is None:
        return False
    code, offset = header
    length_field = _read_varint(data, offset)
    if length_field is None:
        return False
    length, offset = length_field
    if len(data) - offset != length:
        return False
    if code == _MULTIHASH_IDENTITY:
        return 0 < length <= 42
    return code == _MULTIHASH_SHA2_256 and length == 32


def _decode_cidv1(text: str) -> bytes | None:
    # Multibase prefix 'b' = base32 lower without padding, the form libp2p prints.
    if not text.startswith("b"):
        return None
    body = text[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return None
    version = _read_varint(raw, 0)
    if version is None or version[0] != 1:
        return None
    codec = _read_varint(raw, version[1])
    if codec is None or codec[0] != _CID_CODEC_LIBP2P_KEY:
        return None
    return raw[codec[1] :]


def decode_peer_id(text: str) -> bytes | None:
    """The raw multihash bytes of a peer id in any libp2p text form, or None when invalid."""
    if not text or text != text.strip():
        return None
    raw = _decode_base58btc(text) if text[0] in "1Q" else _decode_cidv1(text)
    if raw is None or not _valid_multihash(raw):
        return None
    return raw


def is_peer_id(text: str) -> bool:
    """True for any valid libp2p peer id: ``12D3KooW...``, ``Qm...`` or a CIDv1 ``bafz...``."""
    return decode_peer_id(text) is not None


def checked_libp2p_peer_id(value: object) -> str:
    """`value` when it is a libp2p peer id (any text form), else `InvalidPeerIdError`.

    For where a real id is needed: the `/v1/peers/{id}` routes decode the id (400 `bad_peer_id`
    otherwise), and the CLI's `--peer` flag promises one. The task routes take any non-empty
    string instead (`agentfm.models.PeerID`): the gateway compares those as strings.
    """
    if not isinstance(value, str) or not is_peer_id(value):
        from agentfm.exceptions import InvalidPeerIdError

        raise InvalidPeerIdError(
            f"{value!r} is not a libp2p peer id (e.g. 12D3KooW...)", code="invalid_peer_id"
        )
    return value


def peer_id_from_ed25519_public_key(public_key: bytes) -> str:
    """The ``12D3KooW...`` id of an Ed25519 key: identity multihash of its protobuf envelope."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    envelope = bytes([0x08, _ED25519_KEY_TYPE, 0x12, 0x20]) + public_key
    return encode_base58btc(bytes([_MULTIHASH_IDENTITY, len(envelope)]) + envelope)


# The Boss's identity key file (docs/reference/gateway-protocol.md §1.1): libp2p's marshalled
# PrivateKey protobuf, field 1 (key type) = 1 (Ed25519), field 2 = 64 bytes (32-byte seed, then the
# 32-byte public key).
IDENTITY_KEY_FILE_NAME = ".agentfm_api_identity.key"
_LIBP2P_ED25519_PRIVATE_KEY_HEADER = bytes([0x08, _ED25519_KEY_TYPE, 0x12, 0x40])


def split_libp2p_ed25519_private_key(data: bytes) -> tuple[bytes, bytes] | None:
    """(seed, public key) of a libp2p-marshalled Ed25519 private key, or None if it is not one."""
    header = _LIBP2P_ED25519_PRIVATE_KEY_HEADER
    if len(data) != len(header) + 64 or not data.startswith(header):
        return None
    return data[4:36], data[36:]


def marshal_libp2p_ed25519_private_key(seed: bytes, public_key: bytes) -> bytes:
    """The identity key file's bytes for an Ed25519 key."""
    if len(seed) != 32 or len(public_key) != 32:
        raise ValueError("an Ed25519 seed and public key are 32 bytes each")
    return _LIBP2P_ED25519_PRIVATE_KEY_HEADER + seed + public_key


def comment_cid_for_text(text: str) -> str:
    """The CID the gateway gives a comment body: hex of the multihash ``12 20 sha256(text)``."""
    return "1220" + hashlib.sha256(text.encode("utf-8")).hexdigest()


_COMMENT_CID_PATTERN = re.compile(r"1220[0-9a-fA-F]{64}")


def is_comment_cid(text: str) -> bool:
    """True when ``text`` is a comment CID the gateway's parser accepts (either hex case)."""
    return _COMMENT_CID_PATTERN.fullmatch(text) is not None


# What the gateway accepts as a task id (`task_id` on /api/execute; artifact and webhook names).
# Matched whole (fullmatch): Python's `$` would also accept a trailing newline, Go's does not.
TASK_ID_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")


def is_task_id(text: str) -> bool:
    """True when `text` is a task id the gateway accepts (1-128 of [A-Za-z0-9_.-])."""
    return isinstance(text, str) and TASK_ID_PATTERN.fullmatch(text) is not None


def new_task_id() -> str:
    """A fresh task id in the gateway's own format: `task_` + 24 lowercase hex (12 random bytes)."""
    return f"task_{secrets.token_hex(12)}"
