# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
"""The gateway's answers as the SDK reads them: one class per answer shape of schema/openapi.yaml.

Reading is lenient (see `_records.Record`): a key an older gateway does not send takes the
default shown here, an unknown key is kept, a value of the wrong type raises `RecordError`
naming the field. `agentfm.models` and `agentfm.openai.models` re-export these classes.
"""

from __future__ import annotations

import dataclasses
import datetime

from agentfm_gateway._derived import (
    LogEntryDerived,
    ModelsListDerived,
    PeerLogDerived,
    PeerReputationDerived,
    WorkerDerived,
)
from agentfm_gateway._records import Record

__all__ = [
    "About",
    "AsyncTaskAck",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatMessage",
    "ChoiceDelta",
    "CommentBody",
    "CommentReceipt",
    "Health",
    "InclusionProof",
    "LogEntry",
    "ModelEntry",
    "ModelsList",
    "PeerLog",
    "PeerReputation",
    "PeerSummary",
    "RaterSummary",
    "TextCompletion",
    "TextCompletionChoice",
    "TextCompletionChunk",
    "TextCompletionChunkChoice",
    "TreeHead",
    "Usage",
    "WebhookPayload",
    "WorkerProfile",
    "WorkersResponse",
]


@dataclasses.dataclass(kw_only=True)
class Health(Record):
    """Liveness of the gateway (docs/reference/gateway-protocol.md §5.1)."""

    online_workers: int = 0
    """Workers in the live telemetry table (the online entries of `/api/workers`)."""

    status: str = ""
    """Always `ok`."""


@dataclasses.dataclass(kw_only=True)
class WorkerProfile(WorkerDerived, Record):
    """One worker as `/api/workers` reports it (docs/reference/gateway-protocol.md §5.3). The engine/model is only inside
    `hardware`. Offline entries come from the ledger and carry stale or empty live fields.
    """

    peer_id: str
    """The worker's peer id; use it as `worker_id` or `model`."""

    author: str = "Anonymous"
    """Operator handle (workers default to `Anonymous`)."""

    name: str = ""
    """Agent name (at most 20 characters at the worker)."""

    status: str = "UNKNOWN"
    """`AVAILABLE` or `BUSY` from telemetry. `""` for an offline peer never seen live by this
    gateway process; an offline peer seen earlier keeps its **last** status, so never
    infer liveness from it (use `online`).
    """

    hardware: str = ""
    """**The only place the engine/model appears on this route.** `<model> (CPU: <cores>
    Cores)`, or with a GPU `<model> (GPU VRAM: <used>/<total> GB)` (one decimal). A
    never-seen offline peer shows ` (CPU: 0 Cores)` (leading space, empty model).
    """

    description: str = ""
    """Agent description (at most 3000 bytes)."""

    cpu_usage_pct: float = 0.0

    ram_free_gb: float = 0.0
    """Available RAM, GiB."""

    current_tasks: int = 0

    max_tasks: int = 0

    has_gpu: bool = False

    gpu_used_gb: float = 0.0

    gpu_total_gb: float = 0.0

    gpu_usage_pct: float = 0.0

    agent_image_ref: str | None = None
    """The worker's container image reference; omitted when empty. (Sent since gateway 1.3.0.)"""

    agent_image_digest: str | None = None
    """`sha256:<hex>` of the image; omitted when empty. (Sent since gateway 1.3.0.)"""

    agent_capability: str | None = None
    """Kebab-case capability tag; omitted when empty. (Sent since gateway 1.3.0.)"""

    honesty_score: float = 0.0
    """EigenTrust score in [-1, 1]; 0 for unknown peers. (Sent since gateway 1.3.0.)"""

    is_equivocator: bool = False
    """(Sent since gateway 1.3.0.)"""

    dispatch_allowed: bool = True
    """Reflects **only the equivocator check**: false only for equivocators. The
    reputation floor is not considered, so `true` can still end in a 403
    `dispatch refused: reputation_below_floor`. (Sent since gateway 1.3.0.)
    """

    dispatch_refuse_reason: str | None = None
    """Omitted when empty; the only value is `peer_is_equivocator`. (Sent since gateway 1.3.0.)"""

    online: bool = True
    """In the live telemetry table. (Sent since gateway 1.3.0.)"""

    last_seen: datetime.datetime | None = None
    """Time of the last telemetry pulse, RFC 3339 in the gateway host's local zone. Present
    for online workers, **never present for offline ones**. (Sent since gateway 1.3.0.)
    """


