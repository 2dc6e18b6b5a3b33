"""The simulated mesh: worker descriptions, their validation, and the default demo mesh.

A mesh description is JSON (or the equivalent Python mapping):

    {"seed": 7, "workers": [{"name": "summarizer", "engine": "llama3.2", ...}, ...]}

Each worker object accepts the keys of `WorkerSpec`; anything else is a mistake and is refused
with a one-line `MeshConfigError` (a `ValueError`), so a typo such as `fail-mode` cannot silently
configure a healthy worker. Pure data and validation, no I/O except `load_mesh_file`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from agentfm._identifiers import is_peer_id, peer_id_from_ed25519_public_key

__all__ = [
    "DEFAULT_MESH",
    "DEFAULT_SEED",
    "FAIL_MODES",
    "FailMode",
    "MeshConfigError",
    "MeshSpec",
    "WorkerSpec",
    "load_mesh_file",
    "parse_mesh",
    "parse_worker",
    "worker_key_seed",
]

FailMode = Literal["none", "drop", "refuse", "unreachable"]
FAIL_MODES: tuple[FailMode, ...] = ("none", "drop", "refuse", "unreachable")
DEFAULT_SEED = 7

# Limits the real worker applies to its own flags (docs/reference/gateway-protocol.md §5.3 and §11,
# item 16).
MAX_NAME_CHARS = 20
MAX_ENGINE_CHARS = 200
MAX_DESCRIPTION_BYTES = 3000


class MeshConfigError(ValueError):
    """A mesh description is invalid; the message is one line naming the offending key."""

    def __init__(self, message: str, *, problem: str = "") -> None:
        super().__init__(message)
        # The message without the worker's label, so a caller can re-label it.
        self.problem = problem or message


class _WorkerProblem(Exception):
    """What is wrong with one worker, before we know how to name the worker in the message."""


@dataclass
class WorkerSpec:
    """One simulated worker: its advertised profile and how it behaves when given a task.

    `fail_rate` is the probability (drawn from the seeded RNG, per task) that `fail_mode`
    applies; None means 1.0 when a fail mode is set, so a worker configured to fail always
    fails. `agent_capability` None means the real worker's default, the kebab-case agent name;
    an explicit "" advertises none. `cpu_usage_pct` is the idle CPU load (None: derived from
    the seed); every running task adds to it.

    `output` is exactly what the agent prints for a task (None: seeded text that quotes the
    prompt). In `output` and in the text of `files`, `{prompt}` stands for the task's prompt,
    so an agent such as `{"output": "echo: {prompt}\n"}` can be declared in a mesh file.
    """

    name: str
    engine: str
    author: str = "Anonymous"
    description: str = ""
    max_tasks: int = 1
    delay_seconds: float = 0.2
    has_gpu: bool = False
    gpu_total_gb: float = 0.0
    gpu_used_gb: float = 0.0
    cpu_cores: int = 8
    cpu_usage_pct: float | None = None
    ram_free_gb: float | None = None
    files: dict[str, str] = field(default_factory=dict)
    fail_mode: FailMode = "none"
    fail_rate: float | None = None
    honesty_score: float = 0.0
    is_equivocator: bool = False
    peer_id: str | None = None
    agent_image_ref: str = ""
    agent_image_digest: str = ""
    agent_capability: str | None = None
    output: str | None = None

    def __post_init__(self) -> None:
        try:
            _validate_worker(self)
        except _WorkerProblem as problem:
            raise MeshConfigError(
                f"worker {self.name!r}: {problem}", problem=str(problem)
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """The mesh-description form of this worker (omitting unset optional keys)."""
        result: dict[str, Any] = {}
        for key in _WORKER_KEYS:
            value = getattr(self, key)
            if value is None:
                continue
            result[key] = dict(value) if isinstance(value, dict) else value
        return result


@dataclass(frozen=True)
class MeshSpec:
    """A whole mesh: the RNG seed and the workers, in order (the order derives peer ids)."""

    seed: int = DEFAULT_SEED
    workers: tuple[WorkerSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "workers": [worker.to_dict() for worker in self.workers]}


# The default demo mesh: two engines, one worker with spare capacity and a GPU, one that writes
# a file. Users load it with `parse_mesh(DEFAULT_MESH)` or get it from `MeshSimulator()`.
DEFAULT_MESH: Mapping[str, Any] = {
    "seed": DEFAULT_SEED,
    "workers": [
        {
            "name": "summarizer",
            "engine": "llama3.2",
            "author": "agentfm-sim",
            "description": "Condenses any text into a short summary.",
            "max_tasks": 2,
            "delay_seconds": 0.3,
            "cpu_cores": 12,
        },
        {
            "name": "translator",
            "engine": "llama3.2",
            "author": "agentfm-sim",
            "description": "Translates text between European languages.",
            "max_tasks": 1,
            "delay_seconds": 0.2,
            "has_gpu": True,
            "gpu_total_gb": 24.0,
            "gpu_used_gb": 3.5,
            "cpu_cores": 16,
        },
        {
            "name": "policy-writer",
            "engine": "mistral",
            "author": "agentfm-sim",
            "description": "Drafts a policy document and ships it as policy.md.",
            "max_tasks": 1,
            "delay_seconds": 0.4,
            "cpu_cores": 8,
            "files": {
                "policy.md": (
                    "# Acceptable use policy\n\n"
                    "1. Be kind to the mesh.\n"
                    "2. Never send secrets in prompts.\n"
                ),
            },
            "agent_image_ref": "localhost/agentfm/policy-writer:1.0",
            "agent_image_digest": "sha256:" + hashlib.sha256(b"policy-writer").hexdigest(),
        },
    ],
}

_WORKER_TYPES: dict[str, tuple[str, bool]] = {
    # key: (kind, required)
    "name": ("str", True),
    "engine": ("str", True),
    "author": ("str", False),
    "description": ("str", False),
    "max_tasks": ("int", False),
    "delay_seconds": ("number", False),
    "has_gpu": ("bool", False),
    "gpu_total_gb": ("number", False),
    "gpu_used_gb": ("number", False),
    "cpu_cores": ("int", False),
    "cpu_usage_pct": ("number", False),
    "ram_free_gb": ("number", False),
    "files": ("files", False),
    "fail_mode": ("str", False),
    "fail_rate": ("number", False),
    "honesty_score": ("number", False),
    "is_equivocator": ("bool", False),
    "peer_id": ("str", False),
    "agent_image_ref": ("str", False),
    "agent_image_digest": ("str", False),
    "agent_capability": ("str", False),
    "output": ("str", False),
}
_WORKER_KEYS = tuple(_WORKER_TYPES)
_TYPE_NAMES = {"str": "a string", "int": "an integer", "number": "a number", "bool": "a boolean"}


def _shown(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _check_type(value: Any, kind: str, key: str) -> None:
    if kind == "files":
        if not isinstance(value, Mapping) or not all(
            isinstance(name, str) and isinstance(text, str) for name, text in value.items()
        ):
            raise _WorkerProblem(f"'{key}' must be an object mapping file names to text")
        return
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[kind]
    if not ok:
        raise _WorkerProblem(f"'{key}' must be {_TYPE_NAMES[kind]}, got {_shown(value)}")
    if kind == "number" and not math.isfinite(value):
        raise _WorkerProblem(f"'{key}' must be a finite number")


def _safe_relative_file_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in name.split("/"))


def _validate_worker(spec: WorkerSpec) -> None:
    # Re-check types too: WorkerSpec objects can be built directly from Python.
    for key, (kind, required) in _WORKER_TYPES.items():
        value = getattr(spec, key)
        if value is None:
            if required:
                raise _WorkerProblem(f"'{key}' is required")
            continue
        _check_type(value, kind, key)
    if not spec.name.strip():
        raise _WorkerProblem("'name' must not be empty")
    if len(spec.name) > MAX_NAME_CHARS:
        raise _WorkerProblem(f"'name' is longer than {MAX_NAME_CHARS} characters")
    if not spec.engine.strip():
        raise _WorkerProblem("'engine' must not be empty")
    if len(spec.engine) > MAX_ENGINE_CHARS:
        raise _WorkerProblem(f"'engine' is longer than {MAX_ENGINE_CHARS} characters")
    if spec.fail_mode not in FAIL_MODES:
        raise MeshConfigError(
            f"unknown fail_mode {spec.fail_mode!r} (expected one of {', '.join(FAIL_MODES)})"
        )
    if spec.max_tasks < 1:
        raise _WorkerProblem("'max_tasks' must be at least 1")
    # The Boss ignores telemetry with cpu_cores <= 0 (docs/reference/gateway-protocol.md §8.1): such
    # a worker never shows.
    if spec.cpu_cores < 1:
        raise _WorkerProblem("'cpu_cores' must be at least 1")
    if spec.delay_seconds < 0:
        raise _WorkerProblem("'delay_seconds' must not be negative")
    if spec.fail_rate is not None and not 0.0 <= spec.fail_rate <= 1.0:
        raise _WorkerProblem("'fail_rate' must be between 0 and 1")
    if not -1.0 <= spec.honesty_score <= 1.0:
        raise _WorkerProblem("'honesty_score' must be between -1 and 1")
    for key in ("gpu_total_gb", "gpu_used_gb", "ram_free_gb"):
        value = getattr(spec, key)
        if value is not None and value < 0:
            raise _WorkerProblem(f"'{key}' must not be negative")
    if spec.cpu_usage_pct is not None and not 0.0 <= spec.cpu_usage_pct <= 100.0:
        raise _WorkerProblem("'cpu_usage_pct' must be between 0 and 100")
    if spec.gpu_used_gb > spec.gpu_total_gb:
        raise _WorkerProblem("'gpu_used_gb' exceeds 'gpu_total_gb'")
    if spec.peer_id is not None and not is_peer_id(spec.peer_id):
        raise _WorkerProblem(f"'peer_id' is not a libp2p peer id: {spec.peer_id!r}")
    for file_name in spec.files:
        if not _safe_relative_file_name(file_name):
            raise _WorkerProblem(f"file name {file_name!r} must be a relative path without '..'")


def parse_worker(raw: Any, *, where: str = "worker") -> WorkerSpec:
    """A `WorkerSpec` from one worker object of a mesh description (or a `WorkerSpec`)."""
    if isinstance(raw, WorkerSpec):
        return raw
    if not isinstance(raw, Mapping):
        raise MeshConfigError(f"{where}: must be an object")
    label = f"{where} ({raw['name']!r})" if isinstance(raw.get("name"), str) else where
    unknown = sorted(str(key) for key in raw if key not in _WORKER_TYPES)
    if unknown:
        raise MeshConfigError(f"{label}: unknown key {unknown[0]!r}")
    values: dict[str, Any] = {}
    try:
        for key, (kind, required) in _WORKER_TYPES.items():
            if key not in raw:
                if required:
                    raise _WorkerProblem(f"'{key}' is required")
                continue
            value = raw[key]
            _check_type(value, kind, key)
            if kind == "number":
                value = float(value)
            elif kind == "files":
                value = dict(value)
            values[key] = value
    except _WorkerProblem as problem:
        raise MeshConfigError(f"{label}: {problem}") from None
    try:
        return WorkerSpec(**values)
    except MeshConfigError as exc:
        # __post_init__ names the worker only; the position in the file helps more.
        raise MeshConfigError(f"{label}: {exc.problem}", problem=exc.problem) from None


def parse_mesh(raw: Any) -> MeshSpec:
    """A `MeshSpec` from a mesh description mapping (the parsed JSON), validated."""
    if isinstance(raw, MeshSpec):
        return raw
    if not isinstance(raw, Mapping):
        raise MeshConfigError("mesh: must be a JSON object with 'workers'")
    unknown = sorted(str(key) for key in raw if key not in ("seed", "workers"))
    if unknown:
        raise MeshConfigError(f"mesh: unknown key {unknown[0]!r}")
    seed = raw.get("seed", DEFAULT_SEED)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise MeshConfigError(f"mesh: 'seed' must be an integer, got {json.dumps(seed)}")
    workers = raw.get("workers")
    if workers is None:
        raise MeshConfigError("mesh: 'workers' is required")
    if isinstance(workers, (str, bytes)) or not isinstance(workers, Sequence):
        raise MeshConfigError("mesh: 'workers' must be an array")
    specs = tuple(
        parse_worker(worker, where=f"workers[{index}]") for index, worker in enumerate(workers)
    )
    return MeshSpec(seed=seed, workers=specs)


def load_mesh_file(path: str | Path) -> MeshSpec:
    """Read and validate a mesh description file (JSON)."""
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MeshConfigError(f"mesh file {file_path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise MeshConfigError(f"mesh file {file_path}: not UTF-8 text") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MeshConfigError(
            f"mesh file {file_path}: invalid JSON at line {exc.lineno} column {exc.colno}: "
            f"{exc.msg}"
        ) from None
    try:
        return parse_mesh(raw)
    except MeshConfigError as exc:
        raise MeshConfigError(f"mesh file {file_path}: {exc}") from None


def worker_key_seed(seed: int, index: int) -> bytes:
    """The Ed25519 seed of the worker at `index`: the mesh's peer ids are stable per seed."""
    return hashlib.sha256(f"agentfm-sim worker key|{seed}|{index}".encode()).digest()


def derived_peer_id(seed: int, index: int) -> str:
    """The `12D3KooW...` id the worker at `index` gets when its spec names none."""
    key = Ed25519PrivateKey.from_private_bytes(worker_key_seed(seed, index))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return peer_id_from_ed25519_public_key(public)


_KEBAB_SPLIT = re.compile(r"[^0-9A-Za-z]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def kebab_case(name: str) -> str:
    """The real worker's default capability tag: the agent name in kebab-case
    (docs/reference/gateway-protocol.md §8.1)."""
    spaced = _CAMEL_BOUNDARY.sub(" ", name)
    return "-".join(part.lower() for part in _KEBAB_SPLIT.split(spaced) if part)
