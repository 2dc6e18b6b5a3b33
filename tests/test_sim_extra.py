"""Without the `[sim]` extra, the simulator's entry points say in one line how to install it.

The extra's modules (starlette, uvicorn, cryptography) are hidden from a child interpreter by an
import hook, which is what a `pip install agentfm-sdk` without `[sim]` looks like to the SDK.
(tests/test_packaging.py also checks `agentfm-sim` in a real venv without the extra.)
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

INSTALL = 'pip install "agentfm-sdk[sim]"'

HIDE_THE_EXTRA = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class HideSimExtra(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {"starlette", "uvicorn", "cryptography"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, HideSimExtra())
    """
)


def _run_without_extra(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE_THE_EXTRA + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("what", "entry"),
    [
        ("agentfm-sim", "from agentfm.testing.cli import main; sys.exit(main(['-mode', 'api']))"),
        ("MeshSimulator", "from agentfm.demo import main; sys.exit(main())"),
    ],
)
def test_the_commands_print_one_line_with_the_install_command(what: str, entry: str) -> None:
    completed = _run_without_extra(entry)
    assert completed.returncode == 1
    assert completed.stdout == ""
    [line] = completed.stderr.strip().splitlines()
    assert f"{what} needs the [sim] extra" in line
    assert line.endswith(INSTALL)


def test_agentfm_sim_help_needs_no_extra() -> None:
    completed = _run_without_extra("from agentfm.testing.cli import main; sys.exit(main(['-h']))")
    assert completed.returncode == 0
    assert "-sim-mesh" in completed.stderr


def test_mesh_simulator_raises_an_import_error_naming_the_install_command() -> None:
    completed = _run_without_extra(
        """
        from agentfm.testing._extras import SimExtraMissingError
        try:
            from agentfm.testing import MeshSimulator
        except SimExtraMissingError as error:
            assert isinstance(error, ImportError)
            print(error)
        """
    )
    assert completed.returncode == 0, completed.stderr
    message = completed.stdout.strip()
    assert message.startswith("agentfm.testing.MeshSimulator needs the [sim] extra (")
    assert message.endswith(f" is not installed): {INSTALL}")


def test_other_import_failures_are_not_blamed_on_the_extra() -> None:
    completed = _run_without_extra(
        """
        from agentfm.testing._extras import sim_extra_required
        try:
            with sim_extra_required():
                import a_module_that_does_not_exist
        except ModuleNotFoundError as error:
            print(type(error).__name__, error.name)
        """
    )
    assert completed.stdout.strip() == "ModuleNotFoundError a_module_that_does_not_exist"


def test_the_sdk_itself_imports_and_runs_without_the_extra() -> None:
    completed = _run_without_extra(
        """
        import agentfm
        from agentfm import AgentFMClient
        AgentFMClient("http://127.0.0.1:9").close()
        print(agentfm.__version__)
        """
    )
    assert completed.returncode == 0, completed.stderr
