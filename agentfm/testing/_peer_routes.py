"""The `/v1/peers/*` family: summary, reputation, log, proof and comments
(docs/reference/gateway-protocol.md §5.12), over the ledger.

Routing is by suffix of the decoded path, in the order of 5.12; ids are echoed as written in the
path; success bodies are written with HTML escaping off. A comment body missing locally answers
404 at once: the simulator has no author or relay to fetch it from (the real Boss may spend ~20 s
trying both first).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

from agentfm._identifiers import comment_cid_for_text, decode_peer_id, encode_base58btc
from agentfm.testing._boss import Boss
from agentfm.testing._godecode import FieldKind, GoJSONError, decode_go_object
from agentfm.testing._gowire import go_time, go_time_utc_seconds
from agentfm.testing._http import Reply, Request, envelope_reply, json_reply
from agentfm.testing._ledger import BadSignature, EntryNotFound, LedgerError, NonSelfSubmitter

__all__ = ["handle_peers", "peer_decode_error"]

logger = logging.getLogger("agentfm.sim")

PREFIX = "/v1/peers/"
COMMENT_BODY_LIMIT = 64 << 10
MAX_COMMENT_TEXT_BYTES = 10240
LOG_DEFAULT_LIMIT = 50
LOG_MAX_LIMIT = 500
LOG_MAX_OFFSET = 1_000_000
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_GO_INT = re.compile(r"[+-]?[0-9]+")
_GO_UINT = re.compile(r"[0-9]+")
_SIGNED_FIELDS: dict[str, FieldKind] = {
    "rater_peer_id": "string",
    "text": "string",
    "signature": "string",
    "timestamp_unix_ns": "int",
    "language": "string",
    "attached_rating_hash": "string",
}
_SELF_FIELDS: dict[str, FieldKind] = {
    "text": "string",
    "language": "string",
    "rating": "float",
    "attached_rating_hash": "string",
}


def peer_decode_error(text: str) -> str | None:
    """None for a decodable libp2p id, else a message shaped like go-libp2p's peer.Decode error."""
    if decode_peer_id(text) is not None:
        return None
    if text.startswith(("Qm", "1")):
        return "failed to parse peer ID: input isn't valid multihash"
    if len(text) < 2:
        return "failed to parse peer ID: cid too short"
    return "failed to parse peer ID: selected encoding not supported"


def _ok(value: Any, status: int = 200) -> Reply:
    return json_reply(value, status, escape_html=False)


def _only_get() -> Reply:
    return envelope_reply(405, "method_not_allowed", "only GET supported")


def _only_post() -> Reply:
    return envelope_reply(405, "method_not_allowed", "only POST supported")


def _checked_id(peer_id: str, *, missing: str) -> Reply | None:
    if not peer_id:
        return envelope_reply(400, "bad_request", missing)
    error = peer_decode_error(peer_id)
    if error is not None:
        return envelope_reply(400, "bad_peer_id", error)
    return None


def _canonical(peer_id: str) -> str:
    raw = decode_peer_id(peer_id)
    return encode_base58btc(raw) if raw is not None else peer_id


def _id_before(path: str, suffix: str) -> str:
    """The text between `/v1/peers/` and `suffix` (which `path` ends with).

    `/v1/peers/reputation` has no id before its suffix: the id is empty (refused as
    `missing peer_id in path`), not the word "reputation".
    """
    between = path[len(PREFIX) - 1 : len(path) - len(suffix)]
    return between[1:] if between.startswith("/") else between


async def handle_peers(boss: Boss, request: Request) -> Reply:
    """Dispatch on the path suffix, in the order of the 5.12 table."""
    path = request.path
    rest = path[len(PREFIX) :]
    if path.endswith("/reputation"):
        return _reputation(boss, request, _id_before(path, "/reputation"))
    if path.endswith("/log"):
        return _log(boss, request, _id_before(path, "/log"))
    if path.endswith("/proof"):
        return _proof(boss, request, _id_before(path, "/proof"))
    if path.endswith("/comments/self"):
        return await _self_comment(boss, request, _id_before(path, "/comments/self"))
    if path.endswith("/comments"):
        return await _signed_comment(boss, request, _id_before(path, "/comments"))
    if "/comments/" in path:
        return _comment_body(boss, request, path.split("/comments/", 1)[1])
    if rest and "/" not in rest:
        return _summary(boss, request, rest)
    return envelope_reply(404, "not_found", "unknown peers sub-resource")


# --- 5.12.1 -------------------------------------------------------------------------------------


