"""Groq client calls recorded in a session: provider ``groq``, tokens and cost.

Run: python examples/integrations/groq_chat.py   (pip install 'agentops-otel[groq]')
With GROQ_API_KEY set it calls Groq; without it, the client's ``base_url`` is the repository's
local test server (tests/support/llm_server), so it runs on a fresh machine.
``agentops.init()`` turns on OpenInference's Groq instrumentation; no other call is needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
import groq
from _local_server import start_local_server

import agentops_otel as agentops

MODEL = "llama3-70b-8192"
MESSAGES = [{"role": "user", "content": "Say hello"}]


def client(stack: ExitStack) -> groq.Groq:
    """A real client if there is a key, else one pointed at the local test server."""
    if os.environ.get("GROQ_API_KEY"):
        return groq.Groq()
    server = start_local_server(stack)
    return groq.Groq(base_url=server.base_url, api_key="local-test-server", max_retries=0)


def main() -> None:
    with ExitStack() as stack:
        llm = client(stack)
        session = agentops.init(default_tags=["example", "groq"])
        assert session is not None
        reply = llm.chat.completions.create(model=MODEL, messages=MESSAGES)
        print("reply:", reply.choices[0].message.content)
        stream = llm.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        print("streamed:", "".join(chunk.choices[0].delta.content or "" for chunk in stream))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
