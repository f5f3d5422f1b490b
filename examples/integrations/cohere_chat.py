"""A Cohere chat call (v2 client) recorded in a session, with its cost.

Run: python examples/integrations/cohere_chat.py   (pip install 'agentops-otel[cohere]' cohere)
With CO_API_KEY set it calls Cohere; without it, the client's ``base_url`` is the repository's local
test server (tests/support/llm_server), so it runs on a fresh machine.
``agentops.init()`` turns on OpenInference's Cohere instrumentation; no other call is needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
import cohere
from _local_server import start_local_server

import agentops_otel as agentops


def client(stack: ExitStack) -> cohere.ClientV2:
    """A real client if there is a key, else one pointed at the local test server."""
    if os.environ.get("CO_API_KEY"):
        return cohere.ClientV2()
    server = start_local_server(stack)
    return cohere.ClientV2(base_url=server.base_url, api_key="local-test-server")


def main() -> None:
    with ExitStack() as stack:
        session = agentops.init(default_tags=["example", "cohere"])
        assert session is not None
        co = client(stack)  # after init(): a ClientV2 made before it is not recorded
        reply = co.chat(model="command-r", messages=[{"role": "user", "content": "Say hello"}])
        print("reply:", reply.message.content[0].text if reply.message.content else None)
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