@dataclasses.dataclass(kw_only=True)
class WorkersResponse(Record):
    """Reply of `GET /api/workers` (docs/reference/gateway-protocol.md §5.3)."""

    agents: list[WorkerProfile] = dataclasses.field(default_factory=list)
    """Online workers first (most recent telemetry first), then offline peers. Never null."""

    offline_count: int = 0
    """Offline entries included (0 unless `include_offline=true`). (Sent since gateway 1.3.0.)"""

    online_count: int = 0
    """Online entries. (Sent since gateway 1.3.0.)"""

    success: bool = True
    """Always `true`, even when a ledger failure emptied the list."""


@dataclasses.dataclass(kw_only=True)
class AsyncTaskAck(Record):
    """The 202 acknowledgement, exactly
    `{"message":"Task dispatched to P2P mesh.","status":"queued","task_id":"task_…"}`.
    """

    message: str = ""
    """Always `Task dispatched to P2P mesh.`"""

    status: str = "queued"
    """Always `queued`."""

    task_id: str
    """Gateway-minted id; the webhook and the artifact zip carry it."""


@dataclasses.dataclass(kw_only=True)
class WebhookPayload(Record):
    """Body of the `taskCompleted` webhook (docs/reference/gateway-protocol.md §5.5): compact JSON, alphabetical keys, no trailing
    newline.
    """

    status: str
    """Always `completed`, the only value that exists (failed tasks send no webhook)."""

    task_id: str
    """The id returned in the 202 (`task_` + 24 lowercase hex)."""

    worker_id: str
    """The `worker_id` exactly as submitted."""


@dataclasses.dataclass(kw_only=True)
class About(Record):
    """Reply of `GET /v1/about` (docs/reference/gateway-protocol.md §5.7); every key is always present."""

    boss_peer_id: str = ""
    """This gateway's peer id (stable per working directory); the rater of its own ledger entries."""

    relay_peer_id: str = ""
    """The relay's peer id while connected, else `""`."""

    relay_multiaddr: str = ""
    """The configured bootstrap multiaddr while connected, else `""`."""

    reputation_floor: float = 0.0
    """Dispatch threshold (`-reputation-floor`, default `-0.5`): peers whose honesty score
    is strictly below it are refused.
    """

    ledger_tree_size: int = 0
    """Size of this gateway's own signed log (0 when none)."""

    version: str = ""
    """Gateway version, `1.3.0`."""

    uptime_seconds: int = 0
    """Whole seconds since the gateway started."""


@dataclasses.dataclass(kw_only=True)
class ModelEntry(Record):
    """One online worker as an OpenAI model (docs/reference/gateway-protocol.md §5.9). `id` is the value to send as `model`.
    (`agentfm_last_seen` is declared upstream but never populated, so it never appears.)
    """

    id: str
    """The worker's peer id."""

    object: str = "model"

    created: int = 0
    """Unix seconds **at request time**, the same for every entry (not a creation time)."""

    owned_by: str = "agentfm"
    """The worker's author, or `agentfm` when empty."""

    description: str | None = None
    """`<agent name> · <engine> — <agent description>` (U+00B7, U+2014), parts left out when
    empty; omitted when all are empty.
    """

    agentfm_name: str | None = None
    """Agent name; omitted when empty."""

    agentfm_engine: str | None = None
    """The worker's model/engine string (its `-model`); omitted when empty."""

    agentfm_status: str | None = None
    """`AVAILABLE` or `BUSY`; omitted when empty."""

    agentfm_hardware: str | None = None
    """Same format as `hardware` on `/api/workers`; present in practice for every online worker."""

    agentfm_current_tasks: int = 0

    agentfm_max_tasks: int = 0

    agentfm_cpu_usage_pct: float = 0.0

    agentfm_ram_free_gb: float = 0.0

    agentfm_has_gpu: bool = False

    agentfm_gpu_used_gb: float = 0.0

    agentfm_gpu_total_gb: float = 0.0

    agentfm_gpu_usage_pct: float = 0.0

    agentfm_image_ref: str | None = None
    """Omitted when empty. (Sent since gateway 1.3.0.)"""

    agentfm_image_digest: str | None = None
    """Omitted when empty. (Sent since gateway 1.3.0.)"""

    agentfm_capability: str | None = None
    """Omitted when empty. (Sent since gateway 1.3.0.)"""

    agentfm_honesty_score: float = 0.0
    """(Sent since gateway 1.3.0.)"""

    agentfm_is_equivocator: bool = False
    """(Sent since gateway 1.3.0.)"""

    agentfm_dispatch_allowed: bool = True
    """Equivocator check only, as `dispatch_allowed` on `/api/workers`. (Sent since gateway 1.3.0.)"""

    agentfm_dispatch_refuse_reason: str | None = None
    """Omitted when empty; the only value is `peer_is_equivocator`. (Sent since gateway 1.3.0.)"""

    agentfm_online: bool = True
    """Always `true`. (Sent since gateway 1.3.0.)"""


