"""Single-session mode: one session, module functions act on it.

Run: python examples/single_session.py   (writes agentops-traces.jsonl; no collector, no key)
"""

from __future__ import annotations

import time

from opentelemetry import trace

import agentops_otel as agentops

tracer = trace.get_tracer("examples.single_session")


def plan_trip(city: str) -> list[str]:
    """Stand-in for an agent's work: a few steps, a tool call, an action."""
    with tracer.start_as_current_span("plan"):
        time.sleep(0.01)
    agentops.record(agentops.ToolEvent(name="weather", params={"city": city}, returns="sunny"))
    agentops.record(agentops.ActionEvent(action_type="book_hotel"))
    return ["museum", "harbour"]


def main() -> None:
    session = agentops.init(default_tags=["example", "single"])
    assert session is not None
    with session:  # spans started here belong to the session
        stops = plan_trip("Lisbon")
        agentops.add_tags(["lisbon"])
    # Leaving the `with` block ended the session as Success. Without it you would call:
    # agentops.end_session(end_state="Success")
    print(f"session {session.session_id}: {session.end_state}, stops={stops}, analytics={session.get_analytics()}")


if __name__ == "__main__":
    main()
