"""The simulator's ledger: the Boss's signed own log, its inbox, comment bodies and reputation.

Pure Python, no HTTP. The simulator's `/v1/peers/*` routes
(docs/reference/gateway-protocol.md §5.12), its trust gate (docs/reference/gateway-protocol.md §7),
`/api/workers?include_offline=true` (docs/reference/gateway-protocol.md §5.3) and `/v1/about`
`ledger_tree_size` (docs/reference/gateway-protocol.md §5.7) all read and write through `Ledger`.

What is stored, and how (docs/reference/gateway-protocol.md §5.12.4):

* The **own log**: Ratings and Comments the Boss signed, each chained to the previous one by
  `prev_hash` (the previous entry's leaf hash, 32 zero bytes for the first) and committed to by an
  RFC 6962 tree whose head the Boss signs. Only these entries are provable.
* The **inbox**: entries other peers signed about someone. Each rater has its own chain, so an
  inbox entry's `entry_hash` is its leaf hash in the *rater's* log, never provable here.
* Comment bodies, keyed by CID (`1220` + SHA-256 hex of the UTF-8 text,
  docs/reference/gateway-protocol.md §2.1).

Peer ids are normalised to the base58 form Go prints (`peer.ID.String()`), so a subject given as
a CIDv1 `bafz...` id and as `12D3KooW...` is the same peer; the HTTP side echoes the path string
itself where the wire wants that.

Reputation is a stand-in for EigenTrust (see `Ledger.honesty_score`).

Persistence (optional `path`): JSON lines, one record per comment body or entry, appended as they
happen. Loading replays the file and re-verifies every hash, chain link and signature, so a file
written under a different Boss key, or edited by hand, is refused with `LedgerError`.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from agentfm._identifiers import (
    comment_cid_for_text,
    decode_peer_id,
    encode_base58btc,
    is_comment_cid,
    peer_id_from_ed25519_public_key,
)
from agentfm._ledger_encoding import bytes_field, comment_bytes, int64_field, rating_bytes
from agentfm.merkle import audit_path, leaf_hash, root_hash

__all__ = [
    "BOSS_BASE_HONESTY",
    "VERIFIED_RATER_THRESHOLD",
    "BadSignature",
    "EntryNotFound",
    "InclusionProof",
    "Kind",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "NonSelfSubmitter",
    "canonical_bytes",
]

Kind = Literal["Rating", "Comment"]

# A rater whose honesty score reaches this is "verified"
# (docs/reference/gateway-protocol.md §5.12.1 and §5.12.3).
VERIFIED_RATER_THRESHOLD = 0.1
# The Boss's own base honesty unless configured: EigenTrust pre-trusts the local peer, and this
# makes the Boss's own entries show as `verified` raters and its ratings count (see honesty_score).
BOSS_BASE_HONESTY = 1.0

_ZERO_HASH = bytes(32)
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The prefix 5.12.4 requires of a proof's "not found" error.
_NOT_IN_LOCAL_LOG = "ledger: entry not in local log"


@dataclass(frozen=True)
class LedgerEntry:
    """One Rating or Comment, from the own log (`in_own_log`) or the inbox."""

    kind: Kind
    entry_hash: bytes  # 32-byte RFC 6962 leaf hash in the RATER's log
    rater_peer_id: str  # base58 form
    subject_peer_id: str  # base58 form
    received_at: datetime  # aware; insertion time (own log) or receipt time (inbox)
    timestamp_unix_ns: int
    dimension: str = ""  # Rating only, e.g. "honesty"
    score: float = 0.0  # Rating only
    context: str = ""  # Rating only: task id, "interactive", ...
    text_cid: str = ""  # Comment only: 68 lowercase hex
    language: str = ""  # Comment only
    in_own_log: bool = True
    # Not on the wire (5.12.3 hides them) but part of the signed entry; kept for verification.
    prev_hash: bytes = _ZERO_HASH
    signature: bytes = b""  # Ed25519 over SHA-256(canonical bytes), by the rater
    attached_rating_hash: bytes = b""  # Comment only: 32 bytes or empty


@dataclass(frozen=True)
class InclusionProof:
    """What `GET /v1/peers/{id}/proof` reports (docs/reference/gateway-protocol.md §5.12.4)."""

    entry_hash: bytes
    position: int  # 0-based
    audit_path: list[bytes]  # bottom-up siblings
    tree_size: int
    root_hash: bytes
    signed_at: datetime  # aware UTC, whole seconds
    witness_count: int = 0  # always 0: the real Boss never attaches witness signatures


class LedgerError(Exception):
    """The ledger refused or failed an operation (the HTTP side answers 500 unless mapped)."""


class EntryNotFound(LedgerError):
    """The hash is not in the Boss's own log (404 `entry_not_found`,
    docs/reference/gateway-protocol.md §5.12.4)."""


class BadSignature(LedgerError):
    """A caller-signed comment's signature does not verify (401 `bad_signature`,
    docs/reference/gateway-protocol.md §5.12.5)."""


class NonSelfSubmitter(LedgerError):
    """A caller-signed comment names a rater other than the Boss (403, 5.12.5)."""


def _raw_peer_id(text: str) -> bytes:
    raw = decode_peer_id(text)
    if raw is None:
        raise ValueError(f"not a libp2p peer id: {text!r}")
    return raw


def canonical_bytes(entry: LedgerEntry) -> bytes:
    """What an entry's leaf hash and signature cover (docs/reference/gateway-protocol.md §5.12.4):
    all fields but the signature."""
    rater = _raw_peer_id(entry.rater_peer_id)
    subject = _raw_peer_id(entry.subject_peer_id)
    if entry.kind == "Rating":
        return rating_bytes(
            rater,
            subject,
            entry.dimension,
            entry.score,
            entry.context,
            entry.timestamp_unix_ns,
            entry.prev_hash,
        )
    return comment_bytes(
        rater,
        subject,
        entry.text_cid,
        entry.language,
        entry.attached_rating_hash,
        entry.timestamp_unix_ns,
        entry.prev_hash,
    )


# --- Argument checks --------------------------------------------------------------------------


def _checked_timestamp(value: int) -> int:
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"timestamp_unix_ns {value} does not fit an int64")
    return value


def _checked_score(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return float(value)


def _checked_attached_hash(value: bytes | None) -> bytes:
    if value is None:
        return b""
    if len(value) != 32:
        raise ValueError("attached_rating_hash must be 32 bytes")
    return bytes(value)


def _checked_seed(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(bytes(seed))


def _public_key_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _peer_key(text: str) -> str:
    """The base58 form of a peer id; text that is no peer id is kept as is (it matches nothing)."""
    raw = decode_peer_id(text)
    return text if raw is None else encode_base58btc(raw)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _unix_ns(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def _utc_seconds(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _verifies(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _head_signing_bytes(tree_size: int, root: bytes, signed_at: datetime) -> bytes:
    # The real head's layout is not observable (5.12.4: neither signature nor signer is
    # exposed); the simulator signs SHA-256 of {1: tree_size, 2: root_hash, 3: signed_at ns}.
    return int64_field(1, tree_size) + bytes_field(2, root) + int64_field(3, _unix_ns(signed_at))


@dataclass(frozen=True)
class _SignedHead:
    tree_size: int
    root_hash: bytes
    signed_at: datetime
    signature: bytes


@dataclass
class _ReputationBase:
    honesty_score: float = 0.0
    is_equivocator: bool = False


@dataclass
class _State:
    by_subject: dict[str, list[LedgerEntry]] = field(default_factory=dict)
    own_leaves: list[bytes] = field(default_factory=list)
    own_positions: dict[bytes, int] = field(default_factory=dict)
    chain_tips: dict[bytes, bytes] = field(default_factory=dict)  # raw rater id -> last leaf
    bodies: dict[str, str] = field(default_factory=dict)  # lowercase CID -> text


class Ledger:
    """The Boss's ledger, thread-safe and deterministic given the seed and the clock."""

    def __init__(
        self,
        boss_key_seed: bytes,
        *,
        path: Path | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """`boss_key_seed` is the Boss identity's 32-byte Ed25519 seed; `path` persists the ledger.

        `clock` must return aware datetimes; it stamps `received_at`, default timestamps and
        the head's `signed_at`.
        """
        self._boss_key = _checked_seed(boss_key_seed)
        self._boss_public_key = _public_key_bytes(self._boss_key)
        self._boss_peer_id = peer_id_from_ed25519_public_key(self._boss_public_key)
        self._boss_raw = _raw_peer_id(self._boss_peer_id)
        self._clock = clock
        self._path = path
        self._lock = threading.Lock()
        self._state = _State()
        self._bases: dict[str, _ReputationBase] = {}
        self._head = self._sign_head(self._now())
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._load(path)

    # --- identity and head -------------------------------------------------------------------

    @property
    def boss_peer_id(self) -> str:
        """The Boss's `12D3KooW...` id (`/v1/about` `boss_peer_id`)."""
        return self._boss_peer_id

    @property
    def tree_size(self) -> int:
        """The own log's size (`/v1/about` `ledger_tree_size`)."""
        with self._lock:
            return len(self._state.own_leaves)

    def signed_head(self) -> tuple[int, bytes, datetime]:
        """(tree_size, root_hash, signed_at) of the own log's current signed head."""
        with self._lock:
            head = self._head
        return head.tree_size, head.root_hash, head.signed_at

    def verify_head_signature(self) -> bool:
        """True when the current head carries the Boss's Ed25519 signature over its contents."""
        with self._lock:
            head = self._head
        message = _digest(_head_signing_bytes(head.tree_size, head.root_hash, head.signed_at))
        return _verifies(self._boss_public_key, head.signature, message)

    # --- own-log appends ---------------------------------------------------------------------

    def append_rating(
        self,
        subject_peer_id: str,
        *,
        dimension: str,
        score: float,
        context: str,
        timestamp_unix_ns: int | None = None,
    ) -> LedgerEntry:
        """Append a Boss-signed Rating; the timestamp defaults to the clock."""
        return self._append(
            self._boss_key,
            subject_peer_id,
            kind="Rating",
            in_own_log=True,
            timestamp_unix_ns=timestamp_unix_ns,
            dimension=dimension,
            score=_checked_score(score, "score"),
            context=context,
        )

    def append_comment(
        self,
        subject_peer_id: str,
        *,
        text: str,
        language: str,
        attached_rating_hash: bytes | None = None,
        timestamp_unix_ns: int | None = None,
    ) -> LedgerEntry:
        """Store the body and append a Boss-signed Comment (`/comments/self`,
        docs/reference/gateway-protocol.md §5.12.6)."""
        return self._append(
            self._boss_key,
            subject_peer_id,
            kind="Comment",
            in_own_log=True,
            timestamp_unix_ns=timestamp_unix_ns,
            text=text,
            language=language,
            attached_rating_hash=_checked_attached_hash(attached_rating_hash),
        )

    def submit_signed_comment(
        self,
        subject_peer_id: str,
        *,
        rater_peer_id: str,
        text: str,
        signature: bytes,
        timestamp_unix_ns: int,
        language: str,
        attached_rating_hash: bytes | None,
    ) -> LedgerEntry:
        """Accept a caller-signed comment (docs/reference/gateway-protocol.md §5.12.5) and append
        it, re-signed, to the own log.

        Raises NonSelfSubmitter unless the rater is the Boss, then stores the body (the real
        Boss stores it before verifying, so it stays readable even when the signature fails),
        then raises BadSignature unless `signature` is the Boss key's Ed25519 signature over
        SHA-256 of the unsigned Comment layout
        (`agentfm._comment_signing.comment_signing_bytes`). ValueError for an undecodable peer id.
        """
        subject = _raw_peer_id(subject_peer_id)
        rater = _raw_peer_id(rater_peer_id)
        attached = _checked_attached_hash(attached_rating_hash)
        timestamp = _checked_timestamp(timestamp_unix_ns)
        if rater != self._boss_raw:
            raise NonSelfSubmitter(
                f"rater_peer_id {rater_peer_id} is not this node's peer id {self._boss_peer_id}"
            )
        cid = comment_cid_for_text(text)
        with self._lock:
            self._store_body(cid, text)
        if len(signature) != 64:
            raise BadSignature(f"decode signature: want 64 bytes, got {len(signature)}")
        unsigned = comment_bytes(rater, subject, cid, language, attached, timestamp, b"")
        if not _verifies(self._boss_public_key, bytes(signature), _digest(unsigned)):
            raise BadSignature("signature mismatch")
        return self._append(
            self._boss_key,
            subject_peer_id,
            kind="Comment",
            in_own_log=True,
            timestamp_unix_ns=timestamp,
            text=text,
            language=language,
            attached_rating_hash=attached,
        )

    # --- inbox -------------------------------------------------------------------------------

    def receive_rating(
        self,
        rater_key_seed: bytes,
        subject_peer_id: str,
        *,
        dimension: str,
        score: float,
        context: str,
        timestamp_unix_ns: int | None = None,
    ) -> LedgerEntry:
        """Record a Rating another peer signed with `rater_key_seed`, chained in ITS log."""
        return self._append(
            self._inbox_key(rater_key_seed),
            subject_peer_id,
            kind="Rating",
            in_own_log=False,
            timestamp_unix_ns=timestamp_unix_ns,
            dimension=dimension,
            score=_checked_score(score, "score"),
            context=context,
        )

    def receive_comment(
        self,
        rater_key_seed: bytes,
        subject_peer_id: str,
        *,
        text: str,
        language: str,
        timestamp_unix_ns: int | None = None,
    ) -> LedgerEntry:
        """Record a Comment another peer signed, and its body.

        The body is stored as if the fetch from its author
        (docs/reference/gateway-protocol.md §5.12.7) had already succeeded.
        """
        return self._append(
            self._inbox_key(rater_key_seed),
            subject_peer_id,
            kind="Comment",
            in_own_log=False,
            timestamp_unix_ns=timestamp_unix_ns,
            text=text,
            language=language,
            attached_rating_hash=b"",
        )

    def _inbox_key(self, seed: bytes) -> Ed25519PrivateKey:
        key = _checked_seed(seed)
        if _public_key_bytes(key) == self._boss_public_key:
            raise ValueError("the Boss's own entries go to its own log, not the inbox")
        return key

    # --- reads -------------------------------------------------------------------------------

    def entries_about(self, subject_peer_id: str) -> list[LedgerEntry]:
        """Ratings and Comments about the peer, own log and inbox, newest `received_at` first.

        Entries received at the same instant come last-inserted first.
        """
        with self._lock:
            entries = list(self._state.by_subject.get(_peer_key(subject_peer_id), ()))
        entries.reverse()
        return sorted(entries, key=lambda entry: entry.received_at, reverse=True)

    def subjects(self) -> set[str]:
        """Every peer (base58 form) that is the subject of an entry, own log or inbox."""
        with self._lock:
            return set(self._state.by_subject)

    def prove(self, entry_hash: bytes) -> InclusionProof:
        """The inclusion proof of an own-log entry against the current head
        (docs/reference/gateway-protocol.md §5.12.4).

        EntryNotFound for anything else, inbox entries included.
        """
        with self._lock:
            position = self._state.own_positions.get(bytes(entry_hash))
            if position is None:
                raise EntryNotFound(_NOT_IN_LOCAL_LOG)
            path = audit_path(self._state.own_leaves, position)
            head = self._head
        return InclusionProof(
            entry_hash=bytes(entry_hash),
            position=position,
            audit_path=path,
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            signed_at=head.signed_at,
        )

    def comment_body(self, cid: str) -> str | None:
        """The stored text for a CID (either hex case), None when unknown or not a CID."""
        if not is_comment_cid(cid):
            return None
        with self._lock:
            return self._state.bodies.get(cid.lower())

    # --- reputation --------------------------------------------------------------------------

    def set_base_reputation(
        self, peer_id: str, *, honesty_score: float, is_equivocator: bool = False
    ) -> None:
        """Configure a peer's starting honesty in [-1, 1] and whether it is an equivocator."""
        score = _checked_score(honesty_score, "honesty_score")
        if not -1.0 <= score <= 1.0:
            raise ValueError("honesty_score must be in [-1, 1]")
        key = encode_base58btc(_raw_peer_id(peer_id))
        with self._lock:
            self._bases[key] = _ReputationBase(score, is_equivocator)

    def honesty_score(self, peer_id: str) -> float:
        """The peer's honesty in [-1, 1] under the simulator's deterministic rule.

        * An equivocator scores exactly -1.0.
        * Otherwise: base + the sum of the `score` of every Rating (any dimension, own log and
          inbox) about the peer whose rater *counts*, clamped to [-1, 1].
        * The base is what `set_base_reputation` configured; 0.0 for unknown peers, and
          `BOSS_BASE_HONESTY` (1.0) for the Boss itself.
        * A rater counts when its *base* (not its computed score, which keeps the rule free of
          cycles) is at least `VERIFIED_RATER_THRESHOLD` and it is not an equivocator. The Boss
          always counts unless reconfigured, so its outcome ratings and feedback move scores
          one for one; ratings from unconfigured peers are shown but move nothing, as
          zero-trust peers carry no weight in EigenTrust.
        """
        with self._lock:
            return self._honesty_locked(_peer_key(peer_id))

    def is_equivocator(self, peer_id: str) -> bool:
        """True when the peer was configured as an equivocator (trust gate check 1,
        docs/reference/gateway-protocol.md §7)."""
        with self._lock:
            return self._base_locked(_peer_key(peer_id)).is_equivocator

    def is_verified_rater(self, peer_id: str) -> bool:
        """True when the peer's honesty score is at least 0.1 (`rater_status`,
        docs/reference/gateway-protocol.md §5.12.3)."""
        with self._lock:
            return self._honesty_locked(_peer_key(peer_id)) >= VERIFIED_RATER_THRESHOLD

    def rater_summary(self, subject_peer_id: str) -> tuple[int, int]:
        """(verified, unverified) counts over the distinct raters of entries about the peer."""
        with self._lock:
            entries = self._state.by_subject.get(_peer_key(subject_peer_id), [])
            raters = {entry.rater_peer_id for entry in entries}
            verified = sum(
                1 for rater in raters if self._honesty_locked(rater) >= VERIFIED_RATER_THRESHOLD
            )
        return verified, len(raters) - verified

    def reputation_last_updated(self, subject_peer_id: str) -> datetime | None:
        """The newest Rating's `received_at` about the peer (any dimension); None without one."""
        with self._lock:
            entries = self._state.by_subject.get(_peer_key(subject_peer_id), [])
            times = [entry.received_at for entry in entries if entry.kind == "Rating"]
        return max(times, default=None)

    def _base_locked(self, peer: str) -> _ReputationBase:
        base = self._bases.get(peer)
        if base is not None:
            return base
        if peer == self._boss_peer_id:
            return _ReputationBase(BOSS_BASE_HONESTY)
        return _ReputationBase()

    def _rater_counts_locked(self, rater: str) -> bool:
        base = self._base_locked(rater)
        return not base.is_equivocator and base.honesty_score >= VERIFIED_RATER_THRESHOLD

    def _honesty_locked(self, peer: str) -> float:
        base = self._base_locked(peer)
        if base.is_equivocator:
            return -1.0
        total = base.honesty_score
        for entry in self._state.by_subject.get(peer, []):
            if entry.kind == "Rating" and self._rater_counts_locked(entry.rater_peer_id):
                total += entry.score
        return max(-1.0, min(1.0, total))

    # --- writing -----------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("the ledger clock must return aware datetimes")
        return moment

    def _sign_head(self, signed_at: datetime) -> _SignedHead:
        # Called under the lock (or before the ledger is shared).
        leaves = self._state.own_leaves
        root = root_hash(leaves)
        moment = _utc_seconds(signed_at)
        signature = self._boss_key.sign(_digest(_head_signing_bytes(len(leaves), root, moment)))
        return _SignedHead(len(leaves), root, moment, signature)

    def _append(
        self,
        signer: Ed25519PrivateKey,
        subject_peer_id: str,
        *,
        kind: Kind,
        in_own_log: bool,
        timestamp_unix_ns: int | None,
        dimension: str = "",
        score: float = 0.0,
        context: str = "",
        text: str | None = None,
        language: str = "",
        attached_rating_hash: bytes = b"",
    ) -> LedgerEntry:
        subject = _raw_peer_id(subject_peer_id)
        if timestamp_unix_ns is not None:
            _checked_timestamp(timestamp_unix_ns)
        rater_id = peer_id_from_ed25519_public_key(_public_key_bytes(signer))
        rater = _raw_peer_id(rater_id)
        text_cid = "" if text is None else comment_cid_for_text(text)
        with self._lock:
            received_at = self._now()
            timestamp = _unix_ns(received_at) if timestamp_unix_ns is None else timestamp_unix_ns
            prev_hash = self._state.chain_tips.get(rater, _ZERO_HASH)
            if kind == "Rating":
                unsigned = rating_bytes(
                    rater, subject, dimension, score, context, timestamp, prev_hash
                )
            else:
                unsigned = comment_bytes(
                    rater, subject, text_cid, language, attached_rating_hash, timestamp, prev_hash
                )
            entry = LedgerEntry(
                kind=kind,
                entry_hash=leaf_hash(unsigned),
                rater_peer_id=rater_id,
                subject_peer_id=encode_base58btc(subject),
                received_at=received_at,
                timestamp_unix_ns=timestamp,
                dimension=dimension,
                score=score,
                context=context,
                text_cid=text_cid,
                language=language,
                in_own_log=in_own_log,
                prev_hash=prev_hash,
                signature=signer.sign(_digest(unsigned)),
                attached_rating_hash=attached_rating_hash,
            )
            if text is not None:
                self._store_body(text_cid, text)
            self._persist(_entry_record(entry))
            self._apply(entry)
            return entry

    def _store_body(self, cid: str, text: str) -> None:
        # Under the lock. Bodies are content-addressed, so a second store is a no-op.
        if cid in self._state.bodies:
            return
        self._persist({"record": "body", "cid": cid, "text": text})
        self._state.bodies[cid] = text

    def _apply(self, entry: LedgerEntry, *, sign_head: bool = True) -> None:
        # Under the lock: index an entry already signed (and persisted, when persisting).
        state = self._state
        state.by_subject.setdefault(entry.subject_peer_id, []).append(entry)
        state.chain_tips[_raw_peer_id(entry.rater_peer_id)] = entry.entry_hash
        if entry.in_own_log:
            state.own_positions[entry.entry_hash] = len(state.own_leaves)
            state.own_leaves.append(entry.entry_hash)
            if sign_head:
                # The head is re-signed on every append, at the entry's insertion time.
                self._head = self._sign_head(entry.received_at)

    # --- persistence -------------------------------------------------------------------------

    def _persist(self, record: dict[str, Any]) -> None:
        if self._path is None:
            return
        line = json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False)
        try:
            with self._path.open("a", encoding="utf-8") as log_file:
                log_file.write(line + "\n")
        except OSError as exc:
            raise LedgerError(f"ledger: persist to {self._path}: {exc}") from exc

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"ledger: read {path}: {exc}") from exc
        last_own_entry: LedgerEntry | None = None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = self._replay(json.loads(line))
            except (LedgerError, ValueError, KeyError, TypeError) as exc:
                raise LedgerError(f"ledger: {path} line {number}: {exc}") from exc
            if entry is not None and entry.in_own_log:
                last_own_entry = entry
        if last_own_entry is not None:
            # Signed once, as of the last insertion: the same head the writer had signed.
            self._head = self._sign_head(last_own_entry.received_at)

    def _replay(self, record: Any) -> LedgerEntry | None:
        """Re-verify and index one persisted record; returns the entry for entry records."""
        if not isinstance(record, dict):
            raise LedgerError("not a JSON object")
        if record.get("record") == "body":
            cid, text = _text(record, "cid"), _text(record, "text")
            if comment_cid_for_text(text) != cid:
                raise LedgerError("comment body does not match its CID")
            self._state.bodies[cid] = text
            return None
        if record.get("record") != "entry":
            raise LedgerError(f"unknown record type {record.get('record')!r}")
        entry = _entry_from_record(record)
        if _peer_key(entry.subject_peer_id) != entry.subject_peer_id:
            raise LedgerError("subject_peer_id is not in base58 form")
        rater = _raw_peer_id(entry.rater_peer_id)
        if entry.in_own_log and rater != self._boss_raw:
            raise LedgerError("own-log entry is not signed by this Boss's key")
        if entry.prev_hash != self._state.chain_tips.get(rater, _ZERO_HASH):
            raise LedgerError("entry does not chain to its rater's previous entry")
        unsigned = canonical_bytes(entry)
        if leaf_hash(unsigned) != entry.entry_hash:
            raise LedgerError("entry_hash does not match the entry")
        # Recover the rater's key from its id: only Ed25519 identity ids re-encode unchanged.
        public_key = rater[-32:]
        if peer_id_from_ed25519_public_key(public_key) != entry.rater_peer_id or not _verifies(
            public_key, entry.signature, _digest(unsigned)
        ):
            raise LedgerError("entry signature does not verify")
        self._apply(entry, sign_head=False)
        return entry


