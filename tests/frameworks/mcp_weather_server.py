"""An MCP server of two tools, instrumented by us, for tests/frameworks/test_mcp.py and the MCP example.

``python -m tests.frameworks.mcp_weather_server`` serves over stdio; ``uvicorn
tests.frameworks.mcp_weather_server:app`` over Streamable HTTP at ``/mcp``. ``get_weather`` asks a
model (``OPENAI_BASE_URL``: the local LLM server), so its LLM span is recorded here, in the
server, under the tool call that the client's session sent.
"""

from __future__ import annotations

import openai
from mcp.server.mcpserver import MCPServer

import agentops_otel as agentops

agentops.init(auto_start_session=False, service_name="weather-mcp")
server = MCPServer("weather")


@server.tool()
def get_weather(city: str) -> str:
    """The weather in a city, as a model words it."""
    with openai.OpenAI(max_retries=0) as client:
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"Weather in {city}?"}]
        )
    return f"sunny in {city}: {reply.choices[0].message.content}"


@server.tool()
def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


app = server.streamable_http_app()

if __name__ == "__main__":
    server.run("stdio")