@dataclasses.dataclass(kw_only=True)
class ModelsList(ModelsListDerived, Record):
    """Reply of `GET /v1/models` (docs/reference/gateway-protocol.md §5.9)."""

    object: str = "list"

    data: list[ModelEntry] = dataclasses.field(default_factory=list)
    """One entry per online worker, unspecified order; `[]` when none."""


@dataclasses.dataclass()
class ChatMessage(Record):
    """One chat message. In a request the role is kept as given (an empty role counts as
    `user`) and messages with empty or null content are skipped. `content` must be a
    string or null: array (multimodal) content fails to decode ⇒ 400.
    """

    role: str = ""

    content: str | None = None


@dataclasses.dataclass(kw_only=True)
class ChatCompletionChoice(Record):
    """ChatCompletionChoice"""

    index: int = 0
    """Always 0."""

    message: ChatMessage = dataclasses.field(default_factory=ChatMessage)

    finish_reason: str | None = None
    """Always `stop`."""


@dataclasses.dataclass(kw_only=True)
class Usage(Record):
    """Always present and always zeros; the gateway does not count tokens."""

    prompt_tokens: int = 0

    completion_tokens: int = 0

    total_tokens: int = 0


@dataclasses.dataclass(kw_only=True)
class ChatCompletion(Record):
    """Non-streaming chat reply (docs/reference/gateway-protocol.md §5.10)."""

    id: str = ""
    """`chatcmpl-` + 24 hex."""

    object: str = "chat.completion"

    created: int = 0
    """Unix seconds."""

    model: str = ""
    """The `model` exactly as sent."""

    choices: list[ChatCompletionChoice] = dataclasses.field(default_factory=list)
    """Exactly one choice."""

    usage: Usage = dataclasses.field(default_factory=Usage)


@dataclasses.dataclass(kw_only=True)
class ChoiceDelta(Record):
    """Both keys are always present: the first chunk is `{"role":"assistant","content":""}`,
    content chunks have `role` `""`, the final chunk has both `""`.
    """

    role: str | None = None

    content: str | None = None


@dataclasses.dataclass(kw_only=True)
class ChatCompletionChunkChoice(Record):
    """ChatCompletionChunkChoice"""

    index: int = 0
    """Always 0."""

    delta: ChoiceDelta = dataclasses.field(default_factory=ChoiceDelta)

    finish_reason: str | None = None
    """`null` except on the last chunk, where it is `stop` (also after a stream error)."""


@dataclasses.dataclass(kw_only=True)
class ChatCompletionChunk(Record):
    """One `data:` frame of a streamed chat completion (docs/reference/gateway-protocol.md §5.10). `id` and `created` are the
    same on every chunk.
    """

    id: str = ""
    """`chatcmpl-` + 24 hex."""

    object: str = "chat.completion.chunk"

    created: int = 0

    model: str = ""
    """The `model` exactly as sent."""

    choices: list[ChatCompletionChunkChoice] = dataclasses.field(default_factory=list)
    """Exactly one choice."""

    agentfm_peer_id: str | None = None
    """The worker that was chosen. (Sent since gateway 1.3.0.)"""

    agentfm_task_id: str | None = None
    """`task_<24 hex>`: names the artifact zip `agentfm_artifacts/<task_id>.zip`. (Sent since gateway 1.3.0.)"""


