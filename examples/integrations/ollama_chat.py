"""An Ollama chat call (native client) recorded in a session: tokens, and no cost (a local model).

Run: python examples/integrations/ollama_chat.py   (pip install 'agentops-otel[ollama]' ollama)
With OLLAMA_HOST set it calls that Ollama; without it, the client's host is the repository's local
test server (tests/support/llm_server), so it runs on a fresh machine.
``agentops.init()`` turns on OpenInference's Ollama instrumentation; no other call is needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
import ollama
from _local_server import start_local_server

import agentops_otel as agentops


def client(stack: ExitStack) -> ollama.Client:
    """A client for OLLAMA_HOST if set, else one pointed at the local test server."""
    if os.environ.get("OLLAMA_HOST"):
        return ollama.Client()
    return ollama.Client(host=start_local_server(stack).base_url)


def main() -> None:
    with ExitStack() as stack:
        llm = client(stack)
        session = agentops.init(default_tags=["example", "ollama"])
        assert session is not None
        reply = llm.chat(model="llama3.2", messages=[{"role": "user", "content": "Say hello"}])
        print("reply:", reply.message.content)
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
