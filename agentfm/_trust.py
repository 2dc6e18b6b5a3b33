"""Dispatch-time trust: refuse a worker before sending it anything, from what the gateway publishes.

The gateway's own trust gate (docs/reference/gateway-protocol.md §7) refuses equivocators and peers
whose honesty is below its `-reputation-floor` with a 403 at dispatch time. A caller can ask for
more (a higher minimum honesty) and learn of a refusal before dispatching rather than as a 403. Both
`tasks.run`/`stream`/`submit_async` and the scatter scheduler judge workers by `refusal_reason`.
"""

from __future__ import annotations

import math

import attrs

from agentfm.exceptions import DispatchRefusedError, InvalidRequestError
from agentfm.models import WorkerProfile

__all__ = ["TrustRequirement", "gateway_refusal_reason", "refusal_error", "refusal_reason"]

EQUIVOCATOR = "peer_is_equivocator"
BELOW_MINIMUM = "honesty_below_minimum"
BELOW_GATEWAY_FLOOR = "reputation_below_floor"


def _check_minimum(instance: TrustRequirement, attribute: object, value: float | None) -> None:
    if value is not None and (not math.isfinite(value) or not -1.0 <= value <= 1.0):
        raise InvalidRequestError(
            f"min_honesty must be a number in [-1, 1], not {value!r}", code="invalid_argument"
        )


@attrs.frozen(kw_only=True)
class TrustRequirement:
    """What a caller demands of a worker before dispatching to it.

    `min_honesty`: refuse workers whose `honesty_score` is below it. `skip_equivocators`: refuse
    recorded equivocators (the gateway would answer 403 anyway; this refuses before sending).
    """

    min_honesty: float | None = attrs.field(default=None, validator=_check_minimum)
    skip_equivocators: bool = False

    @property
    def demands_anything(self) -> bool:
        return self.min_honesty is not None or self.skip_equivocators


def refusal_reason(worker: WorkerProfile, requirement: TrustRequirement) -> str | None:
    """Why `worker` fails `requirement` (`peer_is_equivocator`/`honesty_below_minimum`), or None."""
    if requirement.skip_equivocators and (worker.is_equivocator or not worker.dispatch_allowed):
        return EQUIVOCATOR
    if requirement.min_honesty is not None and worker.honesty_score < requirement.min_honesty:
        return BELOW_MINIMUM
    return None


def gateway_refusal_reason(worker: WorkerProfile, reputation_floor: float) -> str | None:
    """The reason the gateway's own gate would refuse `worker` with a 403
    (docs/reference/gateway-protocol.md §7), or None.

    Its two checks, in its order: a recorded equivocator, then an honesty score strictly below
    the gateway's `reputation_floor` (`/v1/about`). The reasons are the gateway's own strings.
    """
    if worker.is_equivocator or not worker.dispatch_allowed:
        return EQUIVOCATOR
    if worker.honesty_score < reputation_floor:
        return BELOW_GATEWAY_FLOOR
    return None


def refusal_error(worker: WorkerProfile, reason: str) -> DispatchRefusedError:
    """The error for a worker refused before dispatch (status None: the gateway was not asked)."""
    return DispatchRefusedError(
        f"dispatch refused before sending: {reason} (peer {worker.peer_id}, "
        f"honesty {worker.honesty_score:+.2f})",
        code="dispatch_refused_locally",
        reason=reason,
    )
