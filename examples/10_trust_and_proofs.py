"""Read a peer's standing, rate it, and prove the rating is in the signed ledger.

    python examples/10_trust_and_proofs.py [--gateway URL]

What is checked here on your machine: the RFC 6962 fold of an entry up its audit path to the
tree's root, and that a comment's text hashes to its content id. What is taken from the gateway
on faith: the tree head itself, honesty scores and equivocator flags.
"""

from __future__ import annotations

from _gateway import gateway, pick_worker

from agentfm import DispatchRefusedError, ProofVerificationError

with gateway(__doc__) as gw, gw.client() as client:
    worker = pick_worker(client, "llama3.2")

    card = client.peers.get(worker.peer_id)
    print(
        f"peer {worker.peer_id[:16]}...: honesty {card.honesty_score:+.2f}, "
        f"dispatch allowed: {card.dispatch_allowed}"
    )

    # Refuse to dispatch to a peer below your own bar, before anything is sent.
    try:
        client.tasks.run(worker_id=worker.peer_id, prompt="hi", min_honesty=0.9)
    except DispatchRefusedError as error:
        print(f"min_honesty=0.9 refused the dispatch: {error.reason}")

    receipt = client.peers.comment(worker.peer_id, text="Fast and correct.", rating=0.5)
    print(f"comment stored as ledger entry {receipt.ledger_hash[:16]}...")
    try:
        proof = client.peers.verify(worker.peer_id, receipt.ledger_hash)
    except ProofVerificationError as error:
        raise SystemExit(f"the gateway's proof does not check out: {error}") from None
    print(
        f"proof checked locally: entry {proof.position} of a tree of {proof.head.tree_size}, "
        f"root {proof.head.root_hash[:16]}..."
    )

    print("the peer's log:")
    for entry in client.peers.iter_log(worker.peer_id):
        print(f"  {entry.kind:<8} {entry.entry_hash[:16]}... by {entry.rater_peer_id[:16]}...")
    reputation = client.peers.reputation(worker.peer_id)
    print(f"scores now {reputation.scores} from {reputation.rating_count} rating(s)")
