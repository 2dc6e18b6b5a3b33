"""Async submission: the ack, and the webhook when the gateway may post to this host."""

from __future__ import annotations

import os
import queue
import re

import pytest
from gateway import LiveGateway

from agentfm import AgentFMClient, WebhookPayload, WebhookReceiver

# The 1.2.0+ wait for an artifact (10 s) plus the task and the post.
WEBHOOK_WAIT_SECONDS = 30.0


def test_submit_async_is_queued(gateway: LiveGateway, client: AgentFMClient) -> None:
    # The filer's zip ends the gateway's artifact wait at once (an echo task would keep the
    # job, and a gateway shutting down, busy for 10 s).
    ack = client.tasks.submit_async(worker_id=gateway.filer_peer_id, prompt="later")
    assert ack.status == "queued"
    # Minted ids differ by release (gateway-versions.md 9): only the prefix is common.
    assert re.fullmatch(r"task_[0-9a-zA-Z]+", ack.task_id)


def test_the_webhook_arrives(gateway: LiveGateway, client: AgentFMClient) -> None:
    if not gateway.webhook_private_allowed:
        pytest.skip(
            "the gateway refuses private webhook targets (set AGENTFM_WEBHOOK_ALLOW_PRIVATE=1 "
            "when it runs with it)"
        )
    if not gateway.on_this_host:
        pytest.skip("the gateway is on another host: it cannot reach a receiver on 127.0.0.1")
    arrived: queue.Queue[WebhookPayload] = queue.Queue()
    secret = os.environ.get("AGENTFM_WEBHOOK_SECRET") or None
    with WebhookReceiver(port=0, callback=arrived.put, secret=secret) as receiver:
        # A filer's zip ends the artifact wait at once, so the webhook comes quickly.
        ack = client.tasks.submit_async(
            worker_id=gateway.filer_peer_id, prompt="notify me", webhook_url=receiver.url
        )
        payload = arrived.get(timeout=WEBHOOK_WAIT_SECONDS)
    assert (payload.task_id, payload.worker_id, payload.status) == (
        ack.task_id,
        gateway.filer_peer_id,
        "completed",
    )
