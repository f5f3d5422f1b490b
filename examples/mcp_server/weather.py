"""An MCP server of two tools that records its work with agentops-otel (examples/frameworks/mcp_tools.py).

``python -m examples.mcp_server.weather`` serves over stdio; ``uvicorn
examples.mcp_server.weather:app`` over Streamable HTTP at ``/mcp`` (from the repository root).
``get_weather`` asks a model (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``), so its LLM call is recorded
here, in the server, under the tool call: the client's session arrives with each request (W3C
``traceparent`` and ``baggage`` in ``params._meta``), so the server's spans join that session.
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