@dataclasses.dataclass(kw_only=True)
class TextCompletionChoice(Record):
    """TextCompletionChoice"""

    index: int = 0
    """Always 0."""

    text: str = ""
    """The filtered worker output; ends with `\\n`."""

    finish_reason: str | None = None
    """Always `stop`."""


@dataclasses.dataclass(kw_only=True)
class TextCompletion(Record):
    """Non-streaming text completion reply (docs/reference/gateway-protocol.md §5.11)."""

    id: str = ""
    """`cmpl-` + 24 hex."""

    object: str = "text_completion"

    created: int = 0
    """Unix seconds."""

    model: str = ""
    """The `model` exactly as sent."""

    choices: list[TextCompletionChoice] = dataclasses.field(default_factory=list)
    """Exactly one choice."""

    usage: Usage = dataclasses.field(default_factory=Usage)


@dataclasses.dataclass(kw_only=True)
class TextCompletionChunkChoice(Record):
    """TextCompletionChunkChoice"""

    index: int = 0
    """Always 0."""

    text: str = ""
    """One output line with its `\\n`; `""` on the final chunk."""

    finish_reason: str | None = None
    """`null` except on the last chunk, where it is `stop` (also after a stream error)."""


@dataclasses.dataclass(kw_only=True)
class TextCompletionChunk(Record):
    """One `data:` frame of a streamed text completion (docs/reference/gateway-protocol.md §5.11). Unlike chat chunks it carries
    no `agentfm_peer_id` / `agentfm_task_id`.
    """

    id: str = ""
    """`cmpl-` + 24 hex."""

    object: str = "text_completion"

    created: int = 0

    model: str = ""

    choices: list[TextCompletionChunkChoice] = dataclasses.field(default_factory=list)
    """Exactly one choice."""


@dataclasses.dataclass(kw_only=True)
class RaterSummary(Record):
    """Distinct raters of the peer; a rater is verified when its own honesty score is ≥ 0.1."""

    verified_raters_count: int = 0

    unverified_raters_count: int = 0


@dataclasses.dataclass(kw_only=True)
class PeerSummary(Record):
    """Reply of `GET /v1/peers/{id}` (docs/reference/gateway-protocol.md §5.12.1). Live fields are present only while the peer is online."""

    peer_id: str = ""
    """The path segment as given."""

    agent_name: str = ""
    """Agent name; `""` unless online."""

    author: str | None = None
    """Omitted when empty (always when offline)."""

    description: str | None = None
    """Omitted when empty (always when offline)."""

    online: bool = False
    """In the live telemetry table."""

    last_seen: datetime.datetime | None = None
    """Last telemetry time (local zone); omitted unless online."""

    honesty_score: float = 0.0

    is_equivocator: bool = False

    dispatch_allowed: bool = False
    """Equivocator check only, as `dispatch_allowed` on `/api/workers`."""

    dispatch_refuse_reason: str | None = None
    """Omitted when empty; the only value is `peer_is_equivocator`."""

    entries_count: int = 0
    """Ledger entries (Ratings and Comments) about the peer, own log and inbox."""

    last_entry_at: datetime.datetime | None = None
    """Newest entry's received/inserted time (local zone); omitted when there are no entries."""

    advertised_image_ref: str | None = None
    """Omitted when empty (always when offline)."""

    advertised_image_digest: str | None = None
    """Omitted when empty (always when offline)."""

    advertised_capability: str | None = None
    """Omitted when empty (always when offline)."""

    rater_summary: RaterSummary = dataclasses.field(default_factory=RaterSummary)


