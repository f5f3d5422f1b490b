"""Module functions in single-session mode vs. the same call on the Session (target: <= 1.2x).

Run: .venv/bin/python benchmarks/dispatch.py
"""

from __future__ import annotations

import agentops_otel as agentops
from benchmarks._harness import init_on_private_provider, measure, table


def main(rounds: int = 15, ops: int = 3000) -> str:
    init_on_private_provider()
    session = agentops.start_session()
    event = agentops.ActionEvent(action_type="step")
    results = {
        "session.add_tags": lambda: session.add_tags(["x"]),
        "agentops.add_tags": lambda: agentops.add_tags(["x"]),
        "session.record": lambda: session.record(event),
        "agentops.record": lambda: agentops.record(event),
    }
    measured = measure(results, rounds, ops)
    session.end_session("Success")
    agentops.shutdown()
    tags = {name: value for name, value in measured.items() if "tags" in name}
    record = {name: value for name, value in measured.items() if "record" in name}
    return table("add_tags", tags, "session.add_tags") + "\n" + table("record", record, "session.record")


if __name__ == "__main__":
    print(main())
