"""The seed's "Two Session Script": two sessions at once (multi-session mode).

Module functions like ``agentops.add_tags`` now raise MultiSessionException; each session's
own methods keep working, and work done inside ``with session:`` or ``session.wrap`` joins it.

Run: python examples/two_sessions.py   (writes agentops-traces.jsonl; no collector, no key)
"""

from __future__ import annotations

import threading

from opentelemetry import trace

import agentops_otel as agentops

tracer = trace.get_tracer("examples.two_sessions")


def research(topic: str) -> None:
    """Runs in a worker thread; ``session.wrap`` carried the session's context into it."""
    with tracer.start_as_current_span(f"research {topic}"):
        agentops.current_session().record(agentops.ToolEvent(name="search", params={"q": topic}))  # type: ignore[union-attr]


def main() -> None:
    session_1 = agentops.init(default_tags=["example"])
    session_2 = agentops.start_session(tags=["second"])
    assert session_1 is not None

    try:
        agentops.add_tags(["ambiguous"])
    except agentops.MultiSessionException as error:
        print(f"as expected in multi-session mode: {error}")

    session_1.add_tags(["first"])
    workers = [
        threading.Thread(target=session_1.wrap(research), args=("flights",)),
        threading.Thread(target=session_2.wrap(research), args=("hotels",)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    session_1.end_session(end_state="Success")
    session_2.end_session(end_state="Fail", end_state_reason="no hotel found")
    for session in (session_1, session_2):
        print(f"session {session.session_id}: {session.end_state} {session.get_analytics()}")


if __name__ == "__main__":
    main()
