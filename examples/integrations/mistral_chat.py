"""A Mistral chat call recorded in a session, with its cost.

Run: python examples/integrations/mistral_chat.py   (pip install 'agentops-otel[mistral]' mistralai)
With MISTRAL_API_KEY set it calls Mistral; without it, the client's ``server_url`` is the repository's
local test server (tests/support/llm_server), so it runs on a fresh machine.
``agentops.init()`` turns on OpenInference's Mistral instrumentation; no other call is needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from mistralai.client import Mistral

import agentops_otel as agentops


def client(stack: ExitStack) -> Mistral:
    """A real client if there is a key, else one pointed at the local test server."""
    if os.environ.get("MISTRAL_API_KEY"):
        return stack.enter_context(Mistral(api_key=os.environ["MISTRAL_API_KEY"]))
    server = start_local_server(stack)
    return stack.enter_context(Mistral(server_url=server.base_url + "/mistral", api_key="local-test-server"))


def main() -> None:
    with ExitStack() as stack:
        mistral = client(stack)
        session = agentops.init(default_tags=["example", "mistral"])
        assert session is not None
        reply = mistral.chat.complete(model="mistral-small-latest", messages=[{"role": "user", "content": "Say hello"}])
        print("reply:", reply.choices[0].message.content)
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
