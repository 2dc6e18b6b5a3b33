"""The sdist and wheel `python -m build` makes install in a fresh venv and work there.

Built from the sdist (what `python -m build` does by default), so a file the sdist forgets breaks
this test. The fresh venv gets the wheel without extras: the console scripts, `py.typed` (a user's
`mypy --strict` run) and the one-line hint for the missing `[sim]` extra are checked there.
Runs once per `make test`, on the primary interpreter (`once`).
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

import agentfm

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.once, pytest.mark.timeout(600)]


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AGENTFM_")
    }
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy holding only what git tracks, as a clean checkout would.
    source = tmp_path_factory.mktemp("checkout")
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        origin = ROOT / name
        if origin.is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, source)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


def _only(dist: Path, pattern: str) -> Path:
    [path] = dist.glob(pattern)
    return path


def test_the_wheel_carries_the_packages_typing_marker_and_license_and_nothing_else(
    dist: Path,
) -> None:
    wheel = _only(dist, f"agentfm_sdk-{agentfm.__version__}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = email.message_from_bytes(
            archive.read(f"agentfm_sdk-{agentfm.__version__}.dist-info/METADATA")
        )
    assert "agentfm/py.typed" in names
    assert "agentfm_gateway/py.typed" in names
    assert f"agentfm_sdk-{agentfm.__version__}.dist-info/licenses/LICENSE" in names
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {
        "agentfm",
        "agentfm_gateway",
        f"agentfm_sdk-{agentfm.__version__}.dist-info",
    }
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    assert not [n for n in names if "/tests/" in n or n.startswith("tests/")]
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["License-File"] == "LICENSE"
    claimed = {
        value.rsplit(" :: ", 1)[1]
        for value in metadata.get_all("Classifier") or []
        if value.startswith("Programming Language :: Python :: 3.")
    }
    assert claimed == {"3.10", "3.11", "3.12", "3.13"}  # what .ci/test-pythons runs


def test_the_sdist_can_rebuild_everything(dist: Path) -> None:
    sdist = _only(dist, f"agentfm_sdk-{agentfm.__version__}.tar.gz")
    prefix = f"agentfm_sdk-{agentfm.__version__}/"
    with tarfile.open(sdist) as archive:
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "agentfm/py.typed"):
        assert needed in names
    assert "schema/openapi.yaml" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_wheel_installs_and_works_in_a_fresh_venv(dist: Path, tmp_path: Path) -> None:
    wheel = _only(dist, "*.whl")
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    installed = _run(python, "-m", "pip", "install", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr

    imported = _run(python, "-c", "import agentfm, agentfm_gateway; print(agentfm.__version__)")
    assert imported.stdout.strip() == agentfm.__version__, imported.stderr

    version = _run(environment / "bin" / "agentfm-py", "--version")
    assert version.returncode == 0, version.stderr
    assert agentfm.__version__ in version.stdout + version.stderr

    sim_help = _run(environment / "bin" / "agentfm-sim", "--help")
    assert sim_help.returncode == 0, sim_help.stderr
    assert "-sim-mesh" in sim_help.stdout + sim_help.stderr

    # No [sim] extra in this venv: one line saying how to get it, no traceback.
    for command in (
        [environment / "bin" / "agentfm-sim", "-mode", "api"],
        [python, "-m", "agentfm.demo"],
    ):
        refused = _run(*command)
        assert refused.returncode == 1
        [line] = refused.stderr.strip().splitlines()
        assert line.endswith('pip install "agentfm-sdk[sim]"')

    # py.typed: a user's strict type check sees the SDK's annotations (and catches a misuse).
    user_code = tmp_path / "user_code.py"
    user_code.write_text(
        textwrap.dedent(
            """
            from agentfm import AgentFMClient, TaskResult

            def answer(client: AgentFMClient, peer_id: str) -> str:
                result: TaskResult = client.tasks.run(worker_id=peer_id, prompt="hi")
                return result.text
            """
        )
    )
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable"]
    checked = _run(*mypy, python, user_code, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    user_code.write_text(user_code.read_text().replace("return result.text", "return result"))
    misuse = _run(*mypy, python, user_code, cwd=tmp_path)
    assert misuse.returncode == 1
    assert 'Incompatible return value type (got "TaskResult", expected "str")' in misuse.stdout
