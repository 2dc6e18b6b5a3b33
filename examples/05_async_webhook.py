"""Fire and forget: queue a task, and let the gateway call a webhook when it completes.

    python examples/05_async_webhook.py [--gateway URL]

Two things to know (docs/guides/webhooks.md):
* Keep the receiver open until the delivery arrives: leaving its `with` block stops it.
* A 1.2+ gateway answers `queued` even for a loopback or private webhook URL, then drops the
  delivery, unless it runs with AGENTFM_WEBHOOK_ALLOW_PRIVATE=1. This example's receiver is on
  127.0.0.1, so the embedded simulator is started with that setting; a real gateway must be too.
A failed task sends no webhook at all, so always wait with a deadline.
"""

from __future__ import annotations

import threading

from _gateway import gateway, pick_worker

from agentfm import WebhookPayload, WebhookReceiver

SECRET = "example-webhook-secret"  # the gateway's AGENTFM_WEBHOOK_SECRET

delivered: list[WebhookPayload] = []
arrived = threading.Event()


def on_done(payload: WebhookPayload) -> None:
    delivered.append(payload)
    arrived.set()


with (
    gateway(__doc__, webhook_secret=SECRET, webhook_allow_private=True) as gw,
    gw.client() as client,
    WebhookReceiver(port=0, callback=on_done, secret=SECRET) as receiver,
):
    if not gw.simulated:
        print("note: the gateway needs AGENTFM_WEBHOOK_ALLOW_PRIVATE=1 to deliver to", receiver.url)
    worker = pick_worker(client, "llama3.2")
    ack = client.tasks.submit_async(
        worker_id=worker.peer_id, prompt="A long batch job", webhook_url=receiver.url
    )
    print(f"queued task {ack.task_id} ({ack.status}); waiting for the webhook on {receiver.url}")
    # After the task ends, the gateway waits up to 10 s for the task's artifact zip before it
    # posts; then the delivery comes once, or never (a failed task sends nothing).
    if not arrived.wait(timeout=60):
        raise SystemExit("no webhook within 60 s: the task failed, or the gateway dropped the URL")
    payload = delivered[0]
    print(f"webhook: task {payload.task_id} -> {payload.status} (worker {payload.worker_id})")
