"""`client.peers`: the trust layer: peer cards, reputation, the signed log, proofs, comments.

Every route is in docs/reference/gateway-protocol.md §5.12. Peer ids, entry hashes and CIDs are
checked before any request is sent; every gateway code maps to its own exception
(agentfm/_errors.py). What the SDK computes itself rather than taking from the gateway: the Merkle
fold of every proof (`verify_proof`), and that every comment text hashes to the CID it was asked for
or given. Everything else (scores, equivocation, counts, the tree head) is the gateway's word.

Parsing, checks and paging are shared module functions; `Peers` and `AsyncPeers` only send.
"""

from __future__ import annotations

import base64
import builtins
import math
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Literal, overload

from agentfm_gateway.api.peers import (
    get_comment_body,
    get_comment_body_json,
    get_peer,
    get_peer_log,
    get_peer_proof,
    get_peer_reputation,
    post_self_comment,
    submit_signed_comment,
)
from agentfm_gateway.api.workers import list_workers
from agentfm_gateway.models import SelfCommentRequest, SignedCommentRequest

from agentfm._base import require_utf8
from agentfm._comment_signing import BossSigningKey
from agentfm._identifiers import checked_libp2p_peer_id, comment_cid_for_text, is_comment_cid
from agentfm.exceptions import (
    InvalidCidError,
    InvalidCommentError,
    InvalidRequestError,
    ProofVerificationError,
)
from agentfm.merkle import verify_proof
from agentfm.models import (
    CommentBody,
    CommentReceipt,
    InclusionProof,
    LogEntry,
    PeerLog,
    PeerReputation,
    PeerSummary,
    WorkerProfile,
    WorkersResponse,
)

if TYPE_CHECKING:
    from agentfm._client import AgentFMClient, AsyncAgentFMClient

__all__ = ["AsyncPeers", "LogWalk", "Peers"]

# docs/reference/gateway-protocol.md §5.12.3: the gateway clamps rather than refuses; the SDK
# refuses what it would clamp.
MAX_LOG_LIMIT = 500
MAX_LOG_OFFSET = 1_000_000
# docs/reference/gateway-protocol.md §5.12.5 / §5.12.6.
MAX_COMMENT_TEXT_BYTES = 10240
_ENTRY_HASH = re.compile(r"[0-9a-fA-F]{64}")

# --- Checks before sending ----------------------------------------------------------------------


def checked_entry_hash(entry_hash: str) -> str:
    """A ledger entry hash (64 hex, docs/reference/gateway-protocol.md §2.1), lower-cased."""
    if not isinstance(entry_hash, str) or not _ENTRY_HASH.fullmatch(entry_hash):
        raise InvalidRequestError(
            f"an entry hash is 64 hex characters, not {entry_hash!r}", code="invalid_entry_hash"
        )
    return entry_hash.lower()


def checked_cid(cid: str) -> str:
    """A comment CID (`1220` + 64 hex, docs/reference/gateway-protocol.md §2.1), as given (the
    gateway echoes it)."""
    if not isinstance(cid, str) or not is_comment_cid(cid):
        raise InvalidCidError(
            f"a comment CID is '1220' followed by 64 hex characters, not {cid!r}",
            code="invalid_cid",
        )
    return cid


