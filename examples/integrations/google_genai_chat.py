"""Gemini calls (generate_content and its stream) recorded in a session, with their cost.

Run: python examples/integrations/google_genai_chat.py   (pip install 'agentops-otel[google-genai]' google-genai)
With GEMINI_API_KEY set it calls Gemini; without it, the client's base URL is the repository's local
test server (tests/support/llm_server), so it runs on a fresh machine.
``agentops.init()`` turns on OpenInference's Google GenAI instrumentation; no other call is needed.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from google import genai
from google.genai import types

import agentops_otel as agentops

MODEL = "gemini-2.0-flash"


def client(stack: ExitStack) -> genai.Client:
    """A real client if there is a key, else one pointed at the local test server."""
    if os.environ.get("GEMINI_API_KEY"):
        return stack.enter_context(genai.Client())
    server = start_local_server(stack)
    options = types.HttpOptions(base_url=server.base_url)
    return stack.enter_context(genai.Client(api_key="local-test-server", http_options=options))


def main() -> None:
    with ExitStack() as stack:
        gemini = client(stack)
        session = agentops.init(default_tags=["example", "google-genai"])
        assert session is not None
        reply = gemini.models.generate_content(model=MODEL, contents="Say hello")
        print("reply:", reply.text)
        stream = gemini.models.generate_content_stream(model=MODEL, contents="Count")
        print("streamed:", "".join(chunk.text or "" for chunk in stream))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
