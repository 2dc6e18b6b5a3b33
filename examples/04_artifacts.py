"""Collect the files an agent writes.

    python examples/04_artifacts.py [--gateway URL --artifacts-dir DIR]

Workers ship their /tmp/output as a zip that the gateway writes on its own disk,
<gateway working directory>/agentfm_artifacts/<task_id>.zip; there is no HTTP download. Give the
client that folder (`artifacts_dir=`) and `run` waits for the zip when the worker announced files,
then extracts it into <artifacts_dir>/extracted/<task_id>/ and returns the paths.
"""

from __future__ import annotations

from _gateway import gateway, pick_worker

from agentfm import ArtifactError

# The embedded simulator gets one agent that writes a report (with a real gateway, any agent
# that writes files into /tmp/output does).
REPORT_WRITER = {
    "name": "report-writer",
    "engine": "llama3.2",
    "description": "Writes report.md and data/summary.csv",
    "delay_seconds": 0.1,
    "files": {
        "report.md": "# Quarterly report\n\nRevenue is up.\n",
        "data/summary.csv": "quarter,revenue\nQ1,10\nQ2,12\n",
    },
}

with gateway(__doc__, mesh=[REPORT_WRITER]) as gw, gw.client() as client:
    if gw.artifacts_dir is None:
        print("no --artifacts-dir given: the task runs, but its files are not collected")
    worker = pick_worker(client, "llama3.2")
    try:
        result = client.tasks.run(
            worker_id=worker.peer_id, prompt="Write the quarterly report", artifact_timeout=60
        )
    except ArtifactError as error:  # a hostile archive, or the zip never came (text is kept)
        answer = error.text
        raise SystemExit(
            f"artifacts refused or missing: {error}; the answer was: {answer!r}"
        ) from None

    print(f"task {result.task_id}: {len(result.artifacts)} file(s)")
    for path in result.artifacts:
        print(f"  {path} ({path.stat().st_size} bytes)")
        print("    " + path.read_text().splitlines()[0])
