"""LiteLLM calls (completion, a stream, acompletion) recorded in a session, with their cost.

Run: python examples/integrations/litellm_chat.py   (pip install 'agentops-otel[litellm]')
With OPENAI_API_KEY set it calls OpenAI through LiteLLM; without it, LiteLLM's ``api_base`` is the
repository's local test server (tests/support/llm_server), so it runs on a fresh machine.
``agentops.init()`` turns on OpenInference's LiteLLM instrumentation; no other call is needed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # LiteLLM would fetch its price map at import
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
import litellm
from _local_server import start_local_server

import agentops_otel as agentops

MESSAGES = [{"role": "user", "content": "Say hello"}]


def options(stack: ExitStack) -> dict[str, Any]:
    """The model, and the local server as ``api_base`` when there is no key."""
    if os.environ.get("OPENAI_API_KEY"):
        return {"model": "openai/gpt-4o-mini"}
    server = start_local_server(stack)
    return {"model": "openai/gpt-4o-mini", "api_base": server.openai_base_url, "api_key": "local-test-server"}


async def two_async_calls(model: dict[str, Any]) -> None:
    for _ in range(2):
        await litellm.acompletion(messages=MESSAGES, **model)
    await litellm.close_litellm_async_clients()


def main() -> None:
    with ExitStack() as stack:
        model = options(stack)
        session = agentops.init(default_tags=["example", "litellm"])
        assert session is not None
        reply = litellm.completion(messages=MESSAGES, **model)
        print("reply:", reply.choices[0].message.content)
        chunks = litellm.completion(messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **model)
        print("streamed:", "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices))
        asyncio.run(two_async_calls(model))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