def _summary(boss: Boss, request: Request, peer_id: str) -> Reply:
    if request.method != "GET":
        return _only_get()
    invalid = _checked_id(peer_id, missing="missing peer_id in path")
    if invalid is not None:
        return invalid
    ledger = boss.ledger
    worker = boss.online_worker(_canonical(peer_id))
    telemetry = worker.telemetry(boss.clock()) if worker is not None else None
    entries = ledger.entries_about(peer_id)
    equivocator = ledger.is_equivocator(peer_id)
    body: dict[str, Any] = {
        "peer_id": peer_id,
        "agent_name": telemetry.agent_name if telemetry else "",
    }
    if telemetry is not None:
        if telemetry.author:
            body["author"] = telemetry.author
        if telemetry.agent_desc:
            body["description"] = telemetry.agent_desc
    body["online"] = telemetry is not None
    if telemetry is not None:
        body["last_seen"] = go_time(telemetry.last_seen)
    body["honesty_score"] = ledger.honesty_score(peer_id)
    body["is_equivocator"] = equivocator
    body["dispatch_allowed"] = not equivocator
    if equivocator:
        body["dispatch_refuse_reason"] = "peer_is_equivocator"
    body["entries_count"] = len(entries)
    if entries:
        body["last_entry_at"] = go_time(max(entry.received_at for entry in entries))
    if telemetry is not None:
        for key, value in (
            ("advertised_image_ref", telemetry.agent_image_ref),
            ("advertised_image_digest", telemetry.agent_image_digest),
            ("advertised_capability", telemetry.agent_capability),
        ):
            if value:
                body[key] = value
    verified, unverified = ledger.rater_summary(peer_id)
    body["rater_summary"] = {
        "verified_raters_count": verified,
        "unverified_raters_count": unverified,
    }
    return _ok(body)


# --- 5.12.2 -------------------------------------------------------------------------------------


def _reputation(boss: Boss, request: Request, peer_id: str) -> Reply:
    if request.method != "GET":
        return _only_get()
    invalid = _checked_id(peer_id, missing="missing peer_id in path")
    if invalid is not None:
        return invalid
    ledger = boss.ledger
    ratings = [entry for entry in ledger.entries_about(peer_id) if entry.kind == "Rating"]
    body: dict[str, Any] = {
        "peer_id": peer_id,
        "scores": {"honesty": ledger.honesty_score(peer_id)},
        "rating_count": len(ratings),
    }
    last_updated = ledger.reputation_last_updated(peer_id)
    if last_updated is not None:
        body["last_updated"] = go_time_utc_seconds(last_updated)
    body["is_equivocator"] = ledger.is_equivocator(peer_id)
    worker = boss.online_worker(_canonical(peer_id))
    if worker is not None:
        telemetry = worker.telemetry(boss.clock())
        for key in ("agent_image_ref", "agent_image_digest", "agent_capability"):
            value = getattr(telemetry, key)
            if value:
                body[key] = value
    return _ok(body)


# --- 5.12.3 -------------------------------------------------------------------------------------


def _go_atoi(text: str) -> int | None:
    """strconv.Atoi: optional sign and decimal digits only, within int64."""
    if not _GO_INT.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _go_parse_uint64(text: str) -> int | None:
    """strconv.ParseUint(text, 10, 64): decimal digits only (no sign), within uint64."""
    if not _GO_UINT.fullmatch(text):
        return None
    value = int(text)
    return value if value < 2**64 else None


def _log(boss: Boss, request: Request, peer_id: str) -> Reply:
    if request.method != "GET":
        return _only_get()
    invalid = _checked_id(peer_id, missing="missing peer_id in path")
    if invalid is not None:
        return invalid
    limit = _go_atoi(request.query("limit"))
    if limit is None or limit <= 0:
        limit = LOG_DEFAULT_LIMIT
    limit = min(limit, LOG_MAX_LIMIT)
    # Unsigned: a sign, a space or a value past uint64 is unparsable and means 0
    # (docs/reference/gateway-protocol.md §5.12.3).
    offset = min(_go_parse_uint64(request.query("offset")) or 0, LOG_MAX_OFFSET)
    ledger = boss.ledger
    entries = ledger.entries_about(peer_id)
    # The reported offset is clamped to what exists (docs/reference/gateway-protocol.md §5.12.3).
    offset = min(offset, len(entries))
    page = entries[offset : offset + limit]
    rendered = []
    for entry in page:
        item: dict[str, Any] = {
            "received_at": go_time(entry.received_at),
            "kind": entry.kind,
            "entry_hash": entry.entry_hash.hex(),
            "rater_peer_id": entry.rater_peer_id,
        }
        if entry.dimension:
            item["dimension"] = entry.dimension
        if entry.score != 0:
            item["score"] = entry.score
        if entry.context:
            item["context"] = entry.context
        if entry.language:
            item["language"] = entry.language
        verified = ledger.is_verified_rater(entry.rater_peer_id)
        item["rater_status"] = "verified" if verified else "unverified"
        item["rater_honesty_score"] = ledger.honesty_score(entry.rater_peer_id)
        if entry.text_cid:
            item["text_cid"] = entry.text_cid
        rendered.append(item)
    body = {
        "subject": peer_id,
        "limit": limit,
        "offset": offset,
        "returned": len(rendered),
        "entries": rendered,
    }
    return _ok(body)


