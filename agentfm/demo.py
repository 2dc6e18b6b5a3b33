"""`make demo`: the 0.3.0 README's hello world, run against the embedded gateway simulator.

    python -m agentfm.demo            # starts agentfm-sim's default mesh in-process

Discover, pick by peer id, stream a task, run one that writes a file, and use the
OpenAI-compatible namespace — printing what a user would see against a real gateway.
"""

from __future__ import annotations

import sys

from agentfm import AgentFMClient, AgentFMError


def _section(title: str) -> None:
    print(f"\n== {title} ==")


def hello_world(client: AgentFMClient) -> None:
    _section("1. Discover: every candidate with its metadata")
    for w in client.workers.list():
        print(
            f"{w.peer_id[:12]}...  {w.agent_name:<14} {w.model:<9} {w.author!r}  "
            f"load={w.current_tasks}/{w.max_tasks}  honesty={w.honesty_score:+.2f}"
        )

    _section("2. Pick: by peer id, the only verifiable identifier")
    worker = client.workers.list(model="llama3.2")[0]
    print(f"picked {worker.agent_name} ({worker.peer_id})")

    _section("3. Dispatch and stream")
    for chunk in client.tasks.stream(worker_id=worker.peer_id, prompt="Translate 'hello, mesh'"):
        if chunk.kind == "text":
            print(chunk.text, end="", flush=True)
        else:
            print(f"   <marker {chunk.marker}>")

    _section("4. Run a task that writes a file")
    writers = [w for w in client.workers.list() if w.agent_name == "policy-writer"]
    writer = writers[0] if writers else worker
    result = client.tasks.run(
        worker_id=writer.peer_id,
        prompt="Draft a 200-word leave policy. Save it as policy.md to /tmp/output.",
    )
    print(result.text)
    print(f"Duration: {result.duration_seconds:.1f}s")
    for path in result.artifacts:
        print(f"  artifact: {path} ({path.stat().st_size} bytes)")

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


def main() -> int:
    from agentfm.testing import MeshSimulator

    with MeshSimulator() as mesh:
        print(f"agentfm-sim (simulated gateway) listening on {mesh.url}")
        print(f"artifacts are written to {mesh.artifacts_dir}")
        with AgentFMClient(gateway_url=mesh.url, artifacts_dir=mesh.artifacts_dir) as client:
            try:
                hello_world(client)
            except AgentFMError as error:
                print(f"\ndemo failed: {error}", file=sys.stderr)
                return 1
    print(
        "\nDone. Point AgentFMClient(gateway_url=...) at a real `agentfm -mode api` to do the same."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
