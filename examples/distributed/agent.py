"""The agent: runs one session that calls the tool service over HTTP.

The session's context (trace + ``session.id`` baggage) crosses to the tool service in the
standard ``traceparent`` and ``baggage`` headers, which the httpx instrumentation injects.

Run:  python -m examples.distributed.agent --tool-url http://127.0.0.1:8001
"""

from __future__ import annotations

import argparse

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

import agentops_otel as agentops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tool-url", required=True)
    tool_url = parser.parse_args().tool_url

    agentops.init(auto_start_session=False, service_name="agent")
    HTTPXClientInstrumentor().instrument()
    with agentops.start_session(tags=["distributed"]) as session, httpx.Client(base_url=tool_url) as http:
        answer = http.post("/summarize", json={"text": "a long day of agent work"}, timeout=30)
        answer.raise_for_status()
        print(f"session {session.session_id}: {answer.json()['summary']}")


if __name__ == "__main__":
    main()
