"""The byte layout of ledger entries: deterministic proto3 of the inner Rating and Comment messages.

docs/reference/gateway-protocol.md §5.12.4 and §5.12.5: an entry's leaf hash and signature cover
these bytes, and a caller-signed comment is the Comment layout with no `prev_hash`. One encoder for
the SDK (which signs comments, agentfm/_comment_signing.py) and the simulator (whose ledger hashes
and signs entries, agentfm/testing/_ledger.py). proto3 rules: fields in ascending order, zero and
empty fields omitted. Pure functions, no dependencies.
"""

from __future__ import annotations

import math
import struct

__all__ = [
    "bytes_field",
    "comment_bytes",
    "double_field",
    "int64_field",
    "rating_bytes",
    "varint",
]

_WIRE_VARINT = 0
_WIRE_FIXED64 = 1
_WIRE_LENGTH_DELIMITED = 2


def varint(value: int) -> bytes:
    # int64 is sent as its 64-bit two's complement, so a negative value takes 10 bytes.
    value &= 0xFFFF_FFFF_FFFF_FFFF
    encoded = bytearray()
    while value >= 0x80:
        encoded.append((value & 0x7F) | 0x80)
        value >>= 7
    encoded.append(value)
    return bytes(encoded)


def _field_key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def bytes_field(number: int, value: bytes) -> bytes:
    if not value:
        return b""
    return _field_key(number, _WIRE_LENGTH_DELIMITED) + varint(len(value)) + value


def int64_field(number: int, value: int) -> bytes:
    if value == 0:
        return b""
    return _field_key(number, _WIRE_VARINT) + varint(value)


def double_field(number: int, value: float) -> bytes:
    # proto3 omits only +0.0: -0.0 has its sign bit set and is sent, as protobuf-go does.
    if value == 0 and math.copysign(1.0, value) > 0:
        return b""
    return _field_key(number, _WIRE_FIXED64) + struct.pack("<d", value)


def rating_bytes(
    rater: bytes,
    subject: bytes,
    dimension: str,
    score: float,
    context: str,
    timestamp_unix_ns: int,
    prev_hash: bytes,
) -> bytes:
    # Rating field table of 5.12.4; field 8 (signature) is never part of what is hashed.
    return b"".join(
        (
            bytes_field(1, rater),
            bytes_field(2, subject),
            bytes_field(3, dimension.encode("utf-8")),
            double_field(4, score),
            bytes_field(5, context.encode("utf-8")),
            int64_field(6, timestamp_unix_ns),
            bytes_field(7, prev_hash),
        )
    )


def comment_bytes(
    rater: bytes,
    subject: bytes,
    text_cid: str,
    language: str,
    attached_rating_hash: bytes,
    timestamp_unix_ns: int,
    prev_hash: bytes,
) -> bytes:
    # Comment field table of 5.12.4. With an empty prev_hash this is exactly the unsigned
    # submission layout a caller signs in 5.12.5.
    return b"".join(
        (
            bytes_field(1, rater),
            bytes_field(2, subject),
            bytes_field(3, bytes.fromhex(text_cid)),
            bytes_field(4, language.encode("utf-8")),
            bytes_field(5, attached_rating_hash),
            int64_field(6, timestamp_unix_ns),
            bytes_field(7, prev_hash),
        )
    )
