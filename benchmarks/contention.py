"""1, 4, 16, 64 threads each running their own sessions: throughput, and what the registry lock costs.

Run: .venv/bin/python benchmarks/contention.py
The same fixed amount of work (sessions with child spans) is split over the threads; the
"no lock" arm swaps the registry's lock for a no-op to show how much of the time is the lock's.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable

from opentelemetry import trace

import agentops_otel as agentops
from agentops_otel.registry import registry
from benchmarks._harness import init_on_private_provider

TOTAL_SESSIONS = 8_000
CHILDREN = 3


def session_work(tracer: trace.Tracer) -> Callable[[int], None]:
    def run(count: int) -> None:
        for _ in range(count):
            with agentops.start_session() as session:
                for _ in range(CHILDREN):
                    tracer.start_span("child", context=session.context()).end()

    return run


def throughput(threads: int, work: Callable[[int], None]) -> float:
    """Sessions per second with `threads` threads sharing TOTAL_SESSIONS."""
    start = threading.Barrier(threads + 1)

    def worker() -> None:
        start.wait()
        work(TOTAL_SESSIONS // threads)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    return (TOTAL_SESSIONS // threads * threads) / (time.perf_counter() - began)


def main() -> str:
    provider = init_on_private_provider()
    work = session_work(provider.get_tracer("contention"))
    work(500)  # warm-up
    lines = [
        "### Sessions per second by thread count (each session: 3 child spans)",
        "",
        "| threads | sessions/s | with a no-op registry lock | time in the lock (negative = noise) |",
        "|---|---|---|---|",
    ]
    real_lock = registry._lock
    for threads in (1, 4, 16, 64):
        with_lock: list[float] = []
        without: list[float] = []
        for _ in range(5):  # alternate the arms so drift hits both alike
            with_lock.append(throughput(threads, work))
            registry._lock = contextlib.nullcontext()  # type: ignore[assignment]
            try:
                without.append(throughput(threads, work))
            finally:
                registry._lock = real_lock
        locked, unlocked = statistics.median(with_lock), statistics.median(without)
        lines.append(f"| {threads} | {locked:,.0f} | {unlocked:,.0f} | {1 - locked / unlocked:+.1%} |")
    agentops.shutdown()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