@dataclasses.dataclass(kw_only=True)
class PeerReputation(PeerReputationDerived, Record):
    """Reply of `GET /v1/peers/{id}/reputation` (docs/reference/gateway-protocol.md §5.12.2)."""

    peer_id: str = ""
    """The path segment as given."""

    scores: dict[str, float] = dataclasses.field(default_factory=dict)
    """Scores by dimension: `{"honesty": x}`; an equivocator gets exactly `-1`; `{}` when
    the gateway has no reputation engine.
    """

    rating_count: int = 0
    """Rating entries (all dimensions) about the peer, own log and inbox."""

    last_updated: datetime.datetime | None = None
    """Newest rating's received/inserted time, **UTC, whole seconds**
    (`YYYY-MM-DDTHH:MM:SSZ`); omitted when there are no ratings.
    """

    is_equivocator: bool = False

    agent_image_ref: str | None = None
    """Omitted when empty; only while online."""

    agent_image_digest: str | None = None
    """Omitted when empty; only while online."""

    agent_capability: str | None = None
    """Omitted when empty; only while online."""


@dataclasses.dataclass(kw_only=True)
class LogEntry(LogEntryDerived, Record):
    """A Rating or Comment about the subject (docs/reference/gateway-protocol.md §5.12.3). Signature, previous hash, timestamp,
    attached rating and subject bytes are not exposed.
    """

    received_at: datetime.datetime
    """Insertion time (own log) or receipt time (inbox), local zone, nanoseconds."""

    kind: str = ""
    """`Rating` or `Comment`."""

    entry_hash: str = ""
    """RFC 6962 leaf hash of the entry in the **rater's** log; provable with `/proof` only
    when the rater is this gateway.
    """

    rater_peer_id: str = ""

    dimension: str | None = None
    """Ratings, e.g. `honesty`; omitted when empty."""

    score: float | None = None
    """Ratings; **omitted when 0**, so treat absence as 0."""

    context: str | None = None
    """Ratings (task id, `interactive`, …); omitted when empty."""

    language: str | None = None
    """Comments; omitted when empty."""

    rater_status: str = ""
    """`verified` (rater honesty ≥ 0.1) or `unverified`."""

    rater_honesty_score: float = 0.0

    text_cid: str | None = None
    """Comments only (68 hex); fetch the text with `/v1/peers/{id}/comments/{cid}`."""


@dataclasses.dataclass(kw_only=True)
class PeerLog(PeerLogDerived, Record):
    """Reply of `GET /v1/peers/{id}/log` (docs/reference/gateway-protocol.md §5.12.3)."""

    subject: str = ""
    """The path segment as given."""

    limit: int = 0
    """The effective page size (1–500)."""

    offset: int = 0
    """The effective offset, clamped to the number of entries available."""

    returned: int = 0
    """Number of entries in this page."""

    entries: list[LogEntry] = dataclasses.field(default_factory=list)
    """Newest first; `[]` when empty."""


@dataclasses.dataclass(kw_only=True)
class TreeHead(Record):
    """The current signed head of this gateway's own log (signature and signer not exposed)."""

    tree_size: int = 0

    root_hash: str = ""

    witness_count: int = 0
    """Witness co-signatures on the head; gateway 1.3.0 never attaches any, so 0."""

    signed_at: datetime.datetime
    """UTC, whole seconds (`YYYY-MM-DDTHH:MM:SSZ`)."""


@dataclasses.dataclass(kw_only=True)
class InclusionProof(Record):
    """Reply of `GET /v1/peers/{id}/proof` (docs/reference/gateway-protocol.md §5.12.4)."""

    entry_hash: str = ""
    """The `entry` query value echoed verbatim; already the leaf hash."""

    position: int = 0
    """0-based leaf index."""

    audit_path: list[str] = dataclasses.field(default_factory=list)
    """Sibling hashes bottom-up (64 hex each); `[]` for a one-entry log."""

    head: TreeHead


@dataclasses.dataclass(kw_only=True)
class CommentReceipt(Record):
    """201 reply of both comment routes."""

    cid: str = ""
    """The comment's CID (fetch the text with `/comments/{cid}`)."""

    ledger_hash: str = ""
    """Leaf hash of the new entry in this gateway's own log (provable with `/proof`)."""


@dataclasses.dataclass(kw_only=True)
class CommentBody(Record):
    """Reply of `GET /v1/peers/{id}/comments/{cid}.json` (docs/reference/gateway-protocol.md §5.12.7)."""

    cid: str = ""
    """The CID as written in the path (either hex case)."""

    text: str = dataclasses.field(default="", metadata={"json": "body"})
    """The stored comment text."""

    language: str = ""
    """Always `en`, whatever language the comment was stored with."""
