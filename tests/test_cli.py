"""`agentfm-py` through its entry point (`python -m agentfm.cli`) against the simulator."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port

from agentfm import AgentFMClient, __version__
from agentfm.testing import MeshSimulator

KEY = "cli-gateway-key-0123456789"
PROGRAM = [sys.executable, "-m", "agentfm.cli"]
TASK_ID = re.compile(r"^task_[0-9a-f]{24}$")


def _environment(gateway_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AGENTFM_")}
    env["AGENTFM_GATEWAY_URL"] = gateway_url
    env.update(extra or {})
    return env


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines()]

    def assert_one_line_error(self, status: int) -> str:
        assert self.status == status, (self.status, self.stdout, self.stderr)
        assert "Traceback" not in self.stderr
        [line] = self.stderr.splitlines()
        assert line.startswith("agentfm-py: error: ")
        return line


def _read_terminal(master: int, process: subprocess.Popen[bytes], timeout: float) -> str:
    """Everything written to a pseudo-terminal until the child closes it."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", errors="replace").replace("\r\n", "\n")


@dataclass
class Cli:
    """Runs `agentfm-py` with `AGENTFM_GATEWAY_URL` pointing at `url`."""

    url: str

    def __call__(
        self, *arguments: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        completed = subprocess.run(
            [*PROGRAM, *arguments],
            input=stdin if stdin is not None else "",
            env=_environment(self.url, env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    def on_terminal(self, *arguments: str, stream: str = "stdout") -> Result:
        """Run with stdout, stderr or both on a pseudo-terminal, as in an interactive shell
        (with both, everything seen on the terminal is returned as `stdout`)."""
        master, slave = pty.openpty()
        on_terminal = {
            "stdout": {"stdout": slave},
            "stderr": {"stderr": slave},
            "both": {"stdout": slave, "stderr": slave},
        }[stream]
        process = subprocess.Popen(
            [*PROGRAM, *arguments],
            stdin=subprocess.DEVNULL,
            stdout=on_terminal.get("stdout", subprocess.PIPE),
            stderr=on_terminal.get("stderr", subprocess.PIPE),
            env=_environment(self.url),
        )
        os.close(slave)
        try:
            seen = _read_terminal(master, process, timeout=60)
            piped, _ = process.communicate(timeout=60)
        finally:
            os.close(master)
            if process.poll() is None:
                process.kill()
                process.wait()
        other = piped.decode() if piped else ""
        if stream in ("stdout", "both"):
            return Result(process.returncode, seen, other)
        return Result(process.returncode, other, seen)


@pytest.fixture
def cli(agentfm_mesh: MeshSimulator) -> Cli:
    return Cli(agentfm_mesh.url)


@pytest.fixture
def free_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


def _peer(mesh: MeshSimulator, name: str) -> str:
    return str(mesh.worker(name).peer_id)


# --- basics -------------------------------------------------------------------------------------


def test_version_and_help(cli: Cli) -> None:
    version = cli("--version")
    assert version.status == 0
    assert version.stdout.strip() == f"agentfm-py {__version__}"
    help_text = cli("--help")
    assert help_text.status == 0
    assert "exit codes:" in help_text.stdout
    for command in ("ping", "workers", "models", "chat", "run", "submit", "scatter", "events"):
        assert command in help_text.stdout


def test_the_console_script_runs(agentfm_mesh: MeshSimulator) -> None:
    script = Path(sys.executable).parent / "agentfm-py"
    completed = subprocess.run(
        [str(script), "ping"],
        env=_environment(agentfm_mesh.url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["online_workers"] == len(agentfm_mesh.workers)


def test_ping(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    piped = cli("ping")
    assert piped.status == 0
    assert piped.json() == {
        "gateway": agentfm_mesh.url,
        "status": "ok",
        "online_workers": len(agentfm_mesh.workers),
    }
    terminal = cli.on_terminal("ping")
    assert terminal.status == 0
    assert terminal.stdout.startswith(f"ok: {agentfm_mesh.url} answers")


# --- discovery ----------------------------------------------------------------------------------


def test_workers_is_json_when_piped_and_filters(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    every = cli("workers")
    assert every.status == 0
    assert {w["peer_id"] for w in every.json()} == {w.peer_id for w in agentfm_mesh.workers}
    llama = cli("workers", "--model", "LLAMA3.2")
    assert {w["name"] for w in llama.json()} == {"summarizer", "translator"}
    assert all(w["model"] == "llama3.2" for w in llama.json())
    # Options are accepted after the command too, and override the environment.
    elsewhere = cli("workers", "--gateway", "http://127.0.0.1:1")
    elsewhere.assert_one_line_error(4)


def test_workers_is_a_table_on_a_terminal(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    table = cli.on_terminal("workers")
    assert table.status == 0
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["PEER", "ID", "NAME", "MODEL", "STATUS", "LOAD", "HONESTY", "AUTHOR"]
    assert len(rows) == len(agentfm_mesh.workers)
    writer = next(row for row in rows if "policy-writer" in row)
    assert writer.split()[:4] == [
        _peer(agentfm_mesh, "policy-writer"),
        "policy-writer",
        "mistral",
        "AVAILABLE",
    ]
    forced = cli.on_terminal("workers", "--json")
    assert {w["name"] for w in json.loads(forced.stdout)} == {
        "summarizer",
        "translator",
        "policy-writer",
    }


def test_models(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    piped = cli("models")
    assert piped.status == 0
    entries = piped.json()
    assert {entry["id"] for entry in entries} == {w.peer_id for w in agentfm_mesh.workers}
    assert all(entry["object"] == "model" for entry in entries)
    table = cli.on_terminal("models")
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "ENGINE", "STATUS", "LOAD", "OWNER"]
    assert any(
        row.split()[:3] == [_peer(agentfm_mesh, "translator"), "translator", "llama3.2"]
        for row in rows
    )


# --- dispatch -----------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
def test_chat(cli: Cli, agentfm_mesh: MeshSimulator, streamed: bool) -> None:
    peer = _peer(agentfm_mesh, "translator")
    result = cli(
        "chat", "--peer", peer, "--prompt", "hello mesh", *(["--stream"] if streamed else [])
    )
    assert result.status == 0, result.stderr
    # The route flattens the messages into the prompt (5.10); the simulated worker echoes it.
    assert "received: user: hello mesh" in result.stdout
    assert "done: " in result.stdout
    assert "[AGENTFM:" not in result.stdout
    assert result.stdout.endswith("\n")


def test_run_streams_then_collects_artifacts(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    peer = _peer(agentfm_mesh, "policy-writer")
    result = cli(
        "run",
        "--peer",
        peer,
        "--prompt",
        "write it",
        "--artifacts-dir",
        str(agentfm_mesh.artifacts_dir),
    )
    assert result.status == 0, result.stderr
    assert "received: write it" in result.stdout
    assert "[AGENTFM:" not in result.stdout
    [artifact_line] = [line for line in result.stdout.splitlines() if line.startswith("artifact: ")]
    path = Path(artifact_line.removeprefix("artifact: "))
    assert path.name == "policy.md"
    assert path.read_text().startswith("# Acceptable use policy")
    assert agentfm_mesh.artifacts_dir in path.parents


def test_run_without_files_does_not_wait_and_stream_prints_the_answer(
    cli: Cli, agentfm_mesh: MeshSimulator
) -> None:
    peer = _peer(agentfm_mesh, "summarizer")
    ran = cli("run", "--peer", peer, "--prompt", "summarise", "--artifact-timeout", "60")
    assert ran.status == 0
    assert "received: summarise" in ran.stdout
    assert "artifact:" not in ran.stdout
    streamed = cli("stream", "--peer", peer, "--prompt", "again")
    assert streamed.status == 0
    assert "received: again" in streamed.stdout


def test_a_failing_task_is_an_error_after_the_partial_answer(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(workers=[{"name": "flaky", "engine": "e", "fail_mode": "drop"}])
    result = Cli(mesh.url)("run", "--peer", _peer(mesh, "flaky"), "--prompt", "hi")
    line = result.assert_one_line_error(1)
    assert "completion sentinel" in line


def test_submit(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    result = cli("submit", "--peer", _peer(agentfm_mesh, "translator"), "--prompt", "later")
    assert result.status == 0
    ack = result.json()
    assert TASK_ID.match(ack["task_id"])
    assert ack["status"] == "queued"
    bad_url = cli(
        "submit",
        "--peer",
        _peer(agentfm_mesh, "translator"),
        "--prompt",
        "x",
        "--webhook-url",
        "ftp://x",
    )
    bad_url.assert_one_line_error(2)


# --- scatter ------------------------------------------------------------------------------------


def test_scatter_from_a_jsonl_file_in_order(
    cli: Cli, agentfm_mesh: MeshSimulator, tmp_path: Path
) -> None:
    prompts = [f"prompt number {i}" for i in range(6)]
    source = tmp_path / "prompts.jsonl"
    source.write_text(
        "".join(json.dumps({"prompt": p, "id": i}) + "\n" for i, p in enumerate(prompts))
    )
    result = cli("scatter", str(source), "--model", "llama3.2", "--max-concurrency", "3")
    assert result.status == 0, result.stderr
    lines = result.json_lines()
    assert [line["index"] for line in lines] == list(range(6))
    assert [line["prompt"] for line in lines] == prompts
    llama = {_peer(agentfm_mesh, "summarizer"), _peer(agentfm_mesh, "translator")}
    for line in lines:
        assert line["status"] == "success"
        assert f"received: {line['prompt']}" in line["text"]
        assert line["worker_id"] in llama
        assert TASK_ID.match(line["task_id"])


def test_scatter_from_stdin_lines_on_explicit_peers(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    peers = [_peer(agentfm_mesh, "summarizer"), _peer(agentfm_mesh, "translator")]
    result = cli(
        "scatter", "--peer", peers[0], "--peer", peers[1], stdin="first\n\nsecond\r\nthird\n"
    )
    assert result.status == 0, result.stderr
    lines = result.json_lines()
    assert [line["prompt"] for line in lines] == ["first", "second", "third"]  # blank skipped
    assert {line["worker_id"] for line in lines} <= set(peers)


def test_scatter_reports_failed_prompts_with_exit_3(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(workers=[{"name": "flaky", "engine": "e", "fail_mode": "drop"}])
    result = Cli(mesh.url)("scatter", "--model", "e", "--max-retries", "0", stdin="a\nb\n")
    assert result.status == 3
    lines = result.json_lines()
    assert [line["status"] for line in lines] == ["failed", "failed"]
    assert all(line["error"] for line in lines)
    assert "scatter: 2 prompts, 0 succeeded, 2 failed" in result.stderr


def test_scatter_checkpoint_skips_answered_prompts(cli: Cli, tmp_path: Path) -> None:
    checkpoint = tmp_path / "run.ckpt.jsonl"
    first = cli("scatter", "--model", "llama3.2", "--checkpoint", str(checkpoint), stdin="x\ny\n")
    second = cli("scatter", "--model", "llama3.2", "--checkpoint", str(checkpoint), stdin="x\ny\n")
    assert first.status == second.status == 0
    # Handed over from the checkpoint, not dispatched again: the same task ids.
    assert [line["task_id"] for line in second.json_lines()] == [
        line["task_id"] for line in first.json_lines()
    ]
    other = cli("scatter", "--model", "llama3.2", "--checkpoint", str(checkpoint), stdin="z\n")
    other.assert_one_line_error(2)


def test_scatter_input_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    mixed = cli("scatter", "--model", "llama3.2", stdin='{"prompt": "a"}\nplain text\n')
    assert "line 2" in mixed.assert_one_line_error(2)
    missing = cli("scatter", str(tmp_path / "absent.txt"), "--model", "llama3.2")
    assert "absent.txt" in missing.assert_one_line_error(2)
    empty = cli("scatter", "--model", "llama3.2", stdin="\n\n")
    assert "no prompts" in empty.assert_one_line_error(2)
    neither = cli("scatter", stdin="a\n")
    neither.assert_one_line_error(2)


def test_scatter_draws_progress_on_a_terminal_only(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "prompts.txt"
    source.write_text("a\nb\nc\n")
    piped = cli("scatter", str(source), "--model", "llama3.2")
    assert piped.status == 0
    assert piped.stderr == ""
    drawn = cli.on_terminal("scatter", str(source), "--model", "llama3.2", stream="stderr")
    assert drawn.status == 0
    assert [line["prompt"] for line in drawn.json_lines()] == ["a", "b", "c"]
    # One terminal line: bar frames redrawn in place with `\r`, then the summary over them.
    [line, after] = drawn.stderr.split("\n")  # (`splitlines` would also split at `\r`)
    assert after == ""
    *frames, summary = line.split("\r")
    assert frames[0] == ""  # every frame starts at the start of the line
    assert any(frame.startswith("scatter [") and "/3" in frame for frame in frames)
    assert summary.startswith("\x1b[Kscatter: 3 prompts, 3 succeeded, 0 failed, ")


def test_scatter_progress_stays_one_line_among_results_on_one_terminal(
    cli: Cli, tmp_path: Path
) -> None:
    prompts = [f"p{i}" for i in range(8)]
    source = tmp_path / "prompts.txt"
    source.write_text("\n".join(prompts) + "\n")
    shown = cli.on_terminal(
        "scatter", str(source), "--model", "llama3.2", "--max-concurrency", "2", stream="both"
    )
    assert shown.status == 0, shown.stderr
    # What stays on screen is each line's text after its last `\r` (and the erase sequence):
    # the results and the summary, and no bar frame left behind between them.
    lines = shown.stdout.removesuffix("\n").split("\n")
    *results, summary = [line.split("\r")[-1].removeprefix("\x1b[K") for line in lines]
    assert [json.loads(line)["prompt"] for line in results] == prompts
    assert summary.startswith("scatter: 8 prompts, 8 succeeded, 0 failed, ")


# --- the trust layer ----------------------------------------------------------------------------


def test_peers_list_show_log_and_verify(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    peer = _peer(agentfm_mesh, "translator")
    receipt = AgentFMClient(agentfm_mesh.url).peers.comment(peer, text="fast and right", rating=0.5)

    listed = cli("peers")
    assert {p["peer_id"] for p in listed.json()} == {w.peer_id for w in agentfm_mesh.workers}
    table = cli.on_terminal("peers")
    assert table.stdout.splitlines()[0].split()[:3] == ["PEER", "ID", "NAME"]

    shown = cli("peers", "show", peer)
    assert shown.status == 0
    card = shown.json()
    assert card["peer_id"] == peer
    assert card["entries_count"] >= 1
    fields = cli.on_terminal("peers", "show", peer)
    assert "peer id:" in fields.stdout
    assert peer in fields.stdout

    log = cli("peers", "log", peer)
    assert log.status == 0
    assert receipt.ledger_hash in {entry["entry_hash"] for entry in log.json()}

    verified = cli("peers", "verify", peer, receipt.ledger_hash)
    assert verified.status == 0, verified.stderr
    proof = verified.json()
    assert proof["verified"] is True
    assert proof["entry_hash"] == receipt.ledger_hash

    unknown = cli("peers", "verify", peer, "ab" * 32)
    unknown.assert_one_line_error(1)
    malformed = cli("peers", "show", "not-a-peer")
    malformed.assert_one_line_error(2)


# --- events -------------------------------------------------------------------------------------


def _read_line(process: subprocess.Popen[str], timeout: float = 20.0) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "no event line in time"
    return process.stdout.readline()


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and Python then
    # never raises KeyboardInterrupt; a user's Ctrl-C arrives with the default disposition.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_events_prints_one_line_per_event_until_ctrl_c(agentfm_mesh: MeshSimulator) -> None:
    process = subprocess.Popen(
        [*PROGRAM, "events"],
        env=_environment(agentfm_mesh.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 20
        while agentfm_mesh.boss.events.subscriber_count < 1:
            assert time.monotonic() < deadline, "the CLI never subscribed"
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        worker = agentfm_mesh.worker("summarizer")
        agentfm_mesh.take_offline(worker)
        offline = json.loads(_read_line(process))
        assert offline["event"] == "worker_offline"
        assert offline["peer_id"] == worker.peer_id
        agentfm_mesh.bring_online(worker)
        online = json.loads(_read_line(process))
        assert online["event"] == "worker_online"
        assert online["agent_name"] == "summarizer"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert stderr == ""


# --- errors -------------------------------------------------------------------------------------


def test_an_unreachable_gateway_is_one_line_exit_4(free_url: str) -> None:
    result = Cli(free_url)("workers")
    line = result.assert_one_line_error(4)
    assert free_url in line


def test_a_bad_peer_id_is_a_usage_error(cli: Cli) -> None:
    for command in ("chat", "run", "submit"):
        result = cli(command, "--peer", "12D3KooWnot-a-peer", "--prompt", "x")
        assert "not a libp2p peer id" in result.assert_one_line_error(2)


def test_usage_errors_are_one_line(cli: Cli) -> None:
    assert "invalid choice" in cli("frobnicate").assert_one_line_error(2)
    assert "--peer" in cli("chat", "--prompt", "x").assert_one_line_error(2)


def test_auth_failures_and_the_api_key_options(
    agentfm_mesh_factory: Callable[..., MeshSimulator],
) -> None:
    mesh = agentfm_mesh_factory(api_keys=[KEY])
    cli = Cli(mesh.url)
    missing = cli("workers")
    assert "unauthorized" in missing.assert_one_line_error(1)
    wrong = cli("workers", "--api-key", "wrong-key-0123456789")
    line = wrong.assert_one_line_error(1)
    assert "invalid_api_key" in line
    assert "wrong-key-0123456789" not in line
    assert cli("workers", "--api-key", KEY).status == 0
    assert cli("workers", env={"AGENTFM_API_KEY": KEY}).status == 0


def _raw(
    url: str, *arguments: str | bytes, stdin: bytes = b"", env: dict[str, str] | None = None
) -> Result:
    """Run with raw bytes on stdin (and possibly in argv), as a shell would pass them."""
    completed = subprocess.run(
        [*PROGRAM, *arguments],
        input=stdin,
        env=_environment(url, env),
        capture_output=True,
        timeout=60,
        check=False,
    )
    return Result(
        completed.returncode,
        completed.stdout.decode(errors="replace"),
        completed.stderr.decode(errors="replace"),
    )


PEER = "12D3KooWPV1gNFKqnf1Z8rPoohjR7jPyXbsY157KwXv2BUVvqAUs"


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        (bytes(range(256)) * 64, "not UTF-8 text (byte 128 is 0x80)"),
        (b'{"prompt": "\\ud800 lone"}\n', "line 1: the prompt holds an unpaired surrogate"),
        (b'{"prompt": "ok"}\n' + b"[" * 100_000 + b"\n", "line 2: not JSON (JSON nested more"),
    ],
)
def test_hostile_prompts_on_stdin_are_one_line_usage_errors(
    free_url: str, stdin: bytes, says: str
) -> None:
    result = _raw(free_url, "scatter", "--peer", PEER, stdin=stdin)
    assert says in result.assert_one_line_error(2)
    assert result.stdout == ""


def test_a_binary_prompts_file_is_a_one_line_usage_error(free_url: str, tmp_path: Path) -> None:
    source = tmp_path / "prompts.bin"
    source.write_bytes(b"fine\n\xff\xfe\n")
    result = _raw(free_url, "scatter", str(source), "--peer", PEER)
    assert "not UTF-8 text (byte 5 is 0xff)" in result.assert_one_line_error(2)


@pytest.mark.parametrize("url", ["http://[::1", "http://a\x01b", "ftp://x", "http://", "::"])
def test_bad_gateway_urls_are_usage_errors_that_do_not_echo_them(free_url: str, url: str) -> None:
    flag = _raw(free_url, "ping", "--gateway", url)
    assert "--gateway must be an http(s) URL" in flag.assert_one_line_error(2)
    variable = _raw(free_url, "ping", env={"AGENTFM_GATEWAY_URL": url})
    assert "$AGENTFM_GATEWAY_URL must be" in variable.assert_one_line_error(2)
    assert url not in (flag.stderr + variable.stderr).replace("http://127.0.0.1:8080", "")


@pytest.mark.parametrize("key", ["clé-secrète-0123456789", "key-with-a-newline\n0123456789"])
def test_keys_that_cannot_be_sent_are_usage_errors_that_never_show_them(
    free_url: str, key: str
) -> None:
    flag = _raw(free_url, "workers", "--api-key", key)
    assert "--api-key must be printable ASCII" in flag.assert_one_line_error(2)
    variable = _raw(free_url, "workers", env={"AGENTFM_API_KEY": key})
    assert "$AGENTFM_API_KEY must be printable ASCII" in variable.assert_one_line_error(2)
    for shown in (flag.stderr, variable.stderr):
        assert "cl" + "é" not in shown
        assert "secr" not in shown


def test_arguments_that_are_not_utf8_are_usage_errors(free_url: str) -> None:
    prompt = _raw(free_url, "run", "--peer", PEER, "--prompt", b"caf\xe9")
    assert "--prompt: not UTF-8 text" in prompt.assert_one_line_error(2)
    peer = _raw(free_url, "scatter", "--peer", PEER, "--peer", b"\xff", stdin=b"a\n")
    assert "--peer: not UTF-8 text" in peer.assert_one_line_error(2)


def test_a_stdout_closed_from_the_start_is_one_line_and_sends_nothing(free_url: str) -> None:
    # Checked first: with the gateway unreachable, reaching the network would exit 4.
    completed = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *PROGRAM, "submit", "--peer", PEER, "--prompt", "x"],
        env=_environment(free_url),
        capture_output=False,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 141
    assert (
        completed.stderr.decode()
        == "agentfm-py: error: stdout is closed: nothing could be printed\n"
    )


def test_a_closed_stdin_for_scatter_is_a_usage_error(free_url: str) -> None:
    completed = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *PROGRAM, "scatter", "--peer", PEER],
        env=_environment(free_url),
        capture_output=True,
        timeout=60,
        check=False,
    )
    result = Result(completed.returncode, completed.stdout.decode(), completed.stderr.decode())
    assert "stdin is closed" in result.assert_one_line_error(2)


DATA_COMMANDS = [
    ["ping"],
    ["workers"],
    ["models"],
    ["chat"],
    ["run"],
    ["stream"],
    ["submit"],
    ["scatter"],
    ["peers"],
    ["peers", "show"],
    ["peers", "log"],
    ["peers", "verify"],
    ["events"],
]


@pytest.mark.parametrize("command", DATA_COMMANDS, ids=" ".join)
def test_every_command_that_prints_data_takes_json(free_url: str, command: list[str]) -> None:
    shown = _raw(free_url, *command, "--help")
    assert shown.status == 0
    assert "--json" in shown.stdout


def test_json_answers_of_ping_chat_run_and_stream(cli: Cli, agentfm_mesh: MeshSimulator) -> None:
    ping = cli.on_terminal("ping", "--json")
    assert json.loads(ping.stdout)["status"] == "ok"
    peer = _peer(agentfm_mesh, "translator")

    chat = cli("chat", "--peer", peer, "--prompt", "hi", "--json").json()
    assert chat["finish_reason"] == "stop"
    assert "received: user: hi" in chat["text"]
    streamed = cli("chat", "--peer", peer, "--prompt", "hi", "--stream", "--json").json_lines()
    assert {line["peer_id"] for line in streamed} == {peer}
    assert "received: user: hi" in "".join(line["text"] for line in streamed)
    assert streamed[-1]["finish_reason"] == "stop"

    ran = cli("run", "--peer", peer, "--prompt", "job", "--json")
    assert ran.status == 0, ran.stderr
    document = ran.json()
    assert TASK_ID.match(document["task_id"])
    assert document["worker_id"] == peer
    assert "received: job" in document["text"]
    assert document["artifacts"] == []

    chunks = cli("stream", "--peer", peer, "--prompt", "job", "--json").json_lines()
    assert "received: job" in "".join(c["text"] for c in chunks if c["kind"] == "text")
    # The translator writes a file: its stream ends by announcing it.
    assert chunks[-1] == {"kind": "marker", "text": "", "marker": "FILES_INCOMING"}


def test_a_closed_stdout_exits_quietly(cli: Cli) -> None:
    process = subprocess.Popen(
        [*PROGRAM, "workers"],
        env=_environment(cli.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()  # like `| head` exiting before the first line
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 141
    assert stderr == b""
