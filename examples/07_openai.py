"""The gateway's OpenAI-compatible routes: the SDK's typed namespace, then the official package.

    python examples/07_openai.py [--gateway URL]

`model` may be a peer id (pin-routes to that worker), an agent name or an engine name; the
gateway tries them in that order. Names are not verified, so the SDK warns once for a model that
is not a peer id.
"""

from __future__ import annotations

import warnings

from _gateway import gateway, pick_worker

from agentfm import AgentFMRoutingWarning

with gateway(__doc__) as gw, gw.client() as client:
    worker = pick_worker(client, "llama3.2")

    print("== models ==")
    for model in client.openai.models.list().data:
        print(f"  {model.id}")

    print("== chat, pinned to a peer id ==")
    response = client.openai.chat.completions.create(
        model=worker.peer_id, messages=[{"role": "user", "content": "Say hi"}], temperature=0.2
    )
    print(response.choices[0].message.content)

    print("== chat, streamed, routed by engine name ==")
    with warnings.catch_warnings():
        # Routing by name is a choice we made here; keep the warning for the rest of the code.
        warnings.simplefilter("ignore", AgentFMRoutingWarning)
        for chunk in client.openai.chat.completions.create(
            model="llama3.2", messages=[{"role": "user", "content": "Stream hi"}], stream=True
        ):
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)

    print("== text completion ==")
    completion = client.openai.completions.create(model=worker.peer_id, prompt="Once upon")
    print(completion.choices[0].text)

    print("== the official openai package ==")
    try:
        from openai import OpenAI
    except ImportError:
        print("skipped: the openai package is not installed (pip install openai)")
    else:
        # Any non-empty key works with a gateway that has none; the package insists on one.
        official = OpenAI(base_url=f"{gw.url}/v1", api_key="not-needed-without-keys")
        answer = official.chat.completions.create(
            model=worker.peer_id, messages=[{"role": "user", "content": "hi from openai"}]
        )
        print(answer.choices[0].message.content)
        official.close()
