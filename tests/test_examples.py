"""Every script in examples/ runs, with no arguments, against the simulator it starts itself.

Each runs as a user would run it (`python examples/NN_name.py`, in its own process, with a bound
on its time) and must print what its task is about, not merely exit 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# What each example must show: the evidence that it did its task.
EXPECTED = {
    "01_discover_and_pick.py": ["no worker serves model 'llama3'", "picked "],
    "02_run.py": ["received: Summarise the plot of Hamlet", "task task_"],
    "03_stream.py": ["== sync ==", "[marker: ", "== async ==", "received: Count to five"],
    "04_artifacts.py": ["2 file(s)", "report.md", "# Quarterly report"],
    "05_async_webhook.py": ["queued task task_", "-> completed"],
    "06_list_and_pick_by_peer_id.py": [
        "1. browse and pick: ",
        "2. fetch by id: ",
        "3. pin without listing: ",
    ],
    "07_openai.py": ["== models ==", "received: user: Say hi", "received: user: hi from openai"],
    "08_scatter_with_checkpoint.py": ["first run: 24 results", "0 failed", "same answers: True"],
    "09_events.py": ["WorkerOfflineEvent   2 online", "WorkerOnlineEvent    3 online"],
    "10_trust_and_proofs.py": ["refused the dispatch", "proof checked locally", "Comment"],
}

pytestmark = pytest.mark.once


def test_every_example_is_checked() -> None:
    scripts = {path.name for path in EXAMPLES.glob("[0-9][0-9]_*.py")}
    assert scripts == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_against_the_embedded_simulator(name: str) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AGENTFM_")
    }
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=EXAMPLES.parent,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    for evidence in EXPECTED[name]:
        assert evidence in completed.stdout, f"{name} did not print {evidence!r}"