def _text(record: dict[str, Any], key: str) -> str:
    value = record[key]
    if not isinstance(value, str):
        raise LedgerError(f"{key} must be a string")
    return value


def _integer(record: dict[str, Any], key: str) -> int:
    value = record[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise LedgerError(f"{key} must be an integer")
    return value


def _entry_record(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "record": "entry",
        "kind": entry.kind,
        "entry_hash": entry.entry_hash.hex(),
        "rater_peer_id": entry.rater_peer_id,
        "subject_peer_id": entry.subject_peer_id,
        "received_at": entry.received_at.isoformat(),
        "timestamp_unix_ns": entry.timestamp_unix_ns,
        "dimension": entry.dimension,
        "score": entry.score,
        "context": entry.context,
        "text_cid": entry.text_cid,
        "language": entry.language,
        "in_own_log": entry.in_own_log,
        "prev_hash": entry.prev_hash.hex(),
        "signature": entry.signature.hex(),
        "attached_rating_hash": entry.attached_rating_hash.hex(),
    }


def _entry_from_record(record: dict[str, Any]) -> LedgerEntry:
    kind_text = _text(record, "kind")
    if kind_text not in ("Rating", "Comment"):
        raise LedgerError(f"unknown entry kind {kind_text!r}")
    kind: Kind = "Rating" if kind_text == "Rating" else "Comment"
    score = record["score"]
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        raise LedgerError("score must be a number")
    in_own_log = record["in_own_log"]
    if not isinstance(in_own_log, bool):
        raise LedgerError("in_own_log must be a boolean")
    received_at = datetime.fromisoformat(_text(record, "received_at"))
    if received_at.tzinfo is None:
        raise LedgerError("received_at must carry a time zone")
    text_cid = _text(record, "text_cid")
    if kind == "Comment" and not is_comment_cid(text_cid):
        raise LedgerError("text_cid is not a comment CID")
    return LedgerEntry(
        kind=kind,
        entry_hash=bytes.fromhex(_text(record, "entry_hash")),
        rater_peer_id=_text(record, "rater_peer_id"),
        subject_peer_id=_text(record, "subject_peer_id"),
        received_at=received_at,
        timestamp_unix_ns=_checked_timestamp(_integer(record, "timestamp_unix_ns")),
        dimension=_text(record, "dimension"),
        score=float(score),
        context=_text(record, "context"),
        text_cid=text_cid,
        language=_text(record, "language"),
        in_own_log=in_own_log,
        prev_hash=bytes.fromhex(_text(record, "prev_hash")),
        signature=bytes.fromhex(_text(record, "signature")),
        attached_rating_hash=bytes.fromhex(_text(record, "attached_rating_hash")),
    )
