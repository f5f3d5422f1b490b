"""The tool service: a separate process whose spans join the caller's session.

It never starts a session. The incoming request carries the agent's W3C ``traceparent`` and
``baggage`` (``session.id``); FastAPI's instrumentation extracts them, so the server span and
everything under it (here, an LLM call) land in the agent's trace and are stamped with its
``session.id``. A ``session.id`` that is not a well-formed id is ignored, never stamped.

Run:  OPENAI_BASE_URL=... OPENAI_API_KEY=... uvicorn examples.distributed.tool_service:app --port 8001
"""

from __future__ import annotations

import os

import openai
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic import BaseModel

import agentops_otel as agentops

agentops.init(auto_start_session=False, service_name="tool-service")
llm = openai.OpenAI()
app = FastAPI(title="tool service")
FastAPIInstrumentor.instrument_app(app)


class SummarizeRequest(BaseModel):
    text: str


@app.post("/summarize")
def summarize(request: SummarizeRequest) -> dict[str, str | None]:
    response = llm.chat.completions.create(
        model=os.environ.get("EXAMPLE_MODEL", "gpt-4o-mini"),
        messages=[{"role": "user", "content": f"Summarize: {request.text}"}],
    )
    current = agentops.current_session()  # None here: the session runs in the agent's process
    return {"summary": response.choices[0].message.content, "local_session": current and current.session_id}
