"""`make demo`: the README's hello world, run against the embedded gateway simulator.

    python -m agentfm.demo            # starts agentfm-sim's default mesh in-process

Discover, pick by peer id, run a task that writes a file, stream one, and use the
OpenAI-compatible namespace — printing what a user would see against a real gateway.
Needs the `[sim]` extra (`pip install "agentfm-sdk[sim]"`); without it, it says so in one line.
"""

from __future__ import annotations

import sys

from agentfm import AgentFMClient, AgentFMError

MODEL = "llama3.2"


def _section(title: str) -> None:
    print(f"\n== {title} ==")


def hello_world(client: AgentFMClient, model: str = MODEL) -> int:
    """The tour; returns the exit status (1 when no worker serves `model`)."""
    _section("1. Discover: every candidate with its metadata")
    for w in client.workers.list():
        print(
            f"{w.peer_id[:12]}...  {w.agent_name:<14} {w.model:<9} {w.author!r}  "
            f"load={w.current_tasks}/{w.max_tasks}  honesty={w.honesty_score:+.2f}"
        )

    _section("2. Pick: by peer id, the only verifiable identifier")
    candidates = client.workers.list(model=model)
    if not candidates:
        # An empty list is the answer to a filter nothing matches (a typo such as "llama3").
        engines = sorted({w.model for w in client.workers.list()})
        print(f"no worker serves model {model!r}; the mesh offers: {', '.join(engines) or 'none'}")
        return 1
    worker = candidates[0]
    print(f"picked {worker.agent_name} ({worker.peer_id})")

    _section("3. Dispatch: run a task; the files it writes come back extracted")
    result = client.tasks.run(
        worker_id=worker.peer_id,
        prompt="Draft a 200-word leave policy. Save it as policy.md to /tmp/output.",
    )
    print(result.text)
    print(f"Duration: {result.duration_seconds:.1f}s  (task {result.task_id})")
    for path in result.artifacts:
        print(f"  artifact: {path} ({path.stat().st_size} bytes)")
    if not result.artifacts:
        # This worker wrote no file; the demo mesh's policy-writer does, so show that part too.
        writers = client.workers.list(agent_name="policy-writer")
        if writers:
            print(f"\n{worker.agent_name} wrote no file; {writers[0].agent_name} does:")
            written = client.tasks.run(
                worker_id=writers[0].peer_id, prompt="Save the policy as policy.md"
            )
            for path in written.artifacts:
                print(f"  artifact: {path} ({path.stat().st_size} bytes)")

    _section("4. Stream: text as it arrives, then the end-of-task marker")
    for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="Translate 'hello, mesh'"):
        if chunk.kind == "text":
            print(chunk.text, end="", flush=True)
        else:
            print(f"   <marker {chunk.marker}>")

    _section("5. OpenAI-compatible namespace")
    response = client.openai.chat.completions.create(
        model=worker.peer_id, messages=[{"role": "user", "content": "hi"}]
    )
    print(response.choices[0].message.content, end="")
    for piece in client.openai.chat.completions.create(
        model=worker.peer_id, messages=[{"role": "user", "content": "stream hi"}], stream=True
    ):
        if piece.choices and piece.choices[0].delta.content:
            print(piece.choices[0].delta.content, end="", flush=True)
    return 0


def main() -> int:
    from agentfm.testing._extras import SimExtraMissingError, sim_extra_required

    try:
        with sim_extra_required("python -m agentfm.demo"):
            from agentfm.testing import MeshSimulator

            mesh = MeshSimulator()
    except SimExtraMissingError as missing:
        print(missing, file=sys.stderr)
        return 1

    with mesh:
        print(f"agentfm-sim (simulated gateway) listening on {mesh.url}")
        print(f"artifacts are written to {mesh.artifacts_dir}")
        with AgentFMClient(gateway_url=mesh.url, artifacts_dir=mesh.artifacts_dir) as client:
            try:
                status = hello_world(client)
            except AgentFMError as error:
                print(f"\ndemo failed: {error}", file=sys.stderr)
                return 1
    if status == 0:
        print(
            "\nDone. Point AgentFMClient(gateway_url=...) at a real `agentfm -mode api`"
            " to do the same."
        )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
