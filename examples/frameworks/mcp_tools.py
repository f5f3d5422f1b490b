"""An agent's session calling tools on an MCP server (a child process over stdio); both record the session.

Run: python examples/frameworks/mcp_tools.py   (pip install 'agentops-otel[mcp]' mcp)
The server (examples/mcp_server/weather.py) calls ``agentops.init()`` too. Each ``call_tool`` is an
``execute_tool`` span of this session; the request carries the session to the server, whose tool
span and LLM call join the same trace with the same ``session.id``. With OPENAI_API_KEY set the
server's tool asks OpenAI; without it, the repository's local test server, so it runs on a fresh
machine. Both processes write the embedded JSON-lines file (``agentops-otel report`` reads it).
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

import agentops_otel as agentops

REPOSITORY = Path(__file__).resolve().parents[2]


async def ask_the_server(server: StdioServerParameters) -> list[str]:
    async with stdio_client(server) as (read, write), ClientSession(read, write) as client:
        await client.initialize()
        results = [await client.call_tool(tool, {"city": "Oslo"}) for tool in ("get_weather", "get_time")]
    return [block.text for result in results for block in result.content if block.type == "text"]


def main() -> None:
    with ExitStack() as stack:
        env = dict(os.environ)
        if not env.get("OPENAI_API_KEY"):
            env.update(OPENAI_BASE_URL=start_local_server(stack).openai_base_url, OPENAI_API_KEY="local-test-server")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")]))
        server = StdioServerParameters(command=sys.executable, args=["-m", "examples.mcp_server.weather"], env=env)
        session = agentops.init(default_tags=["example", "mcp"])
        assert session is not None
        for text in asyncio.run(ask_the_server(server)):
            print("reply:", text)
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