def checked_page(limit: int, offset: int) -> None:
    """The gateway turns a bad `limit` into 50 and clamps the rest
    (docs/reference/gateway-protocol.md §5.12.3): refuse instead."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LOG_LIMIT:
        raise InvalidRequestError(
            f"limit must be a whole number from 1 to {MAX_LOG_LIMIT}, not {limit!r}",
            code="invalid_argument",
        )
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= MAX_LOG_OFFSET:
        raise InvalidRequestError(
            f"offset must be a whole number from 0 to {MAX_LOG_OFFSET}, not {offset!r}",
            code="invalid_argument",
        )


def checked_comment(text: str, language: str) -> None:
    """The checks both comment routes apply (docs/reference/gateway-protocol.md §5.12.5, §5.12.6),
    made before sending."""
    if not isinstance(text, str) or text == "":
        raise InvalidRequestError("text must be a non-empty string", code="missing_field")
    require_utf8(text, "text")
    if len(text.encode("utf-8")) > MAX_COMMENT_TEXT_BYTES:
        raise InvalidCommentError(
            f"text exceeds {MAX_COMMENT_TEXT_BYTES} bytes of UTF-8", code="body_too_large"
        )
    if not isinstance(language, str):
        raise InvalidRequestError("language must be a string", code="invalid_argument")
    require_utf8(language, "language")


def checked_rating(rating: float | None) -> float | None:
    """An optional honesty rating: finite and within [-1, 1] (5.12.6 `bad_rating`)."""
    if rating is None:
        return None
    if (
        isinstance(rating, bool)
        or not isinstance(rating, (int, float))
        or not math.isfinite(rating)
        or not -1.0 <= rating <= 1.0
    ):
        raise InvalidCommentError(
            f"rating must be a finite number in [-1.0, +1.0], not {rating!r}", code="bad_rating"
        )
    return float(rating)


def self_comment_request(text: str, rating: float | None, language: str) -> SelfCommentRequest:
    """The body of `comments/self`. The gateway has no language default; the SDK's is `en`."""
    checked_comment(text, language)
    request = SelfCommentRequest(text=text)
    if language:
        request.language = language
    checked = checked_rating(rating)
    if checked is not None:
        request.rating = checked
    return request


def signed_comment_request(
    subject: str, text: str, language: str, key: BossSigningKey, timestamp_unix_ns: int | None
) -> SignedCommentRequest:
    """The body of the caller-signed `comments` route, signed with the Boss's key
    (docs/reference/gateway-protocol.md §5.12.5)."""
    checked_comment(text, language)
    if not isinstance(key, BossSigningKey):
        raise InvalidRequestError(
            "signing_key must be a BossSigningKey (BossSigningKey.from_file(...))",
            code="invalid_signing_key",
        )
    timestamp = time.time_ns() if timestamp_unix_ns is None else timestamp_unix_ns
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise InvalidRequestError("timestamp_unix_ns must be an int", code="invalid_argument")
    signature = key.sign_comment(subject, text=text, language=language, timestamp_unix_ns=timestamp)
    request = SignedCommentRequest(
        rater_peer_id=key.peer_id,
        text=text,
        # Standard base64 with padding (docs/reference/gateway-protocol.md §5.12.5).
        signature=base64.b64encode(signature).decode("ascii"),
        timestamp_unix_ns=timestamp,
    )
    if language:
        request.language = language
    return request


# --- What the gateway answered ------------------------------------------------------------------


def _cid_mismatch(cid: str, where: str) -> ProofVerificationError:
    return ProofVerificationError(
        f"the {where} does not hash to its CID {cid}: the gateway served other content",
        code="cid_mismatch",
    )


def checked_text(text: str, cid: str) -> str:
    """`text`, after checking it is the content `cid` names (CID = SHA-256 of the text)."""
    if comment_cid_for_text(text) != cid.lower():
        raise _cid_mismatch(cid, "comment text")
    return text


def checked_receipt(receipt: CommentReceipt, text: str) -> CommentReceipt:
    """The receipt, after checking its CID names the text that was sent."""
    if receipt.cid.lower() != comment_cid_for_text(text):
        raise _cid_mismatch(receipt.cid, "comment the gateway acknowledged")
    return receipt


def checked_comment_body(body: CommentBody, cid: str) -> CommentBody:
    checked_text(body.text, cid)
    return body


def with_rating_scores(log: PeerLog) -> PeerLog:
    """The page, with the score of every Rating the gateway sent without one set to 0.0: it
    omits a score of exactly 0 (docs/reference/gateway-protocol.md §5.12.3). Comments keep None."""
    for entry in log.entries:
        if entry.score is None and entry.is_rating:
            entry.score = 0.0
    return log


def keyed_proof(proof: InclusionProof, asked_for: str) -> InclusionProof:
    """The proof, keyed on the hash the caller asked about: the gateway's echo is not trusted."""
    proof.entry_hash = asked_for
    return proof


