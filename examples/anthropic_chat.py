"""Anthropic messages, plain and through ``messages.stream``, recorded as child spans of a session.

Run: python examples/anthropic_chat.py
With ANTHROPIC_API_KEY set it calls Anthropic; without it, it starts the repository's local test
server (tests/support/llm_server), so it runs on a fresh machine. Spans go to agentops-traces.jsonl.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import anthropic
from _local_server import start_local_server  # a sibling module: examples run as scripts

import agentops_otel as agentops

MODEL = "claude-sonnet-4-20250514"


def client(stack: ExitStack) -> anthropic.Anthropic:
    """A real client if there is a key, else one pointed at the local test server."""
    if os.environ.get("ANTHROPIC_API_KEY"):
        return anthropic.Anthropic()
    server = start_local_server(stack)
    return anthropic.Anthropic(base_url=server.base_url, api_key="local-test-server", max_retries=0)


def main() -> None:
    with ExitStack() as stack:
        llm = client(stack)
        session = agentops.init(default_tags=["example", "anthropic"])  # also instruments anthropic
        assert session is not None
        question = [{"role": "user", "content": "Say hello"}]
        message = llm.messages.create(model=MODEL, max_tokens=128, messages=question)
        print("reply:", message.content[0].text if message.content[0].type == "text" else message.content[0])
        with llm.messages.stream(model=MODEL, max_tokens=128, messages=question) as stream:
            print("streamed:", "".join(stream.text_stream))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