# --- 5.12.4 -------------------------------------------------------------------------------------


def _proof(boss: Boss, request: Request, peer_id: str) -> Reply:
    if request.method != "GET":
        return _only_get()
    if not peer_id:
        return envelope_reply(400, "bad_request", "missing peer_id in path")
    # Otherwise the {id} segment is ignored: not parsed, not validated
    # (docs/reference/gateway-protocol.md §5.12.4).
    entry = request.query("entry")
    if not entry:
        return envelope_reply(400, "bad_request", "missing entry query parameter")
    if not _HEX64.fullmatch(entry):
        return envelope_reply(400, "bad_request", "entry must be a 64-char hex string")
    try:
        proof = boss.ledger.prove(bytes.fromhex(entry))
    except EntryNotFound as exc:
        return envelope_reply(404, "entry_not_found", str(exc))
    except LedgerError as exc:
        return envelope_reply(500, "prove_error", str(exc))
    body = {
        "entry_hash": entry,  # echoed verbatim, whatever its hex case
        "position": proof.position,
        "audit_path": [node.hex() for node in proof.audit_path],
        "head": {
            "tree_size": proof.tree_size,
            "root_hash": proof.root_hash.hex(),
            "witness_count": proof.witness_count,
            "signed_at": go_time_utc_seconds(proof.signed_at),
        },
    }
    return _ok(body)


# --- 5.12.5 / 5.12.6 ----------------------------------------------------------------------------


def _attached_hash(text: str) -> bytes | None:
    # Invalid hex or a wrong length is silently dropped
    # (docs/reference/gateway-protocol.md §5.12.5).
    return bytes.fromhex(text) if _HEX64.fullmatch(text) else None


def _comment_created(cid: str, entry_hash: bytes) -> Reply:
    return _ok({"cid": cid, "ledger_hash": entry_hash.hex()}, 201)


async def _read_comment_fields(
    request: Request, fields: dict[str, FieldKind]
) -> dict[str, Any] | Reply:
    try:
        body = await request.body(COMMENT_BODY_LIMIT)
    except OSError as exc:
        return envelope_reply(400, "read_body", f"read body: {exc}")
    try:
        return decode_go_object(body, fields)
    except GoJSONError as exc:
        return envelope_reply(400, "bad_json", f"invalid JSON: {exc}")


def _text_too_large(text: str) -> Reply | None:
    if len(text.encode("utf-8")) > MAX_COMMENT_TEXT_BYTES:
        return envelope_reply(400, "body_too_large", f"text exceeds {MAX_COMMENT_TEXT_BYTES} bytes")
    return None


def _base64_error(text: str) -> str:
    for index, character in enumerate(text):
        if not (character.isascii() and (character.isalnum() or character in "+/=")):
            return f"illegal base64 data at input byte {index}"
    return f"illegal base64 data at input byte {len(text)}"


async def _signed_comment(boss: Boss, request: Request, subject: str) -> Reply:
    if request.method != "POST":
        return _only_post()
    invalid = _checked_id(subject, missing="missing subject peer_id in path")
    if invalid is not None:
        return invalid
    fields = await _read_comment_fields(request, _SIGNED_FIELDS)
    if isinstance(fields, Reply):
        return fields
    rater = fields.get("rater_peer_id", "")
    text = fields.get("text", "")
    signature_text = fields.get("signature", "")
    if not rater or not text or not signature_text:
        return envelope_reply(
            400, "missing_field", "rater_peer_id, text, and signature are required"
        )
    timestamp = fields.get("timestamp_unix_ns", 0)
    if timestamp <= 0:
        return envelope_reply(400, "missing_field", "timestamp_unix_ns must be > 0")
    too_large = _text_too_large(text)
    if too_large is not None:
        return too_large
    rater_error = peer_decode_error(rater)
    if rater_error is not None:
        return envelope_reply(400, "bad_peer_id", rater_error)
    try:
        signature: bytes | None = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        signature = None
    try:
        # The ledger checks the submitter, stores the body, then verifies (5.12.5 order).
        entry = boss.ledger.submit_signed_comment(
            subject,
            rater_peer_id=rater,
            text=text,
            signature=signature or b"",
            timestamp_unix_ns=timestamp,
            language=fields.get("language", ""),
            attached_rating_hash=_attached_hash(fields.get("attached_rating_hash", "")),
        )
    except NonSelfSubmitter as exc:
        return envelope_reply(403, "non_self_submitter", str(exc))
    except BadSignature as exc:
        message = str(exc)
        if signature is None:
            message = f"decode signature: {_base64_error(signature_text)}"
        return envelope_reply(401, "bad_signature", message)
    except (LedgerError, ValueError) as exc:
        return envelope_reply(500, "append_failed", str(exc))
    return _comment_created(comment_cid_for_text(text), entry.entry_hash)