class LogWalk:
    """Pages through a whole peer log, newest first, yielding each entry once.

    The log grows at the top while it is walked, which pushes older entries down into the next
    page; entries already yielded are recognised by `entry_hash` and skipped, so nothing is
    yielded twice and nothing is missed. Entries past offset 1,000,000 are out of the gateway's
    reach (docs/reference/gateway-protocol.md §5.12.3).
    """

    def __init__(self, page_size: int) -> None:
        checked_page(page_size, 0)
        self.page_size = page_size
        self.offset = 0
        self.finished = False
        self._seen: set[str] = set()

    def take(self, page: PeerLog) -> builtins.list[LogEntry]:
        """The page's entries not yielded before; advances to the next page or finishes."""
        fresh = [entry for entry in page.entries if entry.entry_hash not in self._seen]
        self._seen.update(entry.entry_hash for entry in fresh)
        # A short page is the end; so is an offset the gateway clamped below what was asked.
        if page.returned < page.limit or page.offset < self.offset:
            self.finished = True
        self.offset = page.offset + page.returned
        if self.offset > MAX_LOG_OFFSET:
            self.finished = True
        return fresh


# --- The namespaces -----------------------------------------------------------------------------


class Peers:
    """`client.peers` of `AgentFMClient`."""

    def __init__(self, client: AgentFMClient) -> None:
        self._client = client

    def list(self, *, include_offline: bool = False) -> builtins.list[WorkerProfile]:
        """The peers this gateway knows, as worker profiles (there is no list route under
        `/v1/peers`: this reads `/api/workers`, docs/reference/gateway-protocol.md §5.3).

        Online workers come first. With `include_offline=True`, every peer that is the subject of
        a ledger entry and is not online follows (with `online=False`, no `last_seen`, and a
        stale or empty `status`). Use `get(peer_id)` for a peer's ledger card.
        """
        listing = self._client._call(
            list_workers.sync_detailed, WorkersResponse, include_offline=bool(include_offline)
        )
        return listing.agents

    def get(self, peer_id: str) -> PeerSummary:
        """The gateway's card for a peer: liveness, honesty, rater counts, dispatch verdict.

        Any valid peer id answers, known or not (an unknown peer has honesty 0, no entries).
        """
        peer = checked_libp2p_peer_id(peer_id)
        return self._client._call(get_peer.sync_detailed, PeerSummary, id=peer)

    def reputation(self, peer_id: str) -> PeerReputation:
        """The peer's scores by dimension, rating count and equivocator flag."""
        peer = checked_libp2p_peer_id(peer_id)
        return self._client._call(get_peer_reputation.sync_detailed, PeerReputation, id=peer)

    def log(self, peer_id: str, *, limit: int = 50, offset: int = 0) -> PeerLog:
        """One page of the signed Ratings and Comments about a peer, newest first.

        `limit` 1-500 and `offset` 0-1,000,000 (the gateway would silently clamp other values).
        Iterate the result for its entries; `iter_log` walks the whole log.
        """
        peer = checked_libp2p_peer_id(peer_id)
        checked_page(limit, offset)
        page = self._client._call(
            get_peer_log.sync_detailed, PeerLog, id=peer, limit=limit, offset=offset
        )
        return with_rating_scores(page)

    def iter_log(self, peer_id: str, *, page_size: int = MAX_LOG_LIMIT) -> Iterator[LogEntry]:
        """Every entry about a peer, newest first, fetched page by page as iteration proceeds."""
        peer = checked_libp2p_peer_id(peer_id)
        walk = LogWalk(page_size)
        return self._walk(peer, walk)

    def _walk(self, peer: str, walk: LogWalk) -> Iterator[LogEntry]:
        while not walk.finished:
            yield from walk.take(self.log(peer, limit=walk.page_size, offset=walk.offset))

    def proof(self, peer_id: str, entry_hash: str) -> InclusionProof:
        """The inclusion proof of one entry of the gateway's own log (not yet checked).

        Only entries the gateway itself signed are provable (its comments and ratings, e.g. from
        `comment`); others raise `EntryNotFoundError`. The gateway ignores `peer_id` and proves
        against its own log whatever it is; it is still checked to be a peer id.
        """
        peer = checked_libp2p_peer_id(peer_id)
        wanted = checked_entry_hash(entry_hash)
        proof = self._client._call(
            get_peer_proof.sync_detailed, InclusionProof, id=peer, entry=wanted
        )
        return keyed_proof(proof, wanted)

    def verify(self, peer_id: str, entry_hash: str) -> InclusionProof:
        """Fetch the entry's proof and check it locally (`verify_proof`); return the proof.

        Raises `ProofVerificationError` when the entry does not fold to the head's root.
        """
        proof = self.proof(peer_id, entry_hash)
        verify_proof(proof)
        return proof

    def comment(
        self, peer_id: str, *, text: str, rating: float | None = None, language: str = "en"
    ) -> CommentReceipt:
        """Have the gateway sign and append a comment about a peer (optionally with a rating).

        `text`: at most 10240 bytes of UTF-8. `rating`: an honesty rating in [-1, 1], appended
        as a paired Rating that feeds the peer's score. The receipt's `ledger_hash` is provable
        with `verify`. A receipt whose CID names other text raises `ProofVerificationError`.
        """
        peer = checked_libp2p_peer_id(peer_id)
        request = self_comment_request(text, rating, language)
        receipt = self._client._call(
            post_self_comment.sync_detailed, CommentReceipt, id=peer, body=request
        )
        return checked_receipt(receipt, text)

    def comment_signed(
        self,
        peer_id: str,
        *,
        text: str,
        signing_key: BossSigningKey,
        language: str = "en",
        timestamp_unix_ns: int | None = None,
    ) -> CommentReceipt:
        """Sign a comment yourself with the gateway's own key and submit it
        (docs/reference/gateway-protocol.md §5.12.5).

        Only the holder of the Boss's identity key file can do this (the gateway refuses any
        other rater with `NonSelfSubmitterError`); most callers want `comment`. The timestamp
        defaults to now. Needs the optional `cryptography` package.
        """
        peer = checked_libp2p_peer_id(peer_id)
        request = signed_comment_request(peer, text, language, signing_key, timestamp_unix_ns)
        receipt = self._client._call(
            submit_signed_comment.sync_detailed, CommentReceipt, id=peer, body=request
        )
        return checked_receipt(receipt, text)

    @overload
    def comment_body(self, peer_id: str, cid: str) -> str: ...
    @overload
    def comment_body(self, peer_id: str, cid: str, *, format: Literal["text"]) -> str: ...
    @overload
    def comment_body(self, peer_id: str, cid: str, *, format: Literal["json"]) -> CommentBody: ...
    def comment_body(
        self, peer_id: str, cid: str, *, format: Literal["text", "json"] = "text"
    ) -> str | CommentBody:
        """A comment's text by CID (`LogEntry.text_cid`, `CommentReceipt.cid`).

        `format="text"` returns the exact stored text; `"json"` the gateway's JSON form. Either
        way the text is checked to hash to `cid`. A body the gateway lacks may take it ~20 s to
        look for (author, then relay) before `CommentNotFoundError`.
        """
        peer = checked_libp2p_peer_id(peer_id)
        wanted = checked_cid(cid)
        if format == "json":
            body = self._client._call(
                get_comment_body_json.sync_detailed, CommentBody, id=peer, cid=wanted
            )
            return checked_comment_body(body, wanted)
        if format != "text":
            raise InvalidRequestError("format is 'text' or 'json'", code="invalid_argument")
        text = self._client._call(get_comment_body.sync_detailed, str, id=peer, cid=wanted)
        return checked_text(text, wanted)


