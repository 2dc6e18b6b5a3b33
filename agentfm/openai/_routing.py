"""`AgentFMRoutingWarning`: said once per model string when an OpenAI call names a worker loosely.

The gateway's model matcher (docs/reference/gateway-protocol.md §5.10) accepts any string as
`model`: a peer id pins one worker, while an agent name or an engine picks whichever peer advertises
it, and any peer can advertise any name. That is allowed, so it is a warning, not an error; as in
0.3.0 it is said once per distinct model string in the process, not on every call.
"""

from __future__ import annotations

import threading
import warnings

from agentfm._identifiers import is_peer_id

__all__ = ["AgentFMRoutingWarning", "looks_like_peer_id", "warn_unless_peer_id"]


class AgentFMRoutingWarning(UserWarning):
    """`model` names an agent or an engine rather than a worker's peer id."""


# The two base58 forms libp2p prints (Ed25519 and RSA/sha2-256 keys). Recognised by prefix, as
# 0.3.0 did, so a test double's short fake id counts as a peer id too; CIDv1 ids are decoded.
PEER_ID_PREFIXES = ("12D3KooW", "Qm")
# The model strings already warned about; bounded, so a caller that sends endless distinct
# names cannot grow it without limit (past the bound, new names are no longer warned about).
MAX_REMEMBERED_MODELS = 1024

_lock = threading.Lock()
_warned_models: set[str] = set()


def looks_like_peer_id(model: str) -> bool:
    """True when `model` is meant as a peer id: a `12D3KooW`/`Qm` prefix or any libp2p id.

    The gateway trims `model` before matching (docs/reference/gateway-protocol.md §5.10), so
    surrounding spaces do not matter.
    """
    text = model.strip()
    return text.startswith(PEER_ID_PREFIXES) or is_peer_id(text)


def warn_unless_peer_id(model: str, *, stacklevel: int) -> None:
    """Warn, the first time this model string is seen in the process, unless it is a peer id.

    `stacklevel` is counted from the caller of this function.
    """
    if looks_like_peer_id(model):
        return
    with _lock:
        if model in _warned_models or len(_warned_models) >= MAX_REMEMBERED_MODELS:
            return
        _warned_models.add(model)
    warnings.warn(
        f"model {model!r} is not a peer id: the gateway routes it by agent name or engine, which "
        "any peer can advertise. Pass a worker's peer id (client.openai.models.list() lists "
        "them) to pin the worker you trust in production. (Shown once per model string.)",
        AgentFMRoutingWarning,
        stacklevel=stacklevel + 1,
    )
