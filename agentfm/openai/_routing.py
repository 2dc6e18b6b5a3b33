"""`AgentFMRoutingWarning`: said once per process when an OpenAI call names a worker loosely.

The gateway's model matcher (docs/reference/gateway-protocol.md §5.10) accepts any string as
`model`: a peer id pins one worker, while an agent name or an engine picks whichever peer advertises
it, and any peer can advertise any name. That is allowed, so it is a warning, not an error, and
repeating it on every call would only be noise.
"""

from __future__ import annotations

import threading
import warnings

from agentfm._identifiers import is_peer_id

__all__ = ["AgentFMRoutingWarning", "warn_unless_peer_id"]


class AgentFMRoutingWarning(UserWarning):
    """`model` names an agent or an engine rather than a worker's peer id."""


_lock = threading.Lock()
_warned = False


def warn_unless_peer_id(model: str, *, stacklevel: int) -> None:
    """Warn (the first time in this process only) when `model` is not a libp2p peer id.

    Every libp2p text form counts as a peer id (`12D3KooW...`, `Qm...`, CIDv1 `bafz...`). The
    gateway trims `model` before matching (docs/reference/gateway-protocol.md §5.10), so surrounding
    spaces do not matter here either. `stacklevel` is counted from the caller of this function.
    """
    global _warned
    if is_peer_id(model.strip()):
        return
    with _lock:
        first_time = not _warned
        _warned = True
    if not first_time:
        return
    warnings.warn(
        f"model {model!r} is not a peer id: the gateway routes it by agent name or engine, which "
        "any peer can advertise. Pass a worker's peer id (client.openai.models.list() lists "
        "them) to pin the worker you trust in production. (Shown once per process.)",
        AgentFMRoutingWarning,
        stacklevel=stacklevel + 1,
    )