class AsyncPeers:
    """`client.peers` of `AsyncAgentFMClient`."""

    def __init__(self, client: AsyncAgentFMClient) -> None:
        self._client = client

    async def list(self, *, include_offline: bool = False) -> builtins.list[WorkerProfile]:
        """The peers this gateway knows, as worker profiles (see `Peers.list`)."""
        listing = await self._client._call(
            list_workers.asyncio_detailed, WorkersResponse, include_offline=bool(include_offline)
        )
        return listing.agents

    async def get(self, peer_id: str) -> PeerSummary:
        """The gateway's card for a peer (see `Peers.get`)."""
        peer = checked_libp2p_peer_id(peer_id)
        return await self._client._call(get_peer.asyncio_detailed, PeerSummary, id=peer)

    async def reputation(self, peer_id: str) -> PeerReputation:
        """The peer's scores by dimension, rating count and equivocator flag."""
        peer = checked_libp2p_peer_id(peer_id)
        return await self._client._call(
            get_peer_reputation.asyncio_detailed, PeerReputation, id=peer
        )

    async def log(self, peer_id: str, *, limit: int = 50, offset: int = 0) -> PeerLog:
        """One page of the signed Ratings and Comments about a peer (see `Peers.log`)."""
        peer = checked_libp2p_peer_id(peer_id)
        checked_page(limit, offset)
        page = await self._client._call(
            get_peer_log.asyncio_detailed, PeerLog, id=peer, limit=limit, offset=offset
        )
        return with_rating_scores(page)

    def iter_log(self, peer_id: str, *, page_size: int = MAX_LOG_LIMIT) -> AsyncIterator[LogEntry]:
        """Every entry about a peer, newest first (`async for`; see `Peers.iter_log`)."""
        peer = checked_libp2p_peer_id(peer_id)
        walk = LogWalk(page_size)
        return self._walk(peer, walk)

    async def _walk(self, peer: str, walk: LogWalk) -> AsyncIterator[LogEntry]:
        while not walk.finished:
            for entry in walk.take(await self.log(peer, limit=walk.page_size, offset=walk.offset)):
                yield entry

    async def proof(self, peer_id: str, entry_hash: str) -> InclusionProof:
        """The inclusion proof of one entry of the gateway's own log (see `Peers.proof`)."""
        peer = checked_libp2p_peer_id(peer_id)
        wanted = checked_entry_hash(entry_hash)
        proof = await self._client._call(
            get_peer_proof.asyncio_detailed, InclusionProof, id=peer, entry=wanted
        )
        return keyed_proof(proof, wanted)

    async def verify(self, peer_id: str, entry_hash: str) -> InclusionProof:
        """Fetch the entry's proof and check it locally (see `Peers.verify`)."""
        proof = await self.proof(peer_id, entry_hash)
        verify_proof(proof)
        return proof

    async def comment(
        self, peer_id: str, *, text: str, rating: float | None = None, language: str = "en"
    ) -> CommentReceipt:
        """Have the gateway sign and append a comment about a peer (see `Peers.comment`)."""
        peer = checked_libp2p_peer_id(peer_id)
        request = self_comment_request(text, rating, language)
        receipt = await self._client._call(
            post_self_comment.asyncio_detailed, CommentReceipt, id=peer, body=request
        )
        return checked_receipt(receipt, text)

    async def comment_signed(
        self,
        peer_id: str,
        *,
        text: str,
        signing_key: BossSigningKey,
        language: str = "en",
        timestamp_unix_ns: int | None = None,
    ) -> CommentReceipt:
        """Sign a comment with the gateway's own key and submit it (see `Peers.comment_signed`)."""
        peer = checked_libp2p_peer_id(peer_id)
        request = signed_comment_request(peer, text, language, signing_key, timestamp_unix_ns)
        receipt = await self._client._call(
            submit_signed_comment.asyncio_detailed, CommentReceipt, id=peer, body=request
        )
        return checked_receipt(receipt, text)

    @overload
    async def comment_body(self, peer_id: str, cid: str) -> str: ...
    @overload
    async def comment_body(self, peer_id: str, cid: str, *, format: Literal["text"]) -> str: ...
    @overload
    async def comment_body(
        self, peer_id: str, cid: str, *, format: Literal["json"]
    ) -> CommentBody: ...
    async def comment_body(
        self, peer_id: str, cid: str, *, format: Literal["text", "json"] = "text"
    ) -> str | CommentBody:
        """A comment's text by CID, checked against it (see `Peers.comment_body`)."""
        peer = checked_libp2p_peer_id(peer_id)
        wanted = checked_cid(cid)
        if format == "json":
            body = await self._client._call(
                get_comment_body_json.asyncio_detailed, CommentBody, id=peer, cid=wanted
            )
            return checked_comment_body(body, wanted)
        if format != "text":
            raise InvalidRequestError("format is 'text' or 'json'", code="invalid_argument")
        text = await self._client._call(get_comment_body.asyncio_detailed, str, id=peer, cid=wanted)
        return checked_text(text, wanted)
