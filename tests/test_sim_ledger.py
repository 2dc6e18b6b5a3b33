"""Tests for the simulator ledger: canonical bytes, chaining, proofs, comments, reputation."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from agentfm._identifiers import peer_id_from_ed25519_public_key
from agentfm.merkle import verify_inclusion
from agentfm.testing._ledger import (
    BadSignature,
    EntryNotFound,
    Ledger,
    LedgerEntry,
    LedgerError,
    NonSelfSubmitter,
    canonical_bytes,
)

BOSS_SEED = bytes(range(32))
SUBJECT_SEED = bytes([0x11]) * 32
RATER_A_SEED = bytes([0x22]) * 32
RATER_B_SEED = bytes([0x33]) * 32
START = datetime(2026, 6, 20, 15, 50, 0, 250_000, tzinfo=timezone.utc)


def _public_key(seed: bytes) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_id(seed: bytes) -> bytes:
    # Section 2.1: identity multihash 00 24 around the key envelope 08 01 12 20 <public key>.
    return bytes.fromhex("002408011220") + _public_key(seed)


def _peer_id(seed: bytes) -> str:
    return peer_id_from_ed25519_public_key(_public_key(seed))


def _cidv1_form(seed: bytes) -> str:
    # The same peer written as a CIDv1 (version 1, libp2p-key codec 0x72) in base32 lower.
    encoded = base64.b32encode(b"\x01\x72" + _raw_id(seed)).decode().lower().rstrip("=")
    return "b" + encoded


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _sign(seed: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


def _assert_signed_by(seed: bytes, signature: bytes, message: bytes) -> None:
    Ed25519PublicKey.from_public_bytes(_public_key(seed)).verify(signature, message)


BOSS_ID = _peer_id(BOSS_SEED)
SUBJECT_ID = _peer_id(SUBJECT_SEED)
RATER_A_ID = _peer_id(RATER_A_SEED)
RATER_B_ID = _peer_id(RATER_B_SEED)


class SteppingClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def ledger(clock: SteppingClock) -> Ledger:
    return Ledger(BOSS_SEED, clock=clock)


# --- canonical bytes, entry hash, signature, chaining ------------------------------------------


def test_rating_canonical_bytes_follow_the_field_table(ledger: Ledger) -> None:
    first = ledger.append_rating(
        SUBJECT_ID, dimension="honesty", score=0.5, context="task_1", timestamp_unix_ns=1_000_000
    )
    expected_first = (
        b"\x0a\x26" + _raw_id(BOSS_SEED)  # 1 rater_peer_id
        + b"\x12\x26" + _raw_id(SUBJECT_SEED)  # 2 subject_peer_id
        + b"\x1a\x07honesty"  # 3 dimension
        + b"\x21" + bytes.fromhex("000000000000e03f")  # 4 score: 0.5, fixed64 little-endian
        + b"\x2a\x06task_1"  # 5 context
        + b"\x30\xc0\x84\x3d"  # 6 timestamp: 1_000_000 as a varint
        + b"\x3a\x20" + bytes(32)  # 7 prev_hash: 32 zero bytes for the first entry, still sent
    )  # fmt: skip
    assert canonical_bytes(first) == expected_first
    assert first.entry_hash == _sha256(b"\x00" + expected_first)
    _assert_signed_by(BOSS_SEED, first.signature, _sha256(expected_first))

    second = ledger.append_rating(
        SUBJECT_ID, dimension="", score=0.0, context="", timestamp_unix_ns=300
    )
    expected_second = (
        b"\x0a\x26" + _raw_id(BOSS_SEED)
        + b"\x12\x26" + _raw_id(SUBJECT_SEED)  # empty dimension, zero score, empty context: omitted
        + b"\x30\xac\x02"  # 300 as a varint
        + b"\x3a\x20" + first.entry_hash
    )  # fmt: skip
    assert second.entry_hash == _sha256(b"\x00" + expected_second)

    third = ledger.append_rating(
        SUBJECT_ID, dimension="honesty", score=-0.25, context="é", timestamp_unix_ns=1
    )
    expected_third = (
        b"\x0a\x26" + _raw_id(BOSS_SEED)
        + b"\x12\x26" + _raw_id(SUBJECT_SEED)
        + b"\x1a\x07honesty"
        + b"\x21" + bytes.fromhex("000000000000d0bf")  # -0.25
        + b"\x2a\x02\xc3\xa9"  # strings are UTF-8
        + b"\x30\x01"
        + b"\x3a\x20" + second.entry_hash
    )  # fmt: skip
    assert third.entry_hash == _sha256(b"\x00" + expected_third)

    # proto3 as protobuf-go writes it omits only +0.0: -0.0 has its sign bit set and is sent.
    fourth = ledger.append_rating(
        SUBJECT_ID,
        dimension="",
        score=-0.0,
        context="",
        timestamp_unix_ns=1_781_970_600_250_000_000,
    )
    expected_fourth = (
        b"\x0a\x26" + _raw_id(BOSS_SEED)
        + b"\x12\x26" + _raw_id(SUBJECT_SEED)
        + b"\x21" + bytes.fromhex("0000000000000080")  # -0.0
        + b"\x30" + bytes.fromhex("8085dda09d9ab5dd18")  # a present-day timestamp: 9-byte varint
        + b"\x3a\x20" + third.entry_hash
    )  # fmt: skip
    assert fourth.entry_hash == _sha256(b"\x00" + expected_fourth)


def test_comment_canonical_bytes_follow_the_field_table(ledger: Ledger) -> None:
    attached = bytes([0xAB]) * 32
    entry = ledger.append_comment(
        SUBJECT_ID,
        text="hi",
        language="en",
        attached_rating_hash=attached,
        timestamp_unix_ns=1_000_000,
    )
    text_digest = _sha256(b"hi")
    expected = (
        b"\x0a\x26" + _raw_id(BOSS_SEED)
        + b"\x12\x26" + _raw_id(SUBJECT_SEED)
        + b"\x1a\x22\x12\x20" + text_digest  # 3 text_cid: the 34-byte multihash
        + b"\x22\x02en"  # 4 language
        + b"\x2a\x20" + attached  # 5 attached_rating
        + b"\x30\xc0\x84\x3d"  # 6 timestamp
        + b"\x3a\x20" + bytes(32)  # 7 prev_hash
    )  # fmt: skip
    assert canonical_bytes(entry) == expected
    assert entry.entry_hash == _sha256(b"\x00" + expected)
    assert entry.text_cid == "1220" + text_digest.hex()
    _assert_signed_by(BOSS_SEED, entry.signature, _sha256(expected))


def test_default_timestamp_is_the_clock_in_nanoseconds(
    ledger: Ledger, clock: SteppingClock
) -> None:
    entry = ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.1, context="x")
    assert entry.timestamp_unix_ns == 1_781_970_600_250_000_000
    assert entry.received_at == clock.now


def test_prev_hash_chains_each_raters_log_separately(ledger: Ledger) -> None:
    own_1 = ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.1, context="t1")
    inbox_a1 = ledger.receive_rating(
        RATER_A_SEED, SUBJECT_ID, dimension="honesty", score=0.2, context="t2"
    )
    own_2 = ledger.append_comment(SUBJECT_ID, text="fine", language="en")
    inbox_b1 = ledger.receive_comment(RATER_B_SEED, SUBJECT_ID, text="meh", language="")
    inbox_a2 = ledger.receive_comment(RATER_A_SEED, SUBJECT_ID, text="ok", language="en")
    own_3 = ledger.append_rating(SUBJECT_ID, dimension="honesty", score=-0.1, context="t3")

    assert own_1.prev_hash == bytes(32)
    assert own_2.prev_hash == own_1.entry_hash
    assert own_3.prev_hash == own_2.entry_hash
    assert inbox_a1.prev_hash == bytes(32)
    assert inbox_a2.prev_hash == inbox_a1.entry_hash
    assert inbox_b1.prev_hash == bytes(32)

    assert inbox_a1.rater_peer_id == RATER_A_ID
    assert not inbox_a1.in_own_log
    assert own_1.in_own_log
    for entry in (inbox_a1, inbox_a2):
        _assert_signed_by(RATER_A_SEED, entry.signature, _sha256(canonical_bytes(entry)))
    assert ledger.tree_size == 3


# --- proofs and the signed head ----------------------------------------------------------------


def test_empty_log_head(ledger: Ledger) -> None:
    size, root, signed_at = ledger.signed_head()
    assert (size, root) == (0, _sha256(b""))
    assert signed_at == START.replace(microsecond=0)
    assert ledger.verify_head_signature()


def test_every_own_entry_proves_against_the_signed_head_for_many_sizes(
    ledger: Ledger, clock: SteppingClock
) -> None:
    own: list[LedgerEntry] = []
    for size in range(1, 70):
        clock.advance(1.5)
        own.append(
            ledger.append_rating(
                SUBJECT_ID, dimension="honesty", score=0.01, context=f"task_{size}"
            )
        )
        tree_size, root, signed_at = ledger.signed_head()
        assert tree_size == size == ledger.tree_size
        assert signed_at == clock.now.replace(microsecond=0)
        assert ledger.verify_head_signature()
        for position, entry in enumerate(own):
            proof = ledger.prove(entry.entry_hash)
            assert proof.position == position
            assert (proof.tree_size, proof.root_hash, proof.signed_at) == (size, root, signed_at)
            assert proof.witness_count == 0
            assert verify_inclusion(entry.entry_hash, position, size, proof.audit_path, root)


def test_inbox_and_unknown_entries_are_not_provable(ledger: Ledger) -> None:
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.3, context="t")
    inbox = ledger.receive_rating(
        RATER_A_SEED, SUBJECT_ID, dimension="honesty", score=0.3, context="t"
    )
    for entry_hash in (inbox.entry_hash, bytes(32)):
        with pytest.raises(EntryNotFound, match=r"^ledger: entry not in local log"):
            ledger.prove(entry_hash)


def test_signed_at_is_utc_whole_seconds() -> None:
    local = timezone(timedelta(hours=2))
    clock = SteppingClock(datetime(2026, 6, 20, 17, 50, 1, 999_999, tzinfo=local))
    ledger = Ledger(BOSS_SEED, clock=clock)
    entry = ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.2, context="t")
    signed_at = ledger.prove(entry.entry_hash).signed_at
    assert signed_at == datetime(2026, 6, 20, 15, 50, 1, tzinfo=timezone.utc)
    assert signed_at.utcoffset() == timedelta(0)
    assert entry.received_at == clock.now  # the entry keeps the clock's own zone and precision


# --- caller-signed comments (5.12.5) -----------------------------------------------------------

TS_VARINT = {1_000_000: b"\xc0\x84\x3d", 1_000_001: b"\xc1\x84\x3d"}


def _submission_layout(
    rater_seed: bytes, text: str, language: str, attached: bytes | None, timestamp: int
) -> bytes:
    layout = (
        b"\x0a\x26" + _raw_id(rater_seed)
        + b"\x12\x26" + _raw_id(SUBJECT_SEED)
        + b"\x1a\x22\x12\x20" + _sha256(text.encode("utf-8"))
    )  # fmt: skip
    if language:
        layout += b"\x22" + bytes([len(language)]) + language.encode()
    if attached is not None:
        layout += b"\x2a\x20" + attached
    return layout + b"\x30" + TS_VARINT[timestamp]


@pytest.mark.parametrize(
    ("language", "attached"),
    [("en", bytes([0x5A]) * 32), ("", None), ("de", None), ("", bytes(range(32)))],
)
def test_caller_signed_comment_is_accepted_and_resigned(
    ledger: Ledger, language: str, attached: bytes | None
) -> None:
    earlier = ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.2, context="t")
    layout = _submission_layout(BOSS_SEED, "great work", language, attached, 1_000_000)
    caller_signature = _sign(BOSS_SEED, _sha256(layout))

    entry = ledger.submit_signed_comment(
        SUBJECT_ID,
        rater_peer_id=BOSS_ID,
        text="great work",
        signature=caller_signature,
        timestamp_unix_ns=1_000_000,
        language=language,
        attached_rating_hash=attached,
    )

    # Stored = the submitted message plus prev_hash, signed again by the Boss.
    stored = layout + b"\x3a\x20" + earlier.entry_hash
    assert entry.entry_hash == _sha256(b"\x00" + stored)
    _assert_signed_by(BOSS_SEED, entry.signature, _sha256(stored))
    assert entry.signature != caller_signature
    assert (entry.kind, entry.rater_peer_id, entry.in_own_log) == ("Comment", BOSS_ID, True)
    assert (entry.timestamp_unix_ns, entry.language) == (1_000_000, language)
    assert ledger.tree_size == 2
    assert ledger.prove(entry.entry_hash).position == 1
    assert ledger.comment_body(entry.text_cid) == "great work"


def test_caller_signed_comment_accepts_any_text_form_of_the_boss_id(ledger: Ledger) -> None:
    layout = _submission_layout(BOSS_SEED, "hello", "", None, 1_000_000)
    entry = ledger.submit_signed_comment(
        _cidv1_form(SUBJECT_SEED),
        rater_peer_id=_cidv1_form(BOSS_SEED),
        text="hello",
        signature=_sign(BOSS_SEED, _sha256(layout)),
        timestamp_unix_ns=1_000_000,
        language="",
        attached_rating_hash=None,
    )
    assert (entry.rater_peer_id, entry.subject_peer_id) == (BOSS_ID, SUBJECT_ID)


@pytest.mark.parametrize(
    ("signer", "signed_text", "signed_timestamp", "reason"),
    [
        (RATER_A_SEED, "great work", 1_000_000, "wrong key"),
        (BOSS_SEED, "great wörk", 1_000_000, "changed text"),
        (BOSS_SEED, "great work", 1_000_001, "changed timestamp"),
    ],
)
def test_caller_signed_comment_with_a_bad_signature_is_refused(
    ledger: Ledger, signer: bytes, signed_text: str, signed_timestamp: int, reason: str
) -> None:
    layout = _submission_layout(BOSS_SEED, signed_text, "en", None, signed_timestamp)
    with pytest.raises(BadSignature, match="signature mismatch"):
        ledger.submit_signed_comment(
            SUBJECT_ID,
            rater_peer_id=BOSS_ID,
            text="great work",
            signature=_sign(signer, _sha256(layout)),
            timestamp_unix_ns=1_000_000,
            language="en",
            attached_rating_hash=None,
        )
    assert ledger.tree_size == 0, reason
    assert ledger.entries_about(SUBJECT_ID) == []
    # The real Boss stores the body before verifying the signature.
    cid = "1220" + _sha256(b"great work").hex()
    assert ledger.comment_body(cid) == "great work"


def test_caller_signed_comment_with_a_truncated_signature_is_refused(ledger: Ledger) -> None:
    layout = _submission_layout(BOSS_SEED, "x", "", None, 1_000_000)
    with pytest.raises(BadSignature, match="decode signature"):
        ledger.submit_signed_comment(
            SUBJECT_ID,
            rater_peer_id=BOSS_ID,
            text="x",
            signature=_sign(BOSS_SEED, _sha256(layout))[:63],
            timestamp_unix_ns=1_000_000,
            language="",
            attached_rating_hash=None,
        )
    assert ledger.tree_size == 0


def test_caller_signed_comment_from_another_rater_is_non_self(ledger: Ledger) -> None:
    layout = _submission_layout(RATER_A_SEED, "great work", "", None, 1_000_000)
    with pytest.raises(NonSelfSubmitter):
        ledger.submit_signed_comment(
            SUBJECT_ID,
            rater_peer_id=RATER_A_ID,
            text="great work",
            signature=_sign(RATER_A_SEED, _sha256(layout)),
            timestamp_unix_ns=1_000_000,
            language="",
            attached_rating_hash=None,
        )
    assert ledger.tree_size == 0
    assert ledger.comment_body("1220" + _sha256(b"great work").hex()) is None


# --- comment bodies and reads ------------------------------------------------------------------


def test_comment_body_round_trips_by_cid_in_either_hex_case(ledger: Ledger) -> None:
    own = ledger.append_comment(SUBJECT_ID, text="héllo wörld\n", language="fr")
    inbox = ledger.receive_comment(RATER_A_SEED, SUBJECT_ID, text="from afar", language="")
    assert own.text_cid == "1220" + _sha256("héllo wörld\n".encode()).hex()
    assert ledger.comment_body(own.text_cid) == "héllo wörld\n"
    assert ledger.comment_body(own.text_cid.upper()) == "héllo wörld\n"
    assert ledger.comment_body(inbox.text_cid) == "from afar"
    assert ledger.comment_body("1220" + _sha256(b"never stored").hex()) is None
    assert ledger.comment_body("not a cid") is None


def test_entries_about_are_newest_first_and_match_any_id_form(
    ledger: Ledger, clock: SteppingClock
) -> None:
    other_subject = _peer_id(bytes([0x44]) * 32)
    first = ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.1, context="a")
    clock.advance(5)
    second = ledger.receive_comment(RATER_A_SEED, _cidv1_form(SUBJECT_SEED), text="b", language="")
    ledger.append_rating(other_subject, dimension="honesty", score=0.1, context="c")
    third = ledger.append_comment(SUBJECT_ID, text="same instant", language="en")

    assert ledger.entries_about(SUBJECT_ID) == [third, second, first]
    assert ledger.entries_about(_cidv1_form(SUBJECT_SEED)) == [third, second, first]
    assert second.subject_peer_id == SUBJECT_ID
    assert ledger.subjects() == {SUBJECT_ID, other_subject}
    assert ledger.entries_about(RATER_B_ID) == []
    assert ledger.entries_about("garbage") == []


# --- reputation --------------------------------------------------------------------------------


def test_unknown_peers_score_zero_and_boss_ratings_move_scores(ledger: Ledger) -> None:
    assert ledger.honesty_score(SUBJECT_ID) == 0.0
    assert not ledger.is_equivocator(SUBJECT_ID)
    ledger.set_base_reputation(SUBJECT_ID, honesty_score=0.3)
    assert ledger.honesty_score(SUBJECT_ID) == pytest.approx(0.3)
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.2, context="t")
    assert ledger.honesty_score(SUBJECT_ID) == pytest.approx(0.5)
    ledger.append_rating(SUBJECT_ID, dimension="outcome", score=0.1, context="hourly")
    assert ledger.honesty_score(SUBJECT_ID) == pytest.approx(0.6)
    # Comments alone never move a score.
    ledger.append_comment(SUBJECT_ID, text="nice", language="en")
    assert ledger.honesty_score(SUBJECT_ID) == pytest.approx(0.6)


def test_scores_stay_within_minus_one_and_one(ledger: Ledger) -> None:
    ledger.set_base_reputation(SUBJECT_ID, honesty_score=0.9)
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.5, context="t")
    assert ledger.honesty_score(SUBJECT_ID) == 1.0
    # The gateway does not validate feedback ratings (section 11 item 12); the score still clamps.
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=-5.0, context="t")
    assert ledger.honesty_score(SUBJECT_ID) == -1.0
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        ledger.set_base_reputation(SUBJECT_ID, honesty_score=1.5)


def test_equivocators_score_exactly_minus_one(ledger: Ledger) -> None:
    ledger.set_base_reputation(SUBJECT_ID, honesty_score=0.8, is_equivocator=True)
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.5, context="t")
    assert ledger.is_equivocator(SUBJECT_ID)
    assert ledger.honesty_score(SUBJECT_ID) == -1.0
    ledger.set_base_reputation(SUBJECT_ID, honesty_score=0.8)
    assert not ledger.is_equivocator(SUBJECT_ID)
    assert ledger.honesty_score(SUBJECT_ID) == 1.0


def test_only_trusted_raters_move_scores(ledger: Ledger) -> None:
    ledger.set_base_reputation(RATER_B_ID, honesty_score=0.5)
    ledger.receive_rating(RATER_A_SEED, SUBJECT_ID, dimension="honesty", score=-0.9, context="t")
    assert ledger.honesty_score(SUBJECT_ID) == 0.0  # rater A is unknown: base 0 < 0.1
    ledger.receive_rating(RATER_B_SEED, SUBJECT_ID, dimension="honesty", score=-0.25, context="t")
    assert ledger.honesty_score(SUBJECT_ID) == pytest.approx(-0.25)
    # An equivocating rater stops counting even with a high base.
    ledger.set_base_reputation(RATER_B_ID, honesty_score=0.5, is_equivocator=True)
    assert ledger.honesty_score(SUBJECT_ID) == 0.0


def test_rater_summary_counts_distinct_raters_by_their_honesty(ledger: Ledger) -> None:
    assert ledger.rater_summary(SUBJECT_ID) == (0, 0)
    ledger.set_base_reputation(RATER_B_ID, honesty_score=0.1)
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.2, context="t")  # Boss: 1.0
    ledger.append_comment(SUBJECT_ID, text="again", language="en")  # Boss again
    ledger.receive_rating(RATER_A_SEED, SUBJECT_ID, dimension="honesty", score=0.2, context="t")
    ledger.receive_comment(RATER_A_SEED, SUBJECT_ID, text="twice", language="")
    ledger.receive_comment(RATER_B_SEED, SUBJECT_ID, text="exactly 0.1", language="")
    assert ledger.rater_summary(SUBJECT_ID) == (2, 1)
    assert ledger.is_verified_rater(BOSS_ID)
    assert ledger.is_verified_rater(RATER_B_ID)
    assert not ledger.is_verified_rater(RATER_A_ID)
    # Ratings about a rater raise its own score, and with it its status.
    ledger.append_rating(RATER_A_ID, dimension="honesty", score=0.3, context="t")
    assert ledger.rater_summary(SUBJECT_ID) == (3, 0)


def test_reputation_last_updated_is_the_newest_rating(ledger: Ledger, clock: SteppingClock) -> None:
    ledger.append_comment(SUBJECT_ID, text="comment only", language="en")
    assert ledger.reputation_last_updated(SUBJECT_ID) is None
    rated_at = clock.advance(10)
    ledger.receive_rating(RATER_A_SEED, SUBJECT_ID, dimension="speed", score=0.2, context="t")
    clock.advance(10)
    ledger.append_comment(SUBJECT_ID, text="later comment", language="en")
    assert ledger.reputation_last_updated(SUBJECT_ID) == rated_at
    rated_again_at = clock.advance(10)
    ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.1, context="t")
    assert ledger.reputation_last_updated(SUBJECT_ID) == rated_again_at


# --- persistence, determinism, threads, argument checks ----------------------------------------


def _fill(ledger: Ledger, clock: SteppingClock) -> list[LedgerEntry]:
    entries = [ledger.append_rating(SUBJECT_ID, dimension="honesty", score=0.25, context="t1")]
    clock.advance(1.25)
    entries.append(
        ledger.receive_rating(RATER_A_SEED, SUBJECT_ID, dimension="honesty", score=-0.0, context="")
    )
    entries.append(
        ledger.append_comment(
            SUBJECT_ID, text="ünïcode", language="de", attached_rating_hash=entries[0].entry_hash
        )
    )
    clock.advance(2)
    entries.append(ledger.receive_comment(RATER_B_SEED, RATER_A_ID, text="inbox", language=""))
    layout = _submission_layout(BOSS_SEED, "signed", "", None, 1_000_000)
    entries.append(
        ledger.submit_signed_comment(
            SUBJECT_ID,
            rater_peer_id=BOSS_ID,
            text="signed",
            signature=_sign(BOSS_SEED, _sha256(layout)),
            timestamp_unix_ns=1_000_000,
            language="",
            attached_rating_hash=None,
        )
    )
    return entries


def test_persistence_round_trip(tmp_path: Path, clock: SteppingClock) -> None:
    path = tmp_path / "state" / "ledger.jsonl"
    first = Ledger(BOSS_SEED, path=path, clock=clock)
    entries = _fill(first, clock)
    with pytest.raises(BadSignature):
        first.submit_signed_comment(
            SUBJECT_ID,
            rater_peer_id=BOSS_ID,
            text="body kept",
            signature=bytes(64),
            timestamp_unix_ns=5,
            language="",
            attached_rating_hash=None,
        )
    clock.advance(3600)

    reopened = Ledger(BOSS_SEED, path=path, clock=clock)
    assert reopened.tree_size == first.tree_size == 3
    assert reopened.signed_head() == first.signed_head()
    assert reopened.verify_head_signature()
    assert reopened.entries_about(SUBJECT_ID) == first.entries_about(SUBJECT_ID)
    assert reopened.entries_about(RATER_A_ID) == [entries[3]]
    assert reopened.subjects() == {SUBJECT_ID, RATER_A_ID}
    for entry in entries:
        if entry.in_own_log:
            assert reopened.prove(entry.entry_hash) == first.prove(entry.entry_hash)
    for text in ("ünïcode", "inbox", "signed", "body kept"):
        assert reopened.comment_body("1220" + _sha256(text.encode()).hex()) == text

    # Both chains continue where the file left off.
    appended = reopened.append_rating(SUBJECT_ID, dimension="honesty", score=0.1, context="t3")
    assert appended.prev_hash == entries[4].entry_hash
    received = reopened.receive_rating(RATER_A_SEED, SUBJECT_ID, dimension="x", score=1, context="")
    assert received.prev_hash == entries[1].entry_hash
    assert Ledger(BOSS_SEED, path=path, clock=clock).tree_size == 4


def test_persisted_log_of_another_boss_is_refused(tmp_path: Path, clock: SteppingClock) -> None:
    path = tmp_path / "ledger.jsonl"
    _fill(Ledger(BOSS_SEED, path=path, clock=clock), clock)
    with pytest.raises(LedgerError, match="not signed by this Boss"):
        Ledger(RATER_A_SEED, path=path, clock=clock)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("score", 0.75),
        ("entry_hash", "ab" * 32),
        ("signature", "00" * 64),
        ("prev_hash", "11" * 32),
    ],
)
def test_tampered_persisted_entry_is_refused(
    tmp_path: Path, clock: SteppingClock, key: str, value: object
) -> None:
    path = tmp_path / "ledger.jsonl"
    _fill(Ledger(BOSS_SEED, path=path, clock=clock), clock)
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    assert record["record"] == "entry"
    record[key] = value
    lines[0] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="line 1"):
        Ledger(BOSS_SEED, path=path, clock=clock)


def test_persisted_log_with_a_removed_entry_is_refused(
    tmp_path: Path, clock: SteppingClock
) -> None:
    path = tmp_path / "ledger.jsonl"
    _fill(Ledger(BOSS_SEED, path=path, clock=clock), clock)
    lines = path.read_text(encoding="utf-8").splitlines()
    # Every remaining entry is intact and validly signed, but the own chain now has a gap.
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="does not chain"):
        Ledger(BOSS_SEED, path=path, clock=clock)


def test_same_seed_clock_and_calls_give_the_same_ledger() -> None:
    clock_1, clock_2 = SteppingClock(), SteppingClock()
    ledger_1, ledger_2 = Ledger(BOSS_SEED, clock=clock_1), Ledger(BOSS_SEED, clock=clock_2)
    assert _fill(ledger_1, clock_1) == _fill(ledger_2, clock_2)
    assert ledger_1.signed_head() == ledger_2.signed_head()


def test_concurrent_appends_keep_one_consistent_chain(tmp_path: Path, clock: SteppingClock) -> None:
    # Persisting does file I/O inside each append, which lets the threads interleave.
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger(BOSS_SEED, path=path, clock=clock)
    results: list[LedgerEntry] = []
    results_lock = threading.Lock()

    def append_many(worker: int) -> None:
        for index in range(25):
            entry = ledger.append_rating(
                SUBJECT_ID, dimension="honesty", score=0.001, context=f"w{worker}-{index}"
            )
            with results_lock:
                results.append(entry)

    threads = [threading.Thread(target=append_many, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ledger.tree_size == len(results) == 100
    by_position = sorted(results, key=lambda entry: ledger.prove(entry.entry_hash).position)
    previous = bytes(32)
    for entry in by_position:
        assert entry.prev_hash == previous
        previous = entry.entry_hash
    assert Ledger(BOSS_SEED, path=path, clock=clock).signed_head() == ledger.signed_head()


def test_invalid_arguments_are_value_errors(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="peer id"):
        ledger.append_rating("not-a-peer", dimension="honesty", score=0.1, context="t")
    with pytest.raises(ValueError, match="finite"):
        ledger.append_rating(SUBJECT_ID, dimension="honesty", score=float("nan"), context="t")
    with pytest.raises(ValueError, match="own log"):
        ledger.receive_rating(BOSS_SEED, SUBJECT_ID, dimension="honesty", score=0.1, context="t")
    with pytest.raises(ValueError, match="32 bytes"):
        ledger.append_comment(SUBJECT_ID, text="x", language="", attached_rating_hash=b"\x01")
    with pytest.raises(ValueError, match="32 bytes"):
        Ledger(b"short")
    with pytest.raises(ValueError, match="aware"):
        Ledger(BOSS_SEED, clock=lambda: datetime(2026, 1, 1))
    assert ledger.tree_size == 0
