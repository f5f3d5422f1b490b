"""Run every benchmark, each in its own process, and print their Markdown tables.

Run: .venv/bin/python -m benchmarks        (about 10 minutes on a 2-core machine)
Each module also runs alone: .venv/bin/python -m benchmarks.<name> (see benchmarks/README.md).
"""

from __future__ import annotations

import os
import subprocess
import sys

MODULES = (
    "session_overhead",
    "dispatch",
    "scale",
    "contention",
    "backpressure",
    "llm_overhead",
    "llm_call_path",
    "content_size",
    "report_scale",
)


def main() -> int:
    env = {**os.environ, "AGENTOPS_QUIET": "1"}
    failed = 0
    for module in MODULES:
        print(f"## {module}\n", flush=True)
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}"], env=env, check=False)
        failed += done.returncode != 0
        print(flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
