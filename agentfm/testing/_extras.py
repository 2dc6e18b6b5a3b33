"""The `[sim]` extra: one clear line, with the install command, when the server stack is missing.

The simulator needs starlette, uvicorn and cryptography, which `pip install agentfm-sdk` leaves
out on purpose. Code that reaches the simulator without them gets `SimExtraMissingError` (an
`ImportError`) saying how to install them, instead of a `ModuleNotFoundError` deep in a stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SIM_EXTRA_INSTALL", "SIM_EXTRA_MODULES", "SimExtraMissingError", "sim_extra_required"]

SIM_EXTRA_INSTALL = 'pip install "agentfm-sdk[sim]"'
# The top-level modules that only the `[sim]` extra installs.
SIM_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "cryptography"})


class SimExtraMissingError(ImportError):
    """The gateway simulator was used without the `[sim]` extra installed."""


@contextmanager
def sim_extra_required(what: str = "the gateway simulator") -> Iterator[None]:
    """Turn a missing server-stack module, imported inside the block, into `SimExtraMissingError`.

    Any other import failure passes through unchanged: only the extra's own modules are
    explained by a missing extra.
    """
    try:
        yield
    except ModuleNotFoundError as error:
        top_level = (error.name or "").partition(".")[0]
        if top_level not in SIM_EXTRA_MODULES:
            raise
        raise SimExtraMissingError(
            f"{what} needs the [sim] extra ({top_level} is not installed): {SIM_EXTRA_INSTALL}",
            name=error.name,
        ) from None
