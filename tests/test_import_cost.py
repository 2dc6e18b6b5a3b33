"""`import agentfm` stays cheap: the heavy parts load on first use (api-contract.md, Packaging)."""

from __future__ import annotations

import subprocess
import sys

# Modules that must not load with `import agentfm`, and why a user would mind.
LAZY = {
    "agentfm.openai": "the OpenAI namespace and its models",
    "agentfm.testing": "the simulator",
    "starlette": "the simulator's server stack",
    "uvicorn": "the simulator's server stack",
    "agentfm.cli": "the command line",
    "agentfm.daemon": "the local gateway launcher",
    "agentfm.webhook": "the webhook receiver",
    "agentfm.artifacts": "zip extraction",
    "agentfm._scatter": "the scatter scheduler",
    "cryptography": "an optional dependency",
}


def _loaded_after(statement: str) -> set[str]:
    probe = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(completed.stdout.split())


def test_import_agentfm_loads_none_of_the_heavy_parts() -> None:
    loaded = _loaded_after("import agentfm")
    assert "agentfm" in loaded
    assert {name for name in LAZY if name in loaded} == set()


def test_the_lazy_names_still_resolve_on_first_use() -> None:
    loaded = _loaded_after(
        "import agentfm\n"
        "agentfm.AgentFMRoutingWarning, agentfm.WebhookReceiver, agentfm.LocalMeshGateway"
    )
    assert {"agentfm.openai", "agentfm.webhook", "agentfm.daemon"} <= loaded
    assert "agentfm.openai.models" not in loaded
    assert "agentfm.testing" not in loaded