async def _self_comment(boss: Boss, request: Request, subject: str) -> Reply:
    if request.method != "POST":
        return _only_post()
    invalid = _checked_id(subject, missing="missing subject peer_id in path")
    if invalid is not None:
        return invalid
    fields = await _read_comment_fields(request, _SELF_FIELDS)
    if isinstance(fields, Reply):
        return fields
    text = fields.get("text", "")
    if not text:
        return envelope_reply(400, "missing_field", "text is required")
    too_large = _text_too_large(text)
    if too_large is not None:
        return too_large
    rating: float | None = fields.get("rating")
    if rating is not None and not -1.0 <= rating <= 1.0:
        return envelope_reply(400, "bad_rating", "rating must be a finite number in [-1.0, +1.0]")
    ledger = boss.ledger
    try:
        comment = ledger.append_comment(
            subject,
            text=text,
            # no default language here (docs/reference/gateway-protocol.md §5.12.6)
            language=fields.get("language", ""),
            attached_rating_hash=_attached_hash(fields.get("attached_rating_hash", "")),
        )
    except (LedgerError, ValueError) as exc:
        return envelope_reply(500, "append_failed", str(exc))
    if rating is not None:
        try:
            ledger.append_rating(
                subject,
                dimension="honesty",
                score=rating,
                context="interactive",
                timestamp_unix_ns=comment.timestamp_unix_ns + 1,
            )
        except (LedgerError, ValueError) as exc:
            # Only logged upstream; the Comment stands (docs/reference/gateway-protocol.md §5.12.6).
            logger.warning("paired rating not recorded", extra={"error": str(exc)})
    return _comment_created(comment.text_cid, comment.entry_hash)


# --- 5.12.7 -------------------------------------------------------------------------------------


def _hex_error(cid: str) -> str | None:
    """Go's hex.DecodeString error for `cid`, or None."""
    for character in cid:
        if character not in "0123456789abcdefABCDEF":
            return f"encoding/hex: invalid byte: U+{ord(character):04X} {character!r}"
    if len(cid) % 2:
        return "encoding/hex: odd length hex string"
    return None


def _cid_error(cid: str) -> str | None:
    hex_error = _hex_error(cid)
    if hex_error is not None:
        return hex_error
    if len(cid) != 68 or not cid.startswith("1220"):
        return "expected a sha2-256 multihash (34 bytes starting 1220)"
    return None


def _comment_body(boss: Boss, request: Request, tail: str) -> Reply:
    if request.method != "GET":
        return _only_get()
    as_json = tail.endswith(".json")
    cid = tail[: -len(".json")] if as_json else tail
    if not cid or "/" in cid:
        return envelope_reply(400, "bad_request", "missing CID in path")
    if not boss.config.generation.cid_must_be_multihash:
        # 1.3.0 only asked for hex of any length (docs/reference/gateway-versions.md §12).
        error = _hex_error(cid)
        if error is not None:
            return envelope_reply(400, "bad_cid", f"CID is not valid hex: {error}")
    else:
        error = _cid_error(cid)
        if error is not None:
            return envelope_reply(400, "bad_cid", f"CID is not a valid multihash: {error}")
    text = boss.ledger.comment_body(cid)
    if text is None:
        return envelope_reply(404, "comment_not_found", "comment body not found for this CID")
    if as_json:
        # `language` is hard-coded, whatever the comment's stored language
        # (docs/reference/gateway-protocol.md §5.12.7).
        return _ok({"cid": cid, "body": text, "language": "en"})
    return Reply(200, [("Content-Type", "text/plain; charset=utf-8")], text.encode("utf-8"))
