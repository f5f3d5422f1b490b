"""An OpenAI chat call and a streamed one, recorded as child spans of a session, with their cost.

Run: python examples/openai_chat.py
With OPENAI_API_KEY set it calls OpenAI; without it, it starts the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. Spans go to agentops-traces.jsonl.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

import openai
from _local_server import start_local_server  # a sibling module: examples run as scripts

import agentops_otel as agentops

MODEL = "gpt-4o-mini"


def client(stack: ExitStack) -> openai.OpenAI:
    """A real client if there is a key, else one pointed at the local test server."""
    if os.environ.get("OPENAI_API_KEY"):
        return openai.OpenAI()
    server = start_local_server(stack)
    return openai.OpenAI(base_url=server.openai_base_url, api_key="local-test-server", max_retries=0)


def main() -> None:
    with ExitStack() as stack:
        llm = client(stack)
        session = agentops.init(default_tags=["example", "openai"])  # also instruments openai
        assert session is not None
        reply = llm.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Say hello"}])
        print("reply:", reply.choices[0].message.content)
        stream = llm.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Count"}], stream=True)
        print("streamed:", "".join(chunk.choices[0].delta.content or "" for chunk in stream))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
