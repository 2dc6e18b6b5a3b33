"""`LocalMeshGateway`'s 0.3.0 attributes and `process` semantics, on the simulator binary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentfm import AgentFMClient, LocalMeshGateway, SwarmKey


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AGENTFM_"):
            monkeypatch.delenv(name)


def test_the_0_3_0_attributes_are_readable_before_start(tmp_path: Path) -> None:
    key_file = tmp_path / "swarm.key"
    SwarmKey.generate().save(key_file)
    log = tmp_path / "gw.log"
    gateway = LocalMeshGateway(
        binary_path="agentfm-sim",
        port=18080,
        swarm_key=str(key_file),
        bootstrap="/ip4/127.0.0.1/tcp/4001/p2p/relay",
        debug=False,
        log_file=log,
        startup_timeout=12.5,
        api_key="a-key-of-sixteen-bytes",
    )
    assert gateway.binary_path == "agentfm-sim"
    assert gateway.port == 18080
    assert gateway.url == "http://127.0.0.1:18080"
    assert gateway.swarm_key == key_file
    assert gateway.bootstrap == "/ip4/127.0.0.1/tcp/4001/p2p/relay"
    assert gateway.debug is False
    assert gateway.startup_timeout == 12.5
    assert gateway.log_file == log
    assert gateway.api_key == "a-key-of-sixteen-bytes"
    assert gateway.process is None
    assert "a-key-of-sixteen-bytes" not in repr(gateway)


def test_process_is_the_child_while_running_and_none_after_stop(clean_env: None) -> None:
    gateway = LocalMeshGateway(binary_path="agentfm-sim", port=0, startup_timeout=60)
    assert gateway.process is None
    with gateway as started:
        assert started is gateway
        process = gateway.process
        assert process is not None
        assert process.poll() is None
        with AgentFMClient(gateway.url) as client:
            assert client.ping()
    assert gateway.process is None  # as in 0.3.0
    assert process.poll() is not None  # and the child is really gone
    gateway.stop()  # idempotent
    assert gateway.process is None
